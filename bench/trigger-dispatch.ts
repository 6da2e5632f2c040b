// Benchmark: `/test all` comment -> the runner receiving the dispatch, through the real server
// (`npm start`'s command, BullMQ on the local Redis), the GitHub API faked over HTTP (GHE_HOST) and
// a local webhook runner that reports success at once. Each PR runs a loop: comment, wait for every
// job's dispatch, report success on each, comment again. Two phases:
//  1. latency: each PR comments about once per --pause ms (50 PRs: about 50 comments/s). By default
//     the PRs' comments are spread out (each pause is uniform in 0.5-1.5 × --pause, from a random
//     start); `--burst` makes every PR comment at the same instant instead, the worst case;
//  2. throughput: no pause, until --dispatches in all.
// Prints latency percentiles, the sustained dispatch rate and the server's RSS. Not a test: it
// never fails on a slow result.
//
//   node --import tsx bench/trigger-dispatch.ts [--prs 50] [--jobs 4] [--pause 1000] [--burst] [--latency-dispatches 2000] [--dispatches 10000] [--seed 1]

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import minimist from 'minimist';
import { seededRandom } from '../src/core/seeded-random.js';
import type { DispatchDocument } from '../src/jobs/protocol.js';
import { ForgeState } from '../test/fakes/forge-state.js';
import { startGitHubApi } from '../test/fakes/github-api.js';
import { RunnerEndpoint } from '../test/helpers/runner-endpoint.js';
import { startServerProcess, testPrivateKey } from '../test/helpers/server-process.js';
import { githubPrComment, postGitHub, signGitHub } from '../test/helpers/webhooks.js';

const args = minimist(process.argv.slice(2), {
  boolean: ['burst'],
  default: { prs: 50, jobs: 4, pause: 1000, 'latency-dispatches': 2000, dispatches: 10_000, seed: 1 },
});
const PAUSE_MS = Number(args.pause);
const BURST = Boolean(args.burst);
const random = seededRandom(Number(args.seed));
/** The next pause of one PR: fixed in a burst (every PR in step), else spread around --pause. */
const pauseMs = () => (BURST ? PAUSE_MS : PAUSE_MS * (0.5 + random()));
const LATENCY_END = Number(args['latency-dispatches']);
const PRS = Number(args.prs);
const JOBS = Number(args.jobs);
const TOTAL = Number(args.dispatches);
const WARMUP = 500;
const SETTLE_MS = 30_000;
const SECRET = 'bench-webhook-secret';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `bench-${randomUUID()}`;

const state = new ForgeState();
state.botLogin = 'ci-orchestrator[bot]';
state.setBranch('acme/widgets', 'main', 'e'.repeat(40));
state.setPermission('acme/widgets', 'bob', 'write');
for (let n = 1; n <= PRS; n++) state.addChange('acme/widgets', { number: n, author: 'alice', headSha: n.toString(16).padStart(40, 'a') });
const api = await startGitHubApi(state);
const endpoint = await new RunnerEndpoint('runner-secret').start();

const dir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-bench-'));
const jobs = Array.from({ length: JOBS }, (_, i) => `      - {name: job-${i}, runner: hook, always_run: true}`).join('\n');
writeFileSync(
  join(dir, 'config.yaml'),
  `runners:
  hook: {type: webhook, url: "${endpoint.url}", secret_env: BENCH_RUNNER_SECRET}
repos:
  acme/widgets:
    plugins: [trigger]
    presubmits:
${jobs}
`,
);
const bot = await startServerProcess({
  APP_ID: '1',
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: SECRET,
  GHE_HOST: new URL(api.url).host,
  GHE_PROTOCOL: 'http',
  REDIS_URL,
  REDIS_PREFIX,
  CONFIG_FILE: join(dir, 'config.yaml'),
  BENCH_RUNNER_SECRET: 'runner-secret',
});

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${bot.child.pid}/status`, 'utf8'))![1]) / 1024;

// Each PR's loop waits for its JOBS dispatches; latencies are comment -> dispatch received.
const waiting = new Map<number, { sentAt: number; docs: DispatchDocument[]; done(): void }>();
const latencies: number[] = [];
let dispatched = 0;
endpoint.onDispatch = (doc) => {
  const pr = doc.refs.pulls[0]!.number;
  const w = waiting.get(pr);
  if (!w) return;
  dispatched++;
  if (dispatched > WARMUP && dispatched <= LATENCY_END) latencies.push(performance.now() - w.sentAt);
  w.docs.push(doc);
  if (w.docs.length === JOBS) w.done();
};

async function loop(pr: number, until: () => boolean): Promise<void> {
  if (!BURST) await new Promise((resolve) => setTimeout(resolve, random() * PAUSE_MS));
  while (!until()) {
    const begun = performance.now();
    const docs: DispatchDocument[] = [];
    const all = new Promise<void>((resolve) => waiting.set(pr, { sentAt: performance.now(), docs, done: resolve }));
    const body = JSON.stringify(githubPrComment('/test all', { number: pr, login: 'bob' }));
    const res = await postGitHub(bot.url, 'issue_comment', body, { 'x-hub-signature-256': signGitHub(SECRET, body) });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    await all;
    await Promise.all(
      docs.map((doc) =>
        RunnerEndpoint.report(doc, { state: 'success' }).then((r) => {
          if (r.status !== 200) throw new Error(`callback answered ${r.status}: ${JSON.stringify(r.body)}`);
        }),
      ),
    );
    if (dispatched < LATENCY_END) await new Promise((resolve) => setTimeout(resolve, Math.max(0, pauseMs() - (performance.now() - begun))));
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
try {
  const arrivals = BURST
    ? `every PR comments at once, every ${PAUSE_MS} ms at most`
    : `each PR comments every ${PAUSE_MS / 2}-${PAUSE_MS * 1.5} ms, spread out`;
  console.log(
    `${PRS} PRs, ${JOBS} jobs per /test all; latency over dispatches ${WARMUP}-${LATENCY_END} (${arrivals}), then closed loops to ${TOTAL}`,
  );
  console.log(`server RSS at start: ${rssMb().toFixed(0)} MB`);
  let peakRss = rssMb();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb());
  }, 250);
  let started = 0;
  let startedAt = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: PRS }, (_, i) =>
      loop(i + 1, () => {
        if (!startedAt && dispatched >= LATENCY_END) {
          startedAt = performance.now();
          started = dispatched;
        }
        return dispatched >= TOTAL;
      }),
    ),
  );
  const seconds = (performance.now() - startedAt) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  console.log(
    `comment -> dispatch latency: p50 ${pct(sorted, 50).toFixed(1)} ms, p95 ${pct(sorted, 95).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (n=${sorted.length})`,
  );
  console.log(
    `throughput phase: ${((dispatched - started) / seconds).toFixed(0)} dispatches/s sustained over ${seconds.toFixed(1)} s (whole run ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  clearInterval(sampler);
  const done = rssMb();
  // V8 keeps the heap it grew under load until its memory reducer runs, some seconds after the
  // allocation rate drops; what the process holds then is what it needs.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  console.log(
    `server RSS: peak ${peakRss.toFixed(0)} MB during the run; ${done.toFixed(0)} MB when the ${dispatched} dispatches were done; ${rssMb().toFixed(0)} MB ${SETTLE_MS / 1000} s later`,
  );
  // Octokit spaces an installation's writes a second apart (GitHub's advice), so statuses trail.
  console.log(`statuses written so far: ${[...state.repo('acme/widgets').statuses.values()].reduce((n, l) => n + l.length, 0)}`);
} finally {
  await bot.stop();
  await endpoint.close();
  await api.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${REDIS_PREFIX}:*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  await redis.quit();
}
