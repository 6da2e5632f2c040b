// Configuration reload without a restart: in-process when the file changes (the watch path, and
// what the parts of the bot built from the configuration do with a new one), and through the real
// server sent SIGHUP. An invalid configuration is logged problem by problem and the previous one
// stays in force.

import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { pluginNames } from '../plugins/index.js';
import { FileConfigSource } from '../src/config/config-source.js';
import { readEnv } from '../src/config/env.js';
import { presubmitSchema } from '../src/config/jobs-schema.js';
import { embeddedConfig } from '../src/config/load-config.js';
import { liveRepoConfigResolver } from '../src/config/resolve-repo-config.js';
import type { ForgeProvider } from '../src/forge/forge-provider.js';
import { createCi } from '../src/jobs/create-ci.js';
import { Metrics } from '../src/server/metrics.js';
import { ForgeState } from './fakes/forge-state.js';
import { startGitLabApi } from './fakes/gitlab-api.js';
import { MemoryForge } from './fakes/memory-forge.js';
import { RunnerEndpoint } from './helpers/runner-endpoint.js';
import { type ServerProcess, startServerProcess, waitFor } from './helpers/server-process.js';
import { gitlabMrNote, postGitLab } from './helpers/webhooks.js';

const widgets = { forge: 'gitlab' as const, owner: 'acme', name: 'widgets' };

function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  return { log, lines, messages: () => lines.map((l) => String(l.msg)) };
}

describe('configuration reload: the file changes (in-process)', () => {
  let dir: string;
  let file: string;
  const write = (text: string) => {
    // As editors and deployments do: a new file renamed over the old one.
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-reload-'));
    file = join(dir, 'config.yaml');
  });

  it('puts a valid new file in force; keeps the previous one when the new one is invalid, naming every problem', async () => {
    write('repos:\n  acme/widgets: {plugins: [hold]}\n');
    const { log, messages } = capturingLog();
    const source = await FileConfigSource.load(
      { file, knownPlugins: pluginNames(), environment: { env: { HOOK_KEY: 'set' } }, log },
      embeddedConfig,
    );
    const configFor = liveRepoConfigResolver(source, pluginNames());
    const changes: string[][] = [];
    source.onChange((config) => changes.push(config.repos['acme/widgets']?.plugins ?? []));
    source.watch(20);
    try {
      assert.deepEqual(configFor(widgets).plugins, ['hold']);

      write('repos:\n  acme/widgets: {plugins: [hold, help]}\n');
      await waitFor(() => configFor(widgets).plugins.includes('help'), 'the new file in force');
      assert.deepEqual(changes, [['hold', 'help']]);
      await waitFor(() => messages().includes('configuration reloaded'), 'the reload logged');

      // Several problems at once, and a runner whose secret is not in the environment: all named, none applied.
      write(
        [
          'runners:',
          '  jenkins: {type: webhook, url: "https://ci.test/x", secret_env: NEW_RUNNER_KEY}',
          'repos:',
          '  acme/widgets: {plugins: [hold, lgtmm]}',
        ].join('\n'),
      );
      await waitFor(() => messages().find((m) => m.startsWith('configuration reload failed')), 'the failure logged');
      const failure = messages().find((m) => m.startsWith('configuration reload failed'))!;
      assert.match(failure, /^configuration reload failed: 2 problems in .*; keeping the previous one$/);
      assert.ok(
        messages().includes(`${file}:2: runners.jenkins.secret_env: the environment variable NEW_RUNNER_KEY is not set`),
        messages().join('\n'),
      );
      assert.ok(messages().some((m) => m.startsWith(`${file}:4: repos.acme/widgets.plugins.1: unknown plugin "lgtmm"`)));
      assert.deepEqual(configFor(widgets).plugins, ['hold', 'help'], 'the previous configuration stays');
      assert.equal(changes.length, 1);

      // SIGHUP's path reads the same file again and reports it again; an event that changed nothing is ignored.
      assert.equal((await source.reload('signal')).outcome, 'failed');
      assert.equal((await source.reload('file changed')).outcome, 'unchanged');
    } finally {
      await source.close();
    }
  });

  it('the runners are built again: the next dispatch goes to a runner the reload added', async () => {
    process.env.RELOAD_HOOK_KEY = 'hook-secret';
    const first = await new RunnerEndpoint('hook-secret').start();
    const second = await new RunnerEndpoint('hook-secret').start();
    const runnerFile = (url: string) => `runners:\n  hook: {type: webhook, url: "${url}", secret_env: RELOAD_HOOK_KEY}\n`;
    write(runnerFile(first.url));
    const { log } = capturingLog();
    const source = await FileConfigSource.load(
      { file, knownPlugins: pluginNames(), environment: { env: process.env }, log },
      embeddedConfig,
    );
    const state = new ForgeState();
    state.addChange('acme/widgets', { number: 7 });
    const forge = new MemoryForge(state, 'gitlab');
    const forges: ForgeProvider = { forEvent: async () => forge, forRepo: async () => forge };
    const ci = await createCi({
      options: readEnv({}),
      config: source,
      forges,
      log,
      metrics: new Metrics(),
      publicUrl: () => 'http://127.0.0.1:1',
      backoffMs: 10,
    });
    ci.work();
    const start = (sha: string) =>
      ci.jobs.start([
        {
          type: 'presubmit',
          job: presubmitSchema.parse({ name: 'unit', runner: 'hook' }),
          repo: widgets,
          cloneUrl: 'https://forge.test/acme/widgets.git',
          baseRef: 'main',
          baseSha: 'b'.repeat(40),
          reason: 'test',
          pull: { number: 7, sha, author: 'alice', title: 'A change', ref: 'feature' },
        },
      ]);
    try {
      await start('1'.repeat(40));
      await waitFor(() => first.received.length === 1, 'the dispatch to the first runner');
      write(runnerFile(second.url));
      assert.equal((await source.reload('signal')).outcome, 'reloaded');
      await start('2'.repeat(40));
      await waitFor(() => second.received.length === 1, 'the dispatch to the runner the reload configured');
      assert.equal(first.received.length, 1);
      assert.ok(second.received[0]!.signatureValid);
    } finally {
      await ci.close();
      await source.close();
      await first.close();
      await second.close();
    }
  });
});

describe('configuration reload: the real server on SIGHUP', () => {
  const GITLAB_SECRET = 'gitlab-webhook-secret';
  const state = new ForgeState();
  let api: { url: string; close(): Promise<void> };
  let bot: ServerProcess;
  let file: string;

  before(async () => {
    state.addChange('acme/widgets', { number: 7, author: 'alice' });
    api = await startGitLabApi(state);
    file = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-sighup-')), 'config.yaml');
    writeFileSync(file, 'repos:\n  acme/widgets: {plugins: []}\n');
    bot = await startServerProcess({
      GITLAB_URL: api.url,
      GITLAB_TOKEN: 'glpat-test-token',
      GITLAB_WEBHOOK_SECRET: GITLAB_SECRET,
      CONFIG_FILE: file,
    });
  });

  after(async () => {
    assert.equal(await bot?.stop(), 0);
    await api?.close();
  });

  const comment = (body: string) =>
    postGitLab(bot.url, 'Note Hook', JSON.stringify(gitlabMrNote(body, { username: 'bob' })), { 'x-gitlab-token': GITLAB_SECRET });
  const reloads = (prefix: string) => bot.logs.filter((l) => String(l.msg).startsWith(prefix) && l.reason === 'signal');
  const labels = () => state.change('acme/widgets', 7).labels;

  it('reloads on SIGHUP, and keeps the previous configuration when the new one is invalid', async () => {
    // Before: hold is not enabled, so /hold is answered as a command of a plugin that is off.
    assert.equal((await comment('/hold')).status, 200);
    await waitFor(() => state.comments('acme/widgets', 7).some((c) => c.body.includes('not enabled')), 'the reply that hold is off');
    assert.deepEqual(labels(), []);

    writeFileSync(file, 'repos:\n  acme/widgets: {plugins: [hold]}\n');
    bot.child.kill('SIGHUP');
    await waitFor(() => reloads('configuration reloaded').length === 1, 'the reload on SIGHUP');
    assert.equal((await comment('/hold')).status, 200);
    await waitFor(() => labels().includes('do-not-merge/hold'), 'hold enabled by the reload');

    writeFileSync(
      file,
      [
        'runners:',
        '  jenkins: {type: webhook, url: "https://ci.test/x", secret_env: SECRET_NOT_IN_THE_ENVIRONMENT}',
        'repos:',
        '  acme/widgets: {plugins: []}',
      ].join('\n'),
    );
    bot.child.kill('SIGHUP');
    await waitFor(() => reloads('configuration reload failed').length === 1, 'the failed reload');
    assert.ok(
      bot.logs.some(
        (l) => l.msg === `${file}:2: runners.jenkins.secret_env: the environment variable SECRET_NOT_IN_THE_ENVIRONMENT is not set`,
      ),
      'each problem is logged',
    );
    assert.match(String(reloads('configuration reload failed')[0]!.msg), /keeping the previous one$/);
    // hold is still on: the previous configuration is in force.
    assert.equal((await comment('/hold cancel')).status, 200);
    await waitFor(() => !labels().includes('do-not-merge/hold'), 'hold still enabled');
  });
});
