// End to end for CI: the real server (`npm start`) and `ci-orchestrator worker` processes on the
// real Redis, GitHub and GitLab faked at the HTTP boundary, a local webhook runner, and a real
// script run by a worker in a git worktree. A PR opened gets pending statuses; the runner's
// callbacks turn them green; a worker killed in the middle of a command job loses nothing.

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
import { createGitRepo, type GitRepo } from './helpers/git-repo.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunnerEndpoint } from './helpers/runner-endpoint.js';
import { type ServerProcess, startServerProcess, testPrivateKey, waitFor } from './helpers/server-process.js';
import { githubPullRequest, gitlabMergeRequestOpened, gitlabMrNote, postGitHub, postGitLab, signGitHub } from './helpers/webhooks.js';

const SECRET = 'github-webhook-secret';
const GITLAB_SECRET = 'gitlab-webhook-secret';
const REDIS_PREFIX = `e2e-ci-${randomUUID()}`;

describe('e2e: CI jobs through the real server and workers', () => {
  const github = new ForgeState();
  const gitlab = new ForgeState();
  let git: GitRepo;
  let base: string;
  let head: string;
  let endpoint: RunnerEndpoint;
  let servers: Array<{ close(): Promise<void> }> = [];
  let bot: ServerProcess;
  let env: Record<string, string>;
  const workers: ServerProcess[] = [];

  before(async () => {
    git = createGitRepo();
    base = git.commit({ 'README.md': 'widgets\n' }, 'base').sha;
    head = git.commit({ 'widget.txt': 'a widget\n' }, 'add a widget').sha;
    github.botLogin = 'ci-orchestrator[bot]';
    for (const state of [github, gitlab]) {
      state.addChange('acme/widgets', { number: 7, author: 'alice', headSha: head, baseSha: base, files: ['widget.txt'] });
      state.setBranch('acme/widgets', 'main', base);
      state.setPermission('acme/widgets', 'alice', 'write');
    }
    gitlab.repo('acme/widgets').cloneUrl = git.url;
    endpoint = await new RunnerEndpoint('runner-secret').start();
    const gh = await startGitHubApi(github);
    const gl = await startGitLabApi(gitlab);
    servers = [gh, gl];
    const dir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-e2e-ci-'));
    writeFileSync(
      join(dir, 'config.yaml'),
      `runners:
  jenkins: {type: webhook, url: "${endpoint.url}", secret_env: RUNNER_SECRET}
  local: {type: command, command: [sh, -c, 'echo "testing $(cat widget.txt)"; sleep 3; echo done']}
repos:
  acme/widgets:
    plugins: [trigger]
    presubmits:
      - {name: unit, runner: jenkins, always_run: true, context: ci/unit}
      - {name: build, runner: local}
`,
    );
    env = {
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
    };
    // Scripts run on workers only, never next to the server's App key.
    bot = await startServerProcess({ ...env, COMMAND_CONCURRENCY: '0' });
  });

  after(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    assert.equal(await bot?.stop(), 0);
    await Promise.all(servers.map((s) => s.close()));
    await endpoint.close();
    git.remove();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${REDIS_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const status = (state: ForgeState, context: string) => state.statuses('acme/widgets', head).find((s) => s.context === context);

  for (const forge of ['github', 'gitlab'] as const) {
    it(`${forge}: a PR opened gets pending statuses, and the runner's callbacks turn them green`, async () => {
      const state = forge === 'github' ? github : gitlab;
      const seen = endpoint.received.length;
      const res =
        forge === 'github'
          ? await (async () => {
              const body = JSON.stringify(githubPullRequest('opened', { headSha: head }));
              return postGitHub(bot.url, 'pull_request', body, { 'x-hub-signature-256': signGitHub(SECRET, body) });
            })()
          : await postGitLab(bot.url, 'Merge Request Hook', JSON.stringify(gitlabMergeRequestOpened()), {
              'x-gitlab-token': GITLAB_SECRET,
            });
      assert.equal(res.status, 200);
      const { doc, signatureValid } = await waitFor(() => endpoint.received[seen], 'the dispatch');
      assert.ok(signatureValid);
      assert.equal(doc.refs.forge, forge);
      assert.deepEqual([doc.job.name, doc.refs.base_sha, doc.refs.pulls[0]?.sha], ['unit', base, head]);
      assert.equal(status(state, 'build'), undefined, 'a job that needs /test does not run');
      await waitFor(() => status(state, 'ci/unit')?.state === 'pending', 'the pending status');
      assert.match(status(state, 'ci/unit')!.description!, new RegExp(`BaseSHA:${base}$`));

      assert.equal((await RunnerEndpoint.report(doc, { state: 'running' })).status, 200);
      assert.equal((await RunnerEndpoint.report(doc, { state: 'success', url: 'https://ci.test/unit/1' })).status, 200);
      await waitFor(() => status(state, 'ci/unit')?.state === 'success', 'the success status');
      assert.equal(status(state, 'ci/unit')!.targetUrl, 'https://ci.test/unit/1');
      assert.equal((await RunnerEndpoint.report(doc, { state: 'failure' })).status, 401, 'the token is spent');
    });
  }

  it('gitlab: /test build runs the script on a worker; a worker killed mid-job loses nothing', async () => {
    // A short lock on the workers only, so the killed one's job goes to the next soon. The server
    // keeps the default: a lock that short could lapse on a busy machine and run its tasks twice.
    // PUBLIC_URL, as a deployment's workers need: any process may write the status and its log link.
    const workerEnv = { ...env, WORKER_LOCK_SECONDS: '1', PUBLIC_URL: bot.url };
    const work1 = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-w1-')), 'work');
    workers.push(await startServerProcess({ ...workerEnv, WORK_DIR: work1 }, 'worker', /^worker started/));
    const res = await postGitLab(bot.url, 'Note Hook', JSON.stringify(gitlabMrNote('/test build', { username: 'alice' })), {
      'x-gitlab-token': GITLAB_SECRET,
    });
    assert.equal(res.status, 200);
    await waitFor(() => status(gitlab, 'build')?.description?.startsWith('Running on'), 'the run to start on worker 1');
    workers[0]!.child.kill('SIGKILL');

    const work2 = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-w2-')), 'work');
    workers.push(await startServerProcess({ ...workerEnv, WORK_DIR: work2 }, 'worker', /^worker started/));
    await waitFor(() => status(gitlab, 'build')?.state === 'success', 'worker 2 to finish the run');
    const logUrl = status(gitlab, 'build')!.targetUrl!;
    assert.match(logUrl, /\/jobs\/r[0-9a-f]{24}$/);
    const log = await (await fetch(logUrl.replace(/^http:\/\/localhost/, 'http://127.0.0.1'))).text();
    assert.match(log, /testing a widget/);
    assert.match(log, /done/);
  });
});
