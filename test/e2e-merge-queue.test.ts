// End to end for the merge queue: the real server (`npm start`) on the real Redis, GitHub and
// GitLab faked at the HTTP boundary, a local webhook runner. On each forge, three approved PRs
// with lgtm: #1 is green on the current base and merges at once; #2 was green on an older base,
// so the queue tests it on top of #1 (a batch dispatch), and merges it when the runner reports
// success; #3 is pushed to after approval, the lgtm plugin takes its label, and it is not merged.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ForgeState } from './fakes/forge-state.js';
import { startGitHubApi } from './fakes/github-api.js';
import { startGitLabApi } from './fakes/gitlab-api.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunnerEndpoint } from './helpers/runner-endpoint.js';
import { type ServerProcess, startServerProcess, testPrivateKey, waitFor } from './helpers/server-process.js';
import { until } from './helpers/wait.js';
import { githubPullRequest, gitlabMergeRequestOpened, postGitHub, postGitLab, signGitHub } from './helpers/webhooks.js';

const SECRET = 'github-webhook-secret';
const GITLAB_SECRET = 'gitlab-webhook-secret';
const REDIS_PREFIX = `e2e-mq-${randomUUID()}`;
const FULL = 'acme/widgets';
const BASE = 'e'.repeat(40);
const OLD_BASE = 'f'.repeat(40);
const head = (n: number) => n.toString(16).padStart(40, 'a');
const PUSHED = 'b'.repeat(40);

describe('e2e: the merge queue through the real server', () => {
  const github = new ForgeState();
  const gitlab = new ForgeState();
  let endpoint: RunnerEndpoint;
  let servers: Array<{ close(): Promise<void> }> = [];
  let bot: ServerProcess;

  before(async () => {
    github.botLogin = 'ci-orchestrator[bot]';
    for (const state of [github, gitlab]) {
      state.setBranch(FULL, 'main', BASE);
      state.setFile(FULL, BASE, 'OWNERS', 'approvers:\n- carol\n');
      for (const n of [1, 2, 3]) {
        state.addChange(FULL, {
          number: n,
          author: 'alice',
          headSha: head(n),
          baseSha: BASE,
          files: [`file-${n}.txt`],
          labels: ['lgtm', 'approved'],
        });
        state.addComment(FULL, n, 'carol', '/approve');
        state.setStatus(FULL, head(n), {
          context: 'ci/unit',
          state: 'success',
          description: `Job succeeded. BaseSHA:${n === 2 ? OLD_BASE : BASE}`,
        });
      }
    }
    endpoint = await new RunnerEndpoint('runner-secret').start();
    const gh = await startGitHubApi(github);
    const gl = await startGitLabApi(gitlab);
    servers = [gh, gl];
    const dir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-e2e-mq-'));
    writeFileSync(
      join(dir, 'config.yaml'),
      `runners:
  jenkins: {type: webhook, url: "${endpoint.url}", secret_env: RUNNER_SECRET}
merge_queue: {sync_period: 10s}
repos:
  acme/widgets:
    plugins: [lgtm]
    presubmits:
      - {name: unit, runner: jenkins, always_run: true, context: ci/unit}
    merge_queue: {merge_method: squash}
`,
    );
    bot = await startServerProcess({
      APP_ID: '1',
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: new URL(gh.url).host,
      GHE_PROTOCOL: 'http',
      GITLAB_URL: gl.url,
      GITLAB_TOKEN: 'glpat-test-token',
      GITLAB_WEBHOOK_SECRET: GITLAB_SECRET,
      REDIS_URL,
      REDIS_PREFIX,
      CONFIG_FILE: join(dir, 'config.yaml'),
      RUNNER_SECRET: 'runner-secret',
    });
  });

  after(async () => {
    assert.equal(await bot?.stop(), 0);
    await Promise.all(servers.map((s) => s.close()));
    await endpoint.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${REDIS_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  for (const forge of ['github', 'gitlab'] as const) {
    it(`${forge}: merges the approved PRs once green on the current base, and not the one pushed to`, async () => {
      const state = forge === 'github' ? github : gitlab;
      // #3 gets a push after its approval: the event makes the repo known to the queue, too.
      state.change(FULL, 3).headSha = PUSHED;
      const res =
        forge === 'github'
          ? await (async () => {
              const body = JSON.stringify(githubPullRequest('synchronize', { number: 3, headSha: PUSHED }));
              return postGitHub(bot.url, 'pull_request', body, { 'x-hub-signature-256': signGitHub(SECRET, body) });
            })()
          : await (async () => {
              const payload = gitlabMergeRequestOpened({ iid: 3 });
              payload.object_attributes.action = 'update';
              payload.object_attributes.oldrev = head(3);
              payload.object_attributes.last_commit = { ...payload.object_attributes.last_commit, id: PUSHED };
              return postGitLab(bot.url, 'Merge Request Hook', JSON.stringify(payload), { 'x-gitlab-token': GITLAB_SECRET });
            })();
      assert.equal(res.status, 200);

      await waitFor(() => state.change(FULL, 1).state === 'merged', '#1 merged (green on the current base)');
      assert.deepEqual(state.change(FULL, 1).mergedWith?.method, 'squash');

      // #2's result is from an older base: the queue tests it on top of #1, in the same sync that
      // merges #1 (speculation), so the batch is the base #1 merged onto, plus #1, plus #2.
      const { doc } = await waitFor(
        () => endpoint.received.find((r) => r.doc.refs.forge === forge && r.doc.job.type === 'batch'),
        'the batch dispatch of #2',
      );
      assert.deepEqual(
        doc.refs.pulls.map((p) => [p.number, p.sha]),
        [
          [1, head(1)],
          [2, head(2)],
        ],
      );
      assert.equal(doc.refs.base_sha, BASE);
      assert.equal(state.change(FULL, 2).state, 'open', 'not merged before its test passes');
      assert.equal((await RunnerEndpoint.report(doc, { state: 'success' })).status, 200);
      await waitFor(() => state.change(FULL, 2).state === 'merged', '#2 merged after its test');

      assert.equal(state.change(FULL, 3).state, 'open');
      assert.ok(!state.change(FULL, 3).labels.includes('lgtm'), 'the push took the lgtm label');
      const queueStatus = state
        .statuses(FULL, PUSHED)
        .filter((s) => s.context === 'merge-queue')
        .at(-1);
      assert.equal(queueStatus?.description, 'Not mergeable. Needs lgtm label.');

      // The pool's record is saved when its sync ends, a moment after the merge itself.
      type Api = { pools: Array<{ pool: string; recent: Array<{ action: string; pulls: number[] }> }> };
      const merges = async () => {
        const api = (await (await fetch(`${bot.url}/api/v1/merge-queue`)).json()) as Api;
        return api.pools
          .find((p) => p.pool === `${forge}/${FULL}:main`)
          ?.recent.filter((h) => h.action === 'merge')
          .map((h) => h.pulls)
          .reverse();
      };
      let seen = await merges();
      await until(async () => ((seen = await merges())?.length ?? 0) >= 2, "both merges in the pool's record");
      assert.deepEqual(seen, [[1], [2]]);
      const page = await (await fetch(`${bot.url}/merge-queue`)).text();
      assert.match(page, new RegExp(`${forge}/acme/widgets:main`));
    });
  }
});
