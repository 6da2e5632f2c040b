// End to end for check runs (reporting.github: checks): the real server (`npm start`) on the real
// Redis, GitHub faked at the HTTP boundary, a local webhook runner. A PR opened gets one check run
// per job, updated in place as the runner reports; GitHub's Re-run button (a signed
// check_run.rerequested delivery) dispatches the job again, on the PR's current head.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ForgeState } from './fakes/forge-state.js';
import { startGitHubApi } from './fakes/github-api.js';
import { RunnerEndpoint } from './helpers/runner-endpoint.js';
import { type ServerProcess, startServerProcess, testPrivateKey, waitFor } from './helpers/server-process.js';
import { githubCheckRunRerequested, githubPullRequest, postGitHub, signGitHub } from './helpers/webhooks.js';

const SECRET = 'github-webhook-secret';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `e2e-checks-${randomUUID()}`;
const FULL = 'acme/widgets';
const BASE = '1'.repeat(40);
const HEAD = '2'.repeat(40);
const NEW_HEAD = '3'.repeat(40);

describe('e2e: check runs and the Re-run button through the real server', () => {
  const github = new ForgeState();
  let endpoint: RunnerEndpoint;
  let api: Awaited<ReturnType<typeof startGitHubApi>>;
  let bot: ServerProcess;

  before(async () => {
    github.botLogin = 'ci-orchestrator[bot]';
    github.addChange(FULL, { number: 7, author: 'alice', headSha: HEAD, baseSha: BASE, files: ['widget.txt'] });
    github.setBranch(FULL, 'main', BASE);
    github.setPermission(FULL, 'alice', 'write');
    endpoint = await new RunnerEndpoint('runner-secret').start();
    api = await startGitHubApi(github);
    const dir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-e2e-checks-'));
    writeFileSync(
      join(dir, 'config.yaml'),
      `runners:
  jenkins: {type: webhook, url: "${endpoint.url}", secret_env: RUNNER_SECRET}
repos:
  acme/widgets:
    plugins: [trigger]
    reporting: {github: checks}
    presubmits:
      - {name: unit, runner: jenkins, always_run: true, context: ci/unit}
`,
    );
    bot = await startServerProcess({
      APP_ID: '1',
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: new URL(api.url).host,
      GHE_PROTOCOL: 'http',
      REDIS_URL,
      REDIS_PREFIX,
      CONFIG_FILE: join(dir, 'config.yaml'),
      RUNNER_SECRET: 'runner-secret',
      COMMAND_CONCURRENCY: '0',
    });
  });

  after(async () => {
    assert.equal(await bot?.stop(), 0);
    await api?.close();
    await endpoint?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${REDIS_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const post = (event: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    return postGitHub(bot.url, event, body, { 'x-hub-signature-256': signGitHub(SECRET, body) });
  };
  const checkRuns = (sha: string) => github.checkRuns(FULL, sha);

  it('a PR opened gets one check run per job, updated in place until it completes', async () => {
    assert.equal((await post('pull_request', githubPullRequest('opened', { headSha: HEAD }))).status, 200);
    const { doc } = await waitFor(() => endpoint.received[0], 'the dispatch');
    await waitFor(() => checkRuns(HEAD)[0]?.output.title?.startsWith('Job pending.'), 'the queued check run');
    assert.deepEqual(
      [checkRuns(HEAD)[0]?.name, checkRuns(HEAD)[0]?.status, checkRuns(HEAD)[0]?.externalId],
      ['ci/unit', 'queued', doc.job.id],
    );

    assert.equal((await RunnerEndpoint.report(doc, { state: 'running', url: 'https://ci.test/unit/1' })).status, 200);
    await waitFor(() => checkRuns(HEAD)[0]?.status === 'in_progress', 'the check run in progress');
    assert.equal((await RunnerEndpoint.report(doc, { state: 'failure', description: '1 test failed.' })).status, 200);
    await waitFor(() => checkRuns(HEAD)[0]?.status === 'completed', 'the completed check run');

    assert.equal(checkRuns(HEAD).length, 1);
    const [check] = checkRuns(HEAD);
    assert.deepEqual(
      [check?.conclusion, check?.detailsUrl, check?.output.title],
      ['failure', 'https://ci.test/unit/1', `1 test failed. BaseSHA:${BASE}`],
    );
    assert.equal(github.statuses(FULL, HEAD).length, 0, 'no commit statuses');
    const writes = github.calls.filter((c) => c.path.includes('/check-runs') && c.method !== 'GET');
    assert.equal(writes.filter((c) => c.method === 'POST').length, 1, 'created once');
    assert.ok(writes.slice(1).every((c) => c.method === 'PATCH' && c.path.endsWith(`/check-runs/${check!.id}`)));
  });

  it("the Re-run button dispatches the job again, on the PR's current head, with a new check run there", async () => {
    const [first] = checkRuns(HEAD);
    github.change(FULL, 7).headSha = NEW_HEAD; // pushed since; the check run is on the old head
    const payload = githubCheckRunRerequested({ name: first!.name, externalId: first!.externalId, headSha: HEAD });
    assert.equal((await post('check_run', payload)).status, 200);

    const { doc } = await waitFor(() => endpoint.received[1], 'the second dispatch');
    assert.deepEqual([doc.job.name, doc.refs.pulls[0]?.sha, doc.refs.base_sha], ['unit', NEW_HEAD, BASE]);
    assert.notEqual(doc.job.id, first!.externalId, 'a new run');
    await waitFor(() => checkRuns(NEW_HEAD)[0], "the new head's check run");
    assert.deepEqual([checkRuns(NEW_HEAD)[0]?.name, checkRuns(NEW_HEAD)[0]?.externalId], ['ci/unit', doc.job.id]);
    assert.equal(checkRuns(HEAD).length, 1, 'the old check run stays as it was');
    assert.equal(checkRuns(HEAD)[0]?.conclusion, 'failure');
  });

  it('a Re-run pressed by someone who could not /test the change runs nothing', async () => {
    const [first] = checkRuns(HEAD);
    const seen = endpoint.received.length;
    github.setPermission(FULL, 'alice', 'read'); // nor is the change's author trusted now
    const payload = githubCheckRunRerequested({ name: first!.name, externalId: first!.externalId, headSha: HEAD, login: 'mallory' });
    assert.equal((await post('check_run', payload)).status, 200);
    await waitFor(() => bot.logs.some((l) => l.msg === 're-run refused: untrusted user on an untrusted change'), 'the refusal');
    assert.equal(endpoint.received.length, seen);
  });
});
