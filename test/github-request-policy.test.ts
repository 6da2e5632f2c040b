// The GitHub adapter's retry and pacing rules, through the App's real Octokit class against a local
// HTTP server that answers from a script.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ForgeOctokit } from '../src/forge/github/forge-octokit.js';
import { retryDelay } from '../src/forge/github/request-policy.js';

interface Answer { status: number; headers?: Record<string, string>; body?: unknown }

let server: Server;
let base = '';
let script: Answer[] = [];
let seen: Array<{ method: string; at: number }> = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, at: performance.now() });
    const answer = script.shift() ?? { status: 200, body: {} };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body ?? { message: `HTTP ${answer.status}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
beforeEach(() => {
  script = [];
  seen = [];
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const octokit = (installationId: number, writeSpacingMs = 0) => new ForgeOctokit({
  auth: { token: 't', installationId }, baseUrl: base, log: silent, requestPolicy: { writeSpacingMs, retryBaseMs: 1 },
});
const get = (o: InstanceType<typeof ForgeOctokit>) => o.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' });
const post = (o: InstanceType<typeof ForgeOctokit>) =>
  o.request('POST /repos/{owner}/{repo}/statuses/{sha}', { owner: 'acme', repo: 'widgets', sha: 'a'.repeat(40), state: 'success' });
const statusOf = (promise: Promise<unknown>) => promise.then(() => 200, (err: { status?: number }) => err.status);

describe('GitHub request policy', () => {
  it('retries 5xx answers, then succeeds', async () => {
    script = [{ status: 502 }, { status: 503 }];
    assert.equal(await statusOf(get(octokit(1))), 200);
    assert.equal(seen.length, 3);
  });

  it('gives up on a 5xx after three retries', async () => {
    script = Array.from({ length: 5 }, () => ({ status: 500 }));
    assert.equal(await statusOf(get(octokit(1))), 500);
    assert.equal(seen.length, 4);
  });

  for (const status of [400, 401, 404, 409, 422]) {
    it(`does not retry a ${status}`, async () => {
      script = [{ status }];
      assert.equal(await statusOf(get(octokit(1))), status);
      assert.equal(seen.length, 1);
    });
  }

  it('waits out a rate limit once, then retries', async () => {
    script = [{ status: 429, headers: { 'retry-after': '0' } }];
    assert.equal(await statusOf(get(octokit(1))), 200);
    script = [{ status: 403, headers: { 'retry-after': '0' } }, { status: 403, headers: { 'retry-after': '0' } }];
    seen = [];
    assert.equal(await statusOf(get(octokit(1))), 403);
    assert.equal(seen.length, 2);
  });

  it('a request marked `retries: 0` (creating a check run) is not sent twice on a 5xx, only after a rate limit', async () => {
    const create = (o: InstanceType<typeof ForgeOctokit>) => o.rest.checks.create({
      owner: 'acme', repo: 'widgets', name: 'unit', head_sha: 'a'.repeat(40), request: { retries: 0 },
    });
    script = [{ status: 502 }];
    assert.equal(await statusOf(create(octokit(1))), 502);
    assert.equal(seen.length, 1);
    script = [{ status: 429, headers: { 'retry-after': '0' } }];
    seen = [];
    assert.equal(await statusOf(create(octokit(1))), 200);
    assert.equal(seen.length, 2);
  });

  it('a 403 that is not a rate limit is final', async () => {
    script = [{ status: 403, body: { message: 'Resource not accessible by integration' } }];
    assert.equal(await statusOf(get(octokit(1))), 403);
    assert.equal(seen.length, 1);
  });

  it('spaces one installation\'s writes, but not its reads or another installation\'s writes', async () => {
    const spacing = 200; // wide enough that a loaded machine's scheduling jitter cannot pass for spacing
    const [a, b] = [octokit(101, spacing), octokit(102, spacing)];
    await Promise.all([post(a), post(a), post(a), get(a), get(a), post(b)]);
    const posts = seen.filter((s) => s.method === 'POST').map((s) => s.at);
    const gets = seen.filter((s) => s.method === 'GET').map((s) => s.at);
    const first = Math.min(...seen.map((s) => s.at));
    // a's three writes need at least two gaps; b's write and the reads go at once.
    assert.ok(Math.max(...posts) - first >= 2 * spacing - 5, `writes were not spaced: ${posts.map((t) => (t - first).toFixed(0))}`);
    assert.equal(posts.filter((t) => t - first < spacing / 2).length, 2, 'one write per installation goes at once');
    assert.ok(gets.every((t) => t - first < spacing / 2), 'reads wait for nothing');
  });
});

describe('retryDelay', () => {
  const failure = (status: number, headers: Record<string, string> = {}, data: unknown = {}) => ({ status, response: { headers, data } });
  const now = 1_000_000;

  it('backs off quadratically on transient failures, at most three times', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay(failure(502), n, now)), [1000, 4000, 9000, undefined]);
    assert.equal(retryDelay({ message: 'socket hang up' }, 1, now), 1000);
  });

  it('honours Retry-After and the primary limit\'s reset time, up to a minute', () => {
    assert.equal(retryDelay(failure(503, { 'retry-after': '7' }), 1, now), 7000);
    assert.equal(retryDelay(failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 20) }), 1, now), 21_000);
    assert.equal(retryDelay(failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) }), 1, now), undefined);
    assert.equal(retryDelay(failure(403, {}, { message: 'You have exceeded a secondary rate limit' }), 1, now), 60_000);
  });
});
