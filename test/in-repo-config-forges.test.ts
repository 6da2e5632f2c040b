// Configuration kept in a repository, through each forge's real adapter over its fake HTTP API:
// a presubmit defined by the file on the default branch runs on `/test`, and the change's own
// version of the file is ignored (a change must not configure its own CI). A broken file is set
// aside with one comment on the change, and the operator's jobs still run.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { allPlugins } from '../plugins/index.js';
import { fixedConfig } from '../src/config/config-source.js';
import { readEnv } from '../src/config/env.js';
import { REPO_FILE_PATH } from '../src/config/in-repo/settings.js';
import { parseConfig } from '../src/config/load-config.js';
import { createDeliveryHandler } from '../src/core/handle-delivery.js';
import type { ForgeProvider } from '../src/forge/forge-provider.js';
import { type Ci, createCi } from '../src/jobs/create-ci.js';
import { OwnersResolver } from '../src/owners/index.js';
import type { DeliveryHandler } from '../src/queue/event-queue.js';
import { Metrics } from '../src/server/metrics.js';
import { githubHarness } from './fakes/github-harness.js';
import { gitlabHarness } from './fakes/gitlab-harness.js';
import type { ForgeHarnessInstance } from './fakes/harnesses.js';
import { commentEvent } from './helpers/events.js';
import { RunnerEndpoint } from './helpers/runner-endpoint.js';
import { waitFor } from './helpers/server-process.js';

const FULL = 'acme/widgets';
const BASE = 'b'.repeat(40);
const HEAD = 'a'.repeat(40);
const SECRET_ENV = 'IN_REPO_TEST_HOOK_KEY';

for (const harness of [githubHarness, gitlabHarness]) {
  describe(`in-repo configuration: ${harness.name}`, () => {
    let h: ForgeHarnessInstance;
    let endpoint: RunnerEndpoint;
    let ci: Ci;
    let handle: DeliveryHandler;

    before(async () => {
      process.env[SECRET_ENV] = 'hook-secret';
      h = await harness.start();
      const { state } = h;
      state.addChange(FULL, { number: 7, author: 'alice', headSha: HEAD, baseSha: BASE, files: ['src/a.ts'] });
      state.setBranch(FULL, 'main', BASE);
      state.setPermission(FULL, 'alice', 'write');
      state.setFile(FULL, BASE, REPO_FILE_PATH, 'presubmits:\n  - {name: lint, runner: hook, params: {FROM: default-branch}}\n');
      // The change's own version tries to change the job and to add one.
      state.setFile(
        FULL,
        HEAD,
        REPO_FILE_PATH,
        'presubmits:\n  - {name: lint, runner: hook, params: {FROM: the-change}}\n  - {name: evil, runner: hook}\n',
      );
      endpoint = await new RunnerEndpoint('hook-secret').start();
      const config = fixedConfig(
        parseConfig(
          [
            'runners:',
            `  hook: {type: webhook, url: "${endpoint.url}", secret_env: ${SECRET_ENV}}`,
            'repos:',
            `  ${FULL}:`,
            '    plugins: [trigger]',
            '    presubmits: [{name: unit, runner: hook}]',
            '    in_repo_config: {allowed_runners: [hook]}',
          ].join('\n'),
          'config.yaml',
          allPlugins.map((p) => p.name),
        ),
      );
      const forges: ForgeProvider = { forEvent: async () => h.forge, forRepo: async () => h.forge };
      const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
      ci = await createCi({
        options: readEnv({}),
        config,
        forges,
        log,
        metrics: new Metrics(),
        publicUrl: () => 'http://127.0.0.1:1',
        backoffMs: 10,
      });
      ci.work();
      handle = createDeliveryHandler({
        config,
        plugins: allPlugins,
        forges,
        owners: new OwnersResolver(),
        ci: ci.jobs,
        onRunnerEvent: async () => {},
        log,
      });
    });

    after(async () => {
      await ci?.close();
      await endpoint?.close();
      await h?.close();
    });

    const comment = (body: string) => {
      const event = commentEvent(body, { login: 'alice', forge: h.repo.forge });
      return handle({ forge: event.forge, deliveryId: event.deliveryId, events: [event] });
    };
    const comments = () => h.state.comments(FULL, 7).map((c) => c.body);

    it("runs the default branch's presubmit on /test, never the change's version of it", async () => {
      await comment('/test lint');
      await waitFor(() => endpoint.received.length === 1, 'the dispatch of lint');
      const { doc } = endpoint.received[0]!;
      assert.equal(doc.job.name, 'lint');
      assert.deepEqual(doc.job.params, { FROM: 'default-branch' });
      assert.equal(doc.refs.pulls[0]?.sha, HEAD);

      await comment('/test evil');
      await waitFor(() => comments().some((c) => c.includes('evil')), 'the reply to /test evil');
      assert.match(comments().at(-1)!, /lint/, 'the reply lists the jobs that exist');
      assert.equal(endpoint.received.length, 1, 'the job only the change defines never runs');
    });

    it("sets a broken file aside with one comment; the operator's jobs still run", async () => {
      const pushed = 'c'.repeat(40);
      h.state.setFile(FULL, pushed, REPO_FILE_PATH, 'runners:\n  mine: {type: command, command: [sh]}\n');
      h.state.setBranch(FULL, 'main', pushed);
      const before = comments().length;
      const push = {
        kind: 'push' as const,
        forge: h.repo.forge,
        deliveryId: `push-${h.repo.forge}`,
        repo: h.repo,
        sender: { login: 'carol', isBot: false },
        installationId: 1,
        branch: 'main',
        before: BASE,
        after: pushed,
        deleted: false,
        changedFiles: [REPO_FILE_PATH],
      };
      await handle({ forge: push.forge, deliveryId: push.deliveryId, events: [push] });

      await comment('/test unit');
      await waitFor(() => endpoint.received.some((r) => r.doc.job.name === 'unit'), "the operator's job");
      await comment('/test unit');
      const added = comments().slice(before);
      const notices = added.filter((c) => c.includes('cannot be used'));
      assert.equal(notices.length, 1, added.join('\n---\n'));
      assert.match(notices[0]!, /runners: runners can only be set in the operator's configuration/);
    });
  });
}
