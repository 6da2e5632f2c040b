// Webhook ingest benchmark (prints figures; not a timed test). See bench/README.md.
//
//   npm run bench -- [--concurrency 32] [--seconds 10] [--warmup 2] [--rate 500] [--rate-seconds 10]
//                    [--only ours|ceiling] [--queue bullmq|embedded] [--cpu-prof DIR] [--wait-idle] [--json]
//
// Two targets, each started as its own child process and driven in turn by this process:
//   ours     the real server, `node dist/src/main.js serve` (npm start; run `npm run build` first), BullMQ on Redis (REDIS_URL,
//            default redis://127.0.0.1:6379), no plugins enabled, GHE_HOST on a local stub
//   ceiling  bench/hmac-ceiling-server.ts: a bare express 5 route that only verifies the HMAC
// Two phases per target, both after a warm-up:
//   closed loop  N connections (keep-alive), each sends its next request when the previous answers
//   fixed rate   open loop at R requests/s; latency is measured from each request's *scheduled*
//                send time, so a server that falls behind is charged for the queueing it causes
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import minimist from 'minimist';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'bench-secret';
const WEBHOOK_PATH = '/api/github/webhooks';
/** this run's own Redis key prefix (REDIS_PREFIX), so the clean-up can delete everything under it */
const PREFIX = `ci-orchestrator-bench-${randomBytes(4).toString('hex')}`;
const QUEUE = `${PREFIX}:deliveries`;
/** the issue's target */
const TARGET_RATE = 500;
const TARGET_P99_MS = 20;

// ---------------------------------------------------------------------------------------------
// arguments

const USAGE = `Usage: npm run bench -- [options]
  --concurrency N    closed-loop connections (default 32)
  --seconds S        closed-loop measured duration (default 10)
  --warmup S         warm-up before each phase (default 2)
  --rate R           fixed-rate phase, requests/s (default ${TARGET_RATE})
  --rate-seconds S   fixed-rate measured duration (default 10)
  --only T           run one target only: ours | ceiling
  --cpu-prof DIR     run the server child with --cpu-prof, profiles written to DIR
  --queue Q          bullmq (default: REDIS_URL set) | embedded (diagnostic: the server without
                     REDIS_URL, its in-process queue, to see what BullMQ costs)
  --wait-idle        before each phase, wait (up to 3 min) until the rest of the machine is idle
                     (under 0.15 cores busy over 2 s): other processes' CPU skews the figures
  --json             also print the results as one JSON line at the end
Environment: REDIS_URL (default redis://127.0.0.1:6379)`;

const args = minimist(process.argv.slice(2), {
  // numbers are read as strings and checked below
  string: ['only', 'cpu-prof', 'queue', 'concurrency', 'seconds', 'warmup', 'rate', 'rate-seconds'],
  boolean: ['json', 'help', 'wait-idle'],
  alias: { h: 'help' },
  default: { queue: 'bullmq', concurrency: 32, seconds: 10, warmup: 2, rate: TARGET_RATE, 'rate-seconds': 10 },
  unknown: (arg) => {
    console.error(`unknown argument ${arg}\n\n${USAGE}`);
    process.exit(2);
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const num = (name: string, min: number): number => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < min) {
    console.error(`--${name} must be a number >= ${min}\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
};
const opts = {
  concurrency: Math.floor(num('concurrency', 1)),
  seconds: num('seconds', 0.5),
  warmup: num('warmup', 0),
  rate: num('rate', 1),
  rateSeconds: num('rate-seconds', 0.5),
  only: args.only as string | undefined,
  cpuProf: args['cpu-prof'] as string | undefined,
  json: !!args.json,
  waitIdle: !!args['wait-idle'],
};
if (args.queue !== 'bullmq' && args.queue !== 'embedded') {
  console.error(`--queue must be "bullmq" or "embedded"\n\n${USAGE}`);
  process.exit(2);
}
const OURS_QUEUE: 'bullmq' | 'embedded' = args.queue;
if (opts.only && opts.only !== 'ours' && opts.only !== 'ceiling') {
  console.error(`--only must be "ours" or "ceiling"\n\n${USAGE}`);
  process.exit(2);
}
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

// ---------------------------------------------------------------------------------------------
// the delivery: GitHub's own issue_comment.created example, turned into a "/hold" comment on a PR

interface Example {
  action?: string;
  issue: Record<string, unknown> & { number: number; html_url: string };
  comment: Record<string, unknown>;
  repository: { full_name: string };
  [key: string]: unknown;
}

function buildPayload(): Buffer {
  const require = createRequire(import.meta.url);
  const definitions = require('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: Example[] }[];
  const example = definitions.find((d) => d.name === 'issue_comment')?.examples.find((e) => e.action === 'created');
  if (!example) throw new Error('no issue_comment.created example in @octokit/webhooks-examples');
  const payload = structuredClone(example);
  const repo = payload.repository.full_name;
  const n = payload.issue.number;
  payload.issue.pull_request = {
    url: `https://api.github.com/repos/${repo}/pulls/${n}`,
    html_url: `https://github.com/${repo}/pull/${n}`,
    diff_url: `https://github.com/${repo}/pull/${n}.diff`,
    patch_url: `https://github.com/${repo}/pull/${n}.patch`,
  };
  payload.installation = { id: 1 };
  payload.comment.body = '/hold';
  return Buffer.from(JSON.stringify(payload));
}

const BODY = buildPayload();
const SIGNATURE = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
const RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
let deliverySeq = 0;

// ---------------------------------------------------------------------------------------------
// load generation

interface Sample {
  latencyMs: number;
  status: number;
}

function post(url: URL, agent: http.Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: WEBHOOK_PATH,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': BODY.length,
          'user-agent': 'GitHub-Hookshot/bench',
          'x-github-event': 'issue_comment',
          'x-github-delivery': `bench-${RUN_ID}-${++deliverySeq}`,
          'x-github-hook-id': '1',
          'x-hub-signature-256': SIGNATURE,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(BODY);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PhaseResult {
  seconds: number;
  /** 2xx answers per second over the measured window */
  okPerSecond: number;
  requests: number;
  non2xx: number;
  /** status -> count, for the non-2xx ones (0: connection error) */
  statuses: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** fixed rate only */
  offeredPerSecond?: number;
  maxInFlight?: number;
  /** CPU spent per 2xx answer over the measured window, where it could be measured */
  cost?: Cost;
}

function summarize(samples: Sample[], windowMs: number, okInWindow: number): PhaseResult {
  const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  const statuses: Record<string, number> = {};
  let non2xx = 0;
  for (const s of samples) {
    if (s.status < 200 || s.status > 299) {
      non2xx++;
      statuses[s.status] = (statuses[s.status] ?? 0) + 1;
    }
  }
  return {
    seconds: windowMs / 1000,
    okPerSecond: okInWindow / (windowMs / 1000),
    requests: samples.length,
    non2xx,
    statuses,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: latencies.at(-1) ?? NaN,
  };
}

/** N loops, each sending its next request as soon as the previous one is answered. */
async function closedLoop(url: URL, concurrency: number, warmupMs: number, durationMs: number, meter: Meter): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  const cost = meter.window(warmupMs, durationMs);
  const samples: Sample[] = [];
  let ok = 0;
  const loop = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const status = await post(url, agent);
      const t1 = performance.now();
      // Requests sent in the window; throughput counts 2xx answers that arrived within it.
      if (t0 >= measureFrom) {
        samples.push({ latencyMs: t1 - t0, status });
        if (t1 <= end && status >= 200 && status <= 299) ok++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  agent.destroy();
  return { ...summarize(samples, durationMs, ok), cost: await cost(ok) };
}

/** Open loop: requests scheduled every 1/rate s whatever the answers; latency from the scheduled time. */
async function fixedRate(url: URL, rate: number, warmupMs: number, durationMs: number, meter: Meter): Promise<PhaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
  const interval = 1000 / rate;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  const cost = meter.window(warmupMs, durationMs);
  const samples: Sample[] = [];
  const pending: Promise<void>[] = [];
  let ok = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let offered = 0;
  const fire = (scheduled: number) => {
    const measured = scheduled >= measureFrom;
    if (measured) offered++;
    inFlight++;
    if (measured) maxInFlight = Math.max(maxInFlight, inFlight);
    pending.push(
      post(url, agent).then((status) => {
        inFlight--;
        const t1 = performance.now();
        if (!measured) return;
        samples.push({ latencyMs: t1 - scheduled, status });
        if (t1 <= end && status >= 200 && status <= 299) ok++;
      }),
    );
  };
  await new Promise<void>((resolve) => {
    let next = start;
    const tick = () => {
      const now = performance.now();
      while (next <= now && next < end) {
        fire(next);
        next += interval;
      }
      if (next >= end) resolve();
      else setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  return { ...summarize(samples, durationMs, ok), offeredPerSecond: offered / (durationMs / 1000), maxInFlight, cost: await cost(ok) };
}

// ---------------------------------------------------------------------------------------------
// CPU accounting over a measured window: the server child (/proc, Linux only), Redis (INFO), and
// this process (the load generator), each divided by the 2xx answers in the window

interface Cost {
  /** server process CPU (all its threads) per acknowledged delivery, microseconds */
  serverUs?: number;
  /** server CPU over the window, in cores (1 = one core busy all the time) */
  serverCores?: number;
  /** Redis CPU per acknowledged delivery, microseconds (includes any other client of that Redis) */
  redisUs?: number;
  /** Redis commands per acknowledged delivery (includes the workers' and any other client's) */
  redisCalls?: number;
  /** this process (load generator) CPU per request, microseconds */
  loadGenUs: number;
  /** CPU used by every other process on the machine over the window, in cores: noise if well above 0 */
  otherCores?: number;
}

interface Snapshot {
  at: number;
  server?: number;
  redis?: { cpu: number; calls: number };
  self: number;
  machine?: number;
}

const CLK_TCK = 100; // getconf CLK_TCK on Linux

function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy since boot (Linux /proc/stat), or undefined. */
function machineCpuSeconds(): number | undefined {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLK_TCK;
  } catch {
    return undefined;
  }
}

async function redisCounters(redis: Redis | undefined): Promise<Snapshot['redis']> {
  if (!redis) return undefined;
  const [cpu, stats] = await Promise.all([redis.info('cpu'), redis.info('commandstats')]);
  const num = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? NaN);
  let calls = 0;
  for (const m of stats.matchAll(/calls=(\d+)/g)) calls += Number(m[1]);
  return { cpu: num('used_cpu_user') + num('used_cpu_sys'), calls };
}

/** Waits until the machine (everything but idle children) uses under `limit` cores over 2 s; the last figure. */
async function waitIdle(limit = 0.15, timeoutMs = 180_000): Promise<number | undefined> {
  const started = performance.now();
  let said = false;
  for (;;) {
    const a = machineCpuSeconds();
    await sleep(2000);
    const b = machineCpuSeconds();
    if (a === undefined || b === undefined) return undefined;
    const busy = (b - a) / 2;
    if (busy < limit) return busy;
    if (performance.now() - started > timeoutMs) {
      console.log(`    (machine still busy: ${busy.toFixed(2)} cores; going ahead)`);
      return busy;
    }
    if (!said) process.stdout.write(`    (waiting for the machine to be idle: ${busy.toFixed(2)} cores busy)\n`);
    said = true;
  }
}

class Meter {
  constructor(
    private readonly serverPid: number | undefined,
    private readonly redis: Redis | undefined,
  ) {}

  async snapshot(): Promise<Snapshot> {
    const at = performance.now();
    const server = processCpuSeconds(this.serverPid);
    const self = process.cpuUsage();
    const machine = machineCpuSeconds();
    return { at, server, machine, self: (self.user + self.system) / 1e6, redis: await redisCounters(this.redis) };
  }

  /** Takes snapshots at the start and the end of the measured window; resolves with the cost per 2xx answer. */
  window(startInMs: number, durationMs: number): (ok: number) => Promise<Cost> {
    let from: Promise<Snapshot> | undefined;
    let to: Promise<Snapshot> | undefined;
    const t1 = setTimeout(() => (from = this.snapshot()), startInMs);
    const t2 = setTimeout(() => (to = this.snapshot()), startInMs + durationMs);
    return async (ok) => {
      clearTimeout(t1);
      clearTimeout(t2);
      const [a, b] = await Promise.all([from ?? this.snapshot(), to ?? this.snapshot()]);
      const seconds = (b.at - a.at) / 1000;
      const d = (x?: number, y?: number) => (x !== undefined && y !== undefined ? y - x : undefined);
      const machine = d(a.machine, b.machine);
      const known = (d(a.server, b.server) ?? 0) + (d(a.redis?.cpu, b.redis?.cpu) ?? 0) + (b.self - a.self);
      const per = (x?: number, y?: number, scale = 1e6) =>
        x !== undefined && y !== undefined && ok > 0 ? ((y - x) * scale) / ok : undefined;
      return {
        serverUs: per(a.server, b.server),
        serverCores: a.server !== undefined && b.server !== undefined ? (b.server - a.server) / seconds : undefined,
        redisUs: per(a.redis?.cpu, b.redis?.cpu),
        redisCalls: per(a.redis?.calls, b.redis?.calls, 1),
        loadGenUs: per(a.self, b.self) ?? NaN,
        otherCores: machine !== undefined ? Math.max(0, (machine - known) / seconds) : undefined,
      };
    };
  }
}

// ---------------------------------------------------------------------------------------------
// children

const children = new Set<ChildProcess>();

interface Started {
  child: ChildProcess;
  url: URL;
  logCounts: Record<string, number>;
  stderrTail: string[];
}

/** Spawns a server and resolves with the URL from its `{"url": ...}` JSON log line. */
function startChild(name: string, nodeArgs: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, nodeArgs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const logCounts: Record<string, number> = {};
  const stderrTail: string[] = [];
  const levels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => fail(new Error(`${name} did not print its URL within 60 s`)), 60_000);
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- ${name} stderr (tail) ---\n${stderrTail.join('\n')}`));
    };
    // Keep reading both pipes for the child's whole life: a full pipe would block its logger.
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 40) stderrTail.shift();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let record: { url?: string; level?: number; msg?: string };
      try {
        record = JSON.parse(line);
      } catch {
        stderrTail.push(line);
        if (stderrTail.length > 40) stderrTail.shift();
        return;
      }
      const level = levels[record.level ?? 30] ?? String(record.level);
      logCounts[level] = (logCounts[level] ?? 0) + 1;
      if (record.level !== undefined && record.level >= 40 && (logCounts[level] ?? 0) <= 3) {
        stderrTail.push(line.slice(0, 500));
        if (stderrTail.length > 40) stderrTail.shift();
      }
      if (!done && typeof record.url === 'string' && record.msg?.startsWith('listening on')) {
        done = true;
        clearTimeout(timer);
        resolve({ child, url: new URL(record.url), logCounts, stderrTail });
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`${name} exited (${signal ?? code}) before listening`)));
    child.once('error', (err) => fail(err));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** GHE_HOST for the server: answers anything locally, so nothing leaves the machine. */
async function startGitHubStub(): Promise<{ host: string; close(): void; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    // Enough for Probot to mint an installation token and learn the bot's login; {} otherwise.
    let body: unknown = {};
    if (/\/app\/installations\/\d+\/access_tokens$/.test(req.url ?? '')) {
      body = {
        token: 'ghs_bench',
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: {},
        repository_selection: 'all',
      };
    } else if (/\/app$/.test(req.url ?? '')) {
      body = { id: 1, slug: 'bench-bot', name: 'bench-bot' };
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, close: () => server.close(), requests };
}

// ---------------------------------------------------------------------------------------------
// Redis: version, queue backlog, clean-up of this bench's de-duplication keys

async function queueBacklog(redis: Redis): Promise<number> {
  const [wait, active, prioritized, delayed] = await Promise.all([
    redis.llen(`${QUEUE}:wait`),
    redis.llen(`${QUEUE}:active`),
    redis.zcard(`${QUEUE}:prioritized`),
    redis.zcard(`${QUEUE}:delayed`),
  ]);
  return wait + active + prioritized + delayed;
}

/** Waits for the in-process workers to drain the queue; the seconds it took, or undefined after 120 s. */
async function drain(redis: Redis): Promise<{ seconds?: number; backlog: number }> {
  const started = performance.now();
  const backlog = await queueBacklog(redis);
  for (let left = backlog; left > 0; left = await queueBacklog(redis)) {
    if (performance.now() - started > 120_000) return { backlog };
    await sleep(100);
  }
  return { seconds: (performance.now() - started) / 1000, backlog };
}

async function deleteBenchKeys(redis: Redis): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

// ---------------------------------------------------------------------------------------------
// the run

interface TargetResult {
  name: string;
  closed: PhaseResult;
  fixed: PhaseResult;
  /** ours only: how long the workers took to empty the queue after each phase */
  drain?: { closed: { seconds?: number; backlog: number }; fixed: { seconds?: number; backlog: number } };
  logCounts: Record<string, number>;
}

async function benchTarget(name: string, started: Started, redis?: Redis, drainQueue = false): Promise<TargetResult> {
  const { url } = started;
  const warmupMs = opts.warmup * 1000;
  const meter = new Meter(started.child.pid, redis);
  console.log(
    `  ${name}: loadavg before: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (opts.waitIdle) await waitIdle();
  process.stdout.write(`  ${name}: closed loop, ${opts.concurrency} connections, ${opts.warmup} s warm-up + ${opts.seconds} s ... `);
  const closed = await closedLoop(url, opts.concurrency, warmupMs, opts.seconds * 1000, meter);
  console.log(`${closed.okPerSecond.toFixed(0)}/s, p99 ${closed.p99.toFixed(1)} ms`);
  const drainClosed = redis && drainQueue ? await drain(redis) : undefined;
  if (drainClosed)
    console.log(`  ${name}: workers drained ${drainClosed.backlog} queued deliveries in ${drainClosed.seconds?.toFixed(1) ?? '> 120'} s`);
  if (opts.waitIdle) await waitIdle();
  process.stdout.write(`  ${name}: fixed rate ${opts.rate}/s, ${opts.warmup} s warm-up + ${opts.rateSeconds} s ... `);
  const fixed = await fixedRate(url, opts.rate, warmupMs, opts.rateSeconds * 1000, meter);
  console.log(`${fixed.okPerSecond.toFixed(0)}/s, p99 ${fixed.p99.toFixed(1)} ms`);
  const drainFixed = redis && drainQueue ? await drain(redis) : undefined;
  if (drainFixed)
    console.log(`  ${name}: workers drained ${drainFixed.backlog} queued deliveries in ${drainFixed.seconds?.toFixed(1) ?? '> 120'} s`);
  if (started.child.exitCode !== null || started.child.signalCode !== null) {
    throw new Error(
      `${name} exited during the run (${started.child.signalCode ?? started.child.exitCode})\n${started.stderrTail.join('\n')}`,
    );
  }
  return {
    name,
    closed,
    fixed,
    logCounts: started.logCounts,
    drain: drainClosed && drainFixed ? { closed: drainClosed, fixed: drainFixed } : undefined,
  };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ci-orchestrator-bench-'));
let redis: Redis | undefined;
let stub: Awaited<ReturnType<typeof startGitHubStub>> | undefined;
let cleaning: Promise<void> | undefined;

async function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...children].map(stopChild));
    stub?.close();
    if (redis && redis.status === 'ready') {
      try {
        const n = await deleteBenchKeys(redis);
        console.log(`\nRedis: deleted ${n} key(s) under this run's prefix ${PREFIX}`);
      } catch (err) {
        console.error(`Redis clean-up failed: ${(err as Error).message}`);
      }
      await redis.quit().catch(() => {});
    }
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log('Webhook ingest benchmark: signed issue_comment.created deliveries ("/hold" on a PR)');
  console.log(
    `  machine: ${cpus.length} CPU(s), ${cpus[0]?.model.trim() ?? 'unknown'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
  );
  console.log(`  node:    ${process.version}`);

  const results: TargetResult[] = [];
  let redisVersion = 'n/a';
  if (opts.only !== 'ceiling') {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (err) {
      throw new Error(`cannot reach Redis at ${REDIS_URL}: ${(err as Error).message}`);
    }
    const info = await redis.info('server');
    redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  }
  console.log(`  redis:   ${redisVersion} at ${REDIS_URL}`);
  console.log(`  body:    ${BODY.length} bytes, one HMAC for all (delivery ids differ, in the header only)`);
  console.log(
    `  loadavg: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other processes on this machine skew the figures)`,
  );
  console.log(
    `  load:    closed loop ${opts.concurrency} connections x ${opts.seconds} s; fixed rate ${opts.rate}/s x ${opts.rateSeconds} s; ${opts.warmup} s warm-up each`,
  );
  console.log('');

  if (opts.only !== 'ceiling') {
    stub = await startGitHubStub();
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const configFile = path.join(tmp, 'config.yaml');
    // No plugin and no unknown-command reply: the workers do almost nothing, the figure is the ack.
    writeFileSync(configFile, 'default_plugins: []\nreply_to_unknown_commands: false\n');
    const nodeArgs: string[] = [];
    if (opts.cpuProf) {
      mkdirSync(opts.cpuProf, { recursive: true });
      nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.cpuProf)}`);
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      APP_ID: '1',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      REDIS_URL: OURS_QUEUE === 'bullmq' ? REDIS_URL : '',
      PORT: '0',
      LOG_LEVEL: 'info',
      CONFIG_FILE: configFile,
      GHE_HOST: stub.host,
      GHE_PROTOCOL: 'http',
      REDIS_PREFIX: PREFIX,
    };
    for (const key of ['PRIVATE_KEY_PATH', 'HOST', 'GITLAB_TOKEN', 'GITLAB_WEBHOOK_SECRET', 'GITLAB_URL']) delete env[key];
    const server = await startChild('ci-orchestrator serve', [...nodeArgs, 'dist/src/main.js', 'serve'], env);
    console.log(
      `ours: ci-orchestrator serve (${OURS_QUEUE === 'bullmq' ? 'BullMQ on Redis' : 'embedded queue, no Redis'}, in-process workers) at ${server.url.origin}`,
    );
    results.push(await benchTarget('ours', server, redis, OURS_QUEUE === 'bullmq'));
    await stopChild(server.child);
    if (opts.cpuProf) console.log(`  CPU profile of the server written to ${path.resolve(opts.cpuProf)}`);
    console.log(
      `  server log lines by level: ${JSON.stringify(server.logCounts)}; GitHub API stub calls: ${stub.requests.length} (${[...new Set(stub.requests)].join(', ') || 'none'})`,
    );
    const warnings = (server.logCounts.warn ?? 0) + (server.logCounts.error ?? 0) + (server.logCounts.fatal ?? 0);
    if (warnings > 0) {
      console.log(`  the server logged ${warnings} warning(s)/error(s); the first ones:`);
      for (const line of server.stderrTail) console.log(`    ${line}`);
    }
    console.log('');
  }

  if (opts.only !== 'ours') {
    const ceiling = await startChild('hmac-ceiling-server', ['--import', 'tsx', 'bench/hmac-ceiling-server.ts'], {
      ...process.env,
      WEBHOOK_SECRET: SECRET,
      PORT: '0',
      HOST: '',
    });
    console.log(`ceiling: bare express 5 route, express.raw + verify() only, at ${ceiling.url.origin}`);
    results.push(await benchTarget('ceiling', ceiling));
    await stopChild(ceiling.child);
    console.log('');
  }

  report(results);
  if (opts.json) {
    console.log(
      JSON.stringify({
        machine: { cpus: cpus.length, model: cpus[0]?.model.trim(), node: process.version, redis: redisVersion },
        options: opts,
        bodyBytes: BODY.length,
        results,
      }),
    );
  }
}

function report(results: TargetResult[]): void {
  const f = (v: number | undefined, digits = 1) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : '-');
  const ratio = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined && Number.isFinite(a) && b > 0 ? `${(a / b).toFixed(2)}x` : '';
  const label = (r: TargetResult) => (r.name === 'ceiling' ? 'bare HMAC route (ceiling)' : `ci-orchestrator (${OURS_QUEUE})`);
  const ours = results.find((r) => r.name === 'ours');
  const ceiling = results.find((r) => r.name === 'ceiling');
  const table = (title: string, phase: 'closed' | 'fixed') => {
    const head = [
      'target',
      ...(phase === 'fixed' ? ['offered/s'] : []),
      'acked/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'non-2xx',
      ...(phase === 'fixed' ? ['max in flight'] : []),
      'server CPU us/ack',
      'server cores',
      'redis CPU us/ack',
      'redis cmds/ack',
      'loadgen us/req',
      'other procs cores',
    ];
    const rows: string[][] = [head];
    for (const r of results) {
      const p = r[phase];
      rows.push([
        label(r),
        ...(phase === 'fixed' ? [f(p.offeredPerSecond, 0)] : []),
        f(p.okPerSecond, 0),
        f(p.p50),
        f(p.p90),
        f(p.p99),
        f(p.max),
        String(p.non2xx),
        ...(phase === 'fixed' ? [String(p.maxInFlight ?? '-')] : []),
        f(p.cost?.serverUs, 0),
        f(p.cost?.serverCores, 2),
        r.name === 'ours' ? f(p.cost?.redisUs, 0) : '-',
        r.name === 'ours' ? f(p.cost?.redisCalls, 1) : '-',
        f(p.cost?.loadGenUs, 0),
        f(p.cost?.otherCores, 2),
      ]);
    }
    if (ours && ceiling) {
      const a = ours[phase];
      const b = ceiling[phase];
      rows.push([
        'ratio ours/ceiling',
        ...(phase === 'fixed' ? [''] : []),
        ratio(a.okPerSecond, b.okPerSecond),
        ratio(a.p50, b.p50),
        ratio(a.p90, b.p90),
        ratio(a.p99, b.p99),
        ratio(a.max, b.max),
        '',
        ...(phase === 'fixed' ? [''] : []),
        ratio(a.cost?.serverUs, b.cost?.serverUs),
        '',
        '',
        '',
        '',
        '',
      ]);
    }
    const widths = head.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
    console.log(title);
    console.log(line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows.slice(1)) console.log(line(row));
    for (const r of results) {
      if (r[phase].non2xx > 0)
        console.log(`  ${r.name}: non-2xx answers by status (0 = connection error): ${JSON.stringify(r[phase].statuses)}`);
    }
    console.log('');
  };
  console.log('Latency is from sending the request (fixed rate: from its scheduled time) to the end of the acknowledgement.');
  console.log('CPU columns: per acknowledged delivery over the measured window; redis cmds count the commands run inside');
  console.log('BullMQ\'s Lua scripts and by the in-process workers; "other procs" is CPU used by anything else on the machine.');
  console.log('');
  table(`Closed loop: ${opts.concurrency} connections, ${opts.seconds} s (after ${opts.warmup} s warm-up)`, 'closed');
  table(`Fixed rate: ${opts.rate}/s offered, open loop, ${opts.rateSeconds} s (after ${opts.warmup} s warm-up)`, 'fixed');
  if (ours) {
    const throughputOk = ours.closed.okPerSecond >= TARGET_RATE;
    const rateOk = opts.rate >= TARGET_RATE && ours.fixed.okPerSecond >= 0.99 * TARGET_RATE && ours.fixed.non2xx === 0;
    const p99Ok = ours.fixed.p99 <= TARGET_P99_MS;
    const met = throughputOk && rateOk && p99Ok;
    console.log(
      `Target (>= ${TARGET_RATE}/s acknowledged, p99 <= ${TARGET_P99_MS} ms at ${TARGET_RATE}/s): ${met ? 'MET' : 'MISSED'}` +
        ` (closed loop ${f(ours.closed.okPerSecond, 0)}/s ${throughputOk ? '>=' : '<'} ${TARGET_RATE};` +
        ` at ${opts.rate}/s offered: ${f(ours.fixed.okPerSecond, 0)}/s acknowledged, ${ours.fixed.non2xx} non-2xx,` +
        ` p99 ${f(ours.fixed.p99)} ms ${p99Ok ? '<=' : '>'} ${TARGET_P99_MS})`,
    );
  }
  const busiest = Math.max(0, ...results.flatMap((r) => [r.closed.cost?.otherCores ?? 0, r.fixed.cost?.otherCores ?? 0]));
  if (busiest > 0.2) {
    console.log(
      `Note: other processes used up to ${busiest.toFixed(2)} of ${os.cpus().length} cores during a measured window;` +
        ' these figures are skewed (try again on a quiet machine, or with --wait-idle).',
    );
  }
}

main().then(
  async () => {
    await cleanUp();
    process.exit(0);
  },
  async (err) => {
    console.error(`\nbench failed: ${(err as Error).message}`);
    await cleanUp();
    process.exit(1);
  },
);
