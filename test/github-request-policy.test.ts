// The GitHub adapter's retry and pacing rules, through the App's real Octokit class against a local
// HTTP server that answers from a script.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ForgeOctokit } from '../src/forge/github/forge-octokit.js';
import { type PolicyOptions, retryDelay } from '../src/forge/github/request-policy.js';
import { ManualClock } from './helpers/manual-clock.js';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

let server: Server;
let base = '';
let script: Answer[] = [];
/** the requests the server saw: who sent them (the token), and when by the test's clock */
let seen: Array<{ method: string; token: string; at: number }> = [];
let arrivals: Array<{ count: number; arrived(): void }> = [];
/** The policy's clock; by default every wait ends at once, and is recorded. */
let clock: ManualClock;

before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, token: req.headers.authorization?.replace(/^token /, '') ?? '', at: clock.now() });
    arrivals = arrivals.filter((a) => (a.count <= seen.length ? a.arrived() : true));
    const answer = script.shift() ?? { status: 200, body: {} };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body ?? { message: `HTTP ${answer.status}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
beforeEach(() => {
  script = [];
  seen = [];
  arrivals = [];
  clock = new ManualClock({ autoAdvance: true });
});

/** Resolves once the server has seen `count` requests in all. */
const requests = (count: number) =>
  new Promise<void>((arrived) => {
    if (seen.length >= count) arrived();
    else arrivals.push({ count, arrived });
  });

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const octokit = (installationId: number, policy: PolicyOptions = {}) =>
  new ForgeOctokit({
    auth: { token: `t${installationId}`, installationId },
    baseUrl: base,
    log: silent,
    requestPolicy: { writeSpacingMs: 0, clock, ...policy },
  });
const get = (o: InstanceType<typeof ForgeOctokit>) => o.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' });
const post = (o: InstanceType<typeof ForgeOctokit>) =>
  o.request('POST /repos/{owner}/{repo}/statuses/{sha}', { owner: 'acme', repo: 'widgets', sha: 'a'.repeat(40), state: 'success' });
const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (err: { status?: number }) => err.status,
  );

describe('GitHub request policy', () => {
  it('retries 5xx answers, then succeeds', async () => {
    script = [{ status: 502 }, { status: 503 }];
    assert.equal(await statusOf(get(octokit(1))), 200);
    assert.equal(seen.length, 3);
    assert.deepEqual(clock.sleeps, [1000, 4000], 'quadratic backoff');
  });

  it('gives up on a 5xx after three retries', async () => {
    script = Array.from({ length: 5 }, () => ({ status: 500 }));
    assert.equal(await statusOf(get(octokit(1))), 500);
    assert.equal(seen.length, 4);
    assert.deepEqual(clock.sleeps, [1000, 4000, 9000]);
  });

  for (const status of [400, 401, 404, 409, 422]) {
    it(`does not retry a ${status}`, async () => {
      script = [{ status }];
      assert.equal(await statusOf(get(octokit(1))), status);
      assert.equal(seen.length, 1);
      assert.deepEqual(clock.sleeps, []);
    });
  }

  it('waits out a rate limit once, then retries', async () => {
    script = [{ status: 429, headers: { 'retry-after': '7' } }];
    assert.equal(await statusOf(get(octokit(1))), 200);
    assert.deepEqual(clock.sleeps, [7000], 'as long as Retry-After says');
    script = [
      { status: 403, headers: { 'retry-after': '0' } },
      { status: 403, headers: { 'retry-after': '0' } },
    ];
    seen = [];
    assert.equal(await statusOf(get(octokit(1))), 403);
    assert.equal(seen.length, 2);
  });

  it('a request marked `retries: 0` (creating a check run) is not sent twice on a 5xx, only after a rate limit', async () => {
    const create = (o: InstanceType<typeof ForgeOctokit>) =>
      o.rest.checks.create({
        owner: 'acme',
        repo: 'widgets',
        name: 'unit',
        head_sha: 'a'.repeat(40),
        request: { retries: 0 },
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

  it("spaces one installation's writes, but not its reads or another installation's writes", async () => {
    clock = new ManualClock(); // moves only when told, so "at once" and "later" are exact
    const [a, b] = [octokit(101, { writeSpacingMs: 1000 }), octokit(102, { writeSpacingMs: 1000 })];
    const calls = Promise.all([post(a), post(a), post(a), get(a), get(a), post(b)]);
    // a's first write, its reads and b's write go at once; a's other writes wait one and two gaps.
    await requests(4);
    assert.deepEqual(clock.pending(), [1000, 2000]);
    clock.advanceTo(1000);
    await requests(5);
    assert.deepEqual(clock.pending(), [2000]);
    clock.advanceTo(2000);
    await calls;
    assert.deepEqual(seen.map((s) => `${s.at} ${s.token} ${s.method}`).sort(), [
      '0 t101 GET',
      '0 t101 GET',
      '0 t101 POST',
      '0 t102 POST',
      '1000 t101 POST',
      '2000 t101 POST',
    ]);
  });
});

describe('retryDelay', () => {
  const failure = (status: number, headers: Record<string, string> = {}, data: unknown = {}) => ({ status, response: { headers, data } });
  const now = 1_000_000;

  it('backs off quadratically on transient failures, at most three times', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => retryDelay(failure(502), n, now)),
      [1000, 4000, 9000, undefined],
    );
    assert.equal(retryDelay({ message: 'socket hang up' }, 1, now), 1000);
  });

  it("honours Retry-After and the primary limit's reset time, up to a minute", () => {
    assert.equal(retryDelay(failure(503, { 'retry-after': '7' }), 1, now), 7000);
    assert.equal(retryDelay(failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 20) }), 1, now), 21_000);
    assert.equal(
      retryDelay(failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) }), 1, now),
      undefined,
    );
    assert.equal(retryDelay(failure(403, {}, { message: 'You have exceeded a secondary rate limit' }), 1, now), 60_000);
  });
});
