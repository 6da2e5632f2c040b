// End to end: the real server started with `npm start` and environment variables, the GitHub and
// GitLab APIs faked at the HTTP boundary (GHE_HOST, GITLAB_URL), signed webhooks posted over HTTP,
// the effects observed at the fake forge. Runs on BullMQ with the real Redis.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { normalizeGitLabEvent } from '../src/forge/gitlab/normalize.js';
import { BullMqQueue } from '../src/queue/bullmq-queue.js';
import { ForgeState } from './fakes/forge-state.js';
import { startGitHubApi } from './fakes/github-api.js';
import { startGitLabApi } from './fakes/gitlab-api.js';
import { REDIS_URL } from './helpers/redis.js';
import { type ServerProcess, startServerProcess, testPrivateKey, waitFor } from './helpers/server-process.js';
import { githubPrComment, githubStar, gitlabMrNote, postGitHub, postGitLab, signGitHub } from './helpers/webhooks.js';

const SECRET = 'github-webhook-secret';
const GITLAB_SECRET = 'gitlab-webhook-secret';
const HOLD = 'do-not-merge/hold';
const BASE_HEAD = 'e'.repeat(40);
const REDIS_PREFIX = `e2e-${randomUUID()}`;

describe('e2e: the real server on GitHub and GitLab', () => {
  const github = new ForgeState();
  const gitlab = new ForgeState();
  let servers: Array<{ close(): Promise<void> }> = [];
  let bot: ServerProcess;

  before(async () => {
    github.botLogin = 'ci-orchestrator[bot]';
    for (const state of [github, gitlab]) {
      state.addChange('acme/widgets', { number: 7, author: 'alice' });
      state.addChange('acme/widgets', { number: 8, author: 'alice', files: ['src/a.ts'] });
      state.setBranch('acme/widgets', 'main', BASE_HEAD);
      state.setFile('acme/widgets', BASE_HEAD, 'OWNERS', 'approvers:\n- carol\nreviewers:\n- dave\n');
      state.setPermission('acme/widgets', 'dave', 'write');
    }
    const gh = await startGitHubApi(github);
    const gl = await startGitLabApi(gitlab);
    servers = [gh, gl];
    const dir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-e2e-'));
    writeFileSync(join(dir, 'config.yaml'), 'repos:\n  acme/widgets:\n    plugins: [approve, help, hold, lgtm]\n');
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
    });
  });

  after(async () => {
    const code = await bot?.stop();
    assert.equal(code, 0, 'a SIGTERM shutdown exits 0');
    await Promise.all(servers.map((s) => s.close()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${REDIS_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const labels = (state: ForgeState) => state.change('acme/widgets', 7).labels;

  it('GitHub: /hold in a signed comment labels the PR; /unhold removes it', async () => {
    const hold = JSON.stringify(githubPrComment('/hold'));
    const res = await postGitHub(bot.url, 'issue_comment', hold, { 'x-hub-signature-256': signGitHub(SECRET, hold) });
    assert.equal(res.status, 200);
    await waitFor(() => labels(github).includes(HOLD), 'the hold label on GitHub');
    assert.equal(github.repo('acme/widgets').labels.get(HOLD), 'e11d21', 'created with its colour');
    const unhold = JSON.stringify(githubPrComment('/unhold', { labels: [HOLD] }));
    await postGitHub(bot.url, 'issue_comment', unhold, { 'x-hub-signature-256': signGitHub(SECRET, unhold) });
    await waitFor(() => !labels(github).includes(HOLD), 'the hold label gone');
  });

  it('GitHub: a wrong or missing signature is a 401, logged, and nothing happens', async () => {
    const before = github.calls.length;
    const body = JSON.stringify(githubPrComment('/hold'));
    const delivery = randomUUID();
    const wrong = await postGitHub(bot.url, 'issue_comment', body, {
      'x-hub-signature-256': signGitHub('not-the-secret', body),
      'x-github-delivery': delivery,
    });
    assert.equal(wrong.status, 401);
    const missing = await postGitHub(bot.url, 'issue_comment', body);
    assert.equal(missing.status, 401);
    const garbage = await postGitHub(bot.url, 'issue_comment', body, { 'x-hub-signature-256': 'sha256=zz' });
    assert.equal(garbage.status, 401);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(github.calls.length, before, 'no API call followed');
    assert.ok(!labels(github).includes(HOLD));
    assert.ok(bot.logs.some((l) => l.delivery === delivery && /wrong signature/.test(String(l.msg))));
  });

  it('GitHub: malformed JSON is a 400, an unhandled event a 2xx that is ignored', async () => {
    const broken = '{"action": "created", ';
    const res = await postGitHub(bot.url, 'issue_comment', broken, { 'x-hub-signature-256': signGitHub(SECRET, broken) });
    assert.equal(res.status, 400);
    const star = JSON.stringify(githubStar());
    const ignored = await postGitHub(bot.url, 'star', star, { 'x-hub-signature-256': signGitHub(SECRET, star) });
    assert.equal(ignored.status, 200);
  });

  it('GitHub: a duplicate delivery is handled once', async () => {
    const body = JSON.stringify(githubPrComment('/help'));
    const headers = { 'x-hub-signature-256': signGitHub(SECRET, body), 'x-github-delivery': randomUUID() };
    const first = await postGitHub(bot.url, 'issue_comment', body, headers);
    const second = await postGitHub(bot.url, 'issue_comment', body, headers);
    assert.deepEqual([first.status, second.status], [200, 200]);
    await waitFor(() => github.comments('acme/widgets', 7).length > 0, 'the /help reply');
    await new Promise((r) => setTimeout(r, 500));
    const replies = github.comments('acme/widgets', 7);
    assert.equal(replies.length, 1);
    assert.match(replies[0]!.body, /^@bob: .*commands/s);
    assert.equal(replies[0]!.author, 'ci-orchestrator[bot]');
  });

  it('GitLab: /hold in a note labels the MR, /remove-hold removes it', async () => {
    const hold = JSON.stringify(gitlabMrNote('/hold'));
    const res = await postGitLab(bot.url, 'Note Hook', hold, { 'x-gitlab-token': GITLAB_SECRET });
    assert.equal(res.status, 200);
    await waitFor(() => labels(gitlab).includes(HOLD), 'the hold label on GitLab');
    const release = JSON.stringify(gitlabMrNote('/remove-hold'));
    await postGitLab(bot.url, 'Note Hook', release, { 'x-gitlab-token': GITLAB_SECRET });
    await waitFor(() => !labels(gitlab).includes(HOLD), 'the hold label gone on GitLab');
  });

  it('GitLab: a wrong or missing token is a 401; malformed JSON a 400; an unknown event ignored', async () => {
    const before = gitlab.calls.length;
    const body = JSON.stringify(gitlabMrNote('/hold'));
    assert.equal((await postGitLab(bot.url, 'Note Hook', body, { 'x-gitlab-token': 'wrong' })).status, 401);
    assert.equal((await postGitLab(bot.url, 'Note Hook', body)).status, 401);
    assert.equal((await postGitLab(bot.url, 'Note Hook', '{"object_kind":', { 'x-gitlab-token': GITLAB_SECRET })).status, 400);
    const ignored = await postGitLab(bot.url, 'Wiki Page Hook', '{"object_kind":"wiki_page"}', { 'x-gitlab-token': GITLAB_SECRET });
    assert.equal(ignored.status, 200);
    assert.deepEqual(await ignored.json(), { outcome: 'ignored' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(gitlab.calls.length, before);
    assert.ok(!labels(gitlab).includes(HOLD));
  });

  it('GitLab: a duplicate delivery (same Idempotency-Key) is handled once', async () => {
    const body = JSON.stringify(gitlabMrNote('/help', { username: 'carol' }));
    const headers = { 'x-gitlab-token': GITLAB_SECRET, 'idempotency-key': randomUUID() };
    const outcomes = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(((await (await postGitLab(bot.url, 'Note Hook', body, headers)).json()) as { outcome: string }).outcome);
    assert.deepEqual(outcomes, ['queued', 'duplicate', 'duplicate']);
    await waitFor(() => gitlab.comments('acme/widgets', 7).length > 0, 'the /help reply on GitLab');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(gitlab.comments('acme/widgets', 7).length, 1);
    assert.match(gitlab.comments('acme/widgets', 7)[0]!.body, /^@carol: /);
  });

  for (const forge of ['github', 'gitlab'] as const) {
    it(`${forge}: /approve by an OWNERS approver labels the change and posts the notification; /lgtm by a collaborator adds lgtm`, async () => {
      const state = forge === 'github' ? github : gitlab;
      const send = async (login: string, body: string) => {
        state.addComment('acme/widgets', 8, login, body);
        const res =
          forge === 'github'
            ? await (async () => {
                const payload = JSON.stringify(githubPrComment(body, { login, number: 8 }));
                return postGitHub(bot.url, 'issue_comment', payload, { 'x-hub-signature-256': signGitHub(SECRET, payload) });
              })()
            : await postGitLab(bot.url, 'Note Hook', JSON.stringify(gitlabMrNote(body, { username: login, iid: 8 })), {
                'x-gitlab-token': GITLAB_SECRET,
              });
        assert.equal(res.status, 200);
      };
      const labels8 = () => state.change('acme/widgets', 8).labels;
      await send('carol', '/approve');
      await waitFor(() => labels8().includes('approved'), `approved on ${forge}`);
      await waitFor(
        () => state.comments('acme/widgets', 8).some((c) => c.body.startsWith('[APPROVALNOTIFIER] This PR is **APPROVED**')),
        'the notification',
      );
      await send('dave', '/lgtm');
      await waitFor(() => labels8().includes('lgtm'), `lgtm on ${forge}`);
      await send('alice', '/lgtm');
      await waitFor(() => state.comments('acme/widgets', 8).some((c) => /authors cannot LGTM their own PR/i.test(c.body)), 'the refusal');
      assert.equal(state.comments('acme/widgets', 8).filter((c) => c.body.startsWith('[APPROVALNOTIFIER]')).length, 1);
    });
  }

  it('serves /healthz and /metrics with deliveries by forge, event and outcome', async () => {
    const health = await (await fetch(`${bot.url}/healthz`)).json();
    assert.deepEqual(health, { status: 'ok', queue: 'bullmq', durable: true, github: true, gitlab: true });
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    assert.match(metrics, /ci_orchestrator_webhook_deliveries_total\{forge="github",event="issue_comment",outcome="queued"\} \d+/);
    assert.match(metrics, /ci_orchestrator_webhook_deliveries_total\{forge="github",event="issue_comment",outcome="unauthorized"\} 3/);
    assert.match(metrics, /ci_orchestrator_webhook_deliveries_total\{forge="github",event="issue_comment",outcome="duplicate"\} 1/);
    assert.match(metrics, /ci_orchestrator_webhook_deliveries_total\{forge="gitlab",event="Note Hook",outcome="duplicate"\} 2/);
    assert.match(
      metrics,
      /ci_orchestrator_plugin_handler_duration_seconds_count\{forge="gitlab",event="comment",plugin="hold",outcome="ok"\} \d+/,
    );
    assert.match(metrics, /ci_orchestrator_webhook_ack_duration_seconds_bucket/);
  });

  it('keeps secrets out of the log', () => {
    const text = JSON.stringify(bot.logs);
    for (const secret of [SECRET, GITLAB_SECRET, 'glpat-test-token', 'BEGIN RSA PRIVATE KEY']) assert.ok(!text.includes(secret), secret);
  });
});

describe('e2e: a fresh machine (no Redis, no App credentials)', () => {
  it('starts on the embedded queue and serves the GitHub App registration page', async () => {
    const bot = await startServerProcess({ NODE_ENV: 'production' });
    try {
      assert.ok(
        bot.logs.some((l) => /NOT durable/.test(String(l.msg))),
        'the embedded queue is announced as not durable',
      );
      assert.ok(bot.logs.some((l) => /\/probot to register/.test(String(l.msg))));
      const page = await fetch(`${bot.url}/probot`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /ci-orchestrator/);
      assert.match(html, /issue_comment/, 'the manifest comes from app.yml');
      const hook = await fetch(`${bot.url}/api/github/webhooks`, { method: 'POST', body: '{}' });
      assert.equal(hook.status, 404);
      assert.deepEqual(await (await fetch(`${bot.url}/healthz`)).json(), {
        status: 'ok',
        queue: 'embedded',
        durable: false,
        github: false,
        gitlab: false,
      });
    } finally {
      assert.equal(await bot.stop(), 0);
    }
  });
});

describe('e2e: a `ci-orchestrator worker` process', () => {
  it('takes deliveries from Redis and acts on them', async () => {
    const state = new ForgeState();
    state.addChange('acme/widgets', { number: 7, author: 'alice' });
    const gl = await startGitLabApi(state);
    const prefix = `e2e-worker-${randomUUID()}`;
    const worker = await startServerProcess(
      {
        GITLAB_URL: gl.url,
        GITLAB_TOKEN: 'glpat-test-token',
        GITLAB_WEBHOOK_SECRET: GITLAB_SECRET,
        REDIS_URL,
        REDIS_PREFIX: prefix,
      },
      'worker',
      /^worker started/,
    );
    const producer = new BullMqQueue({ redisUrl: REDIS_URL, prefix, log: pino({ level: 'silent' }) });
    try {
      await producer.ready();
      const events = normalizeGitLabEvent('Note Hook', gitlabMrNote('/hold'), randomUUID());
      await producer.enqueue({ forge: 'gitlab', deliveryId: events[0]!.deliveryId, events });
      await waitFor(() => state.change('acme/widgets', 7).labels.includes(HOLD), 'the worker to add the label');
    } finally {
      await producer.close();
      assert.equal(await worker.stop(), 0);
      await gl.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});
