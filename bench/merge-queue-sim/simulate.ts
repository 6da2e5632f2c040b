// The merge-queue simulator: a discrete-event run of one pool under one policy, with a fake clock,
// a fake forge (the branch, the open PRs and their head contexts), C fake CI runners and a human
// model. The policy is the real engine (src/merge-queue/plan.ts), passed in as `engine`: the
// simulator only builds snapshots, executes the engine's actions and feeds merges back. Nothing
// here reads the wall clock, sets a timer or does I/O.

import { isDeepStrictEqual } from 'node:util';
import type {
  Action,
  ContextResult,
  MergeOutcome,
  MergePolicy,
  Plan,
  PoolChange,
  PoolMemory,
  PoolSettings,
  PoolSnapshot,
  TestKind,
  TestOutcome,
  TestRef,
  TestState,
} from '../../src/merge-queue/types.js';
import { emptyMemory, testKind } from '../../src/merge-queue/types.js';
import { exponential, lognormal, type Rng, stream } from './random.js';
import type { Scenario } from './scenarios.js';

export interface Engine {
  planPool(snapshot: PoolSnapshot, memory: PoolMemory, settings: PoolSettings): Plan;
  recordMerge(memory: PoolMemory, outcome: MergeOutcome): PoolMemory;
}

export interface SimOptions {
  scenario: Scenario;
  policy: MergePolicy;
  seed: number;
  days: number;
  warmupDays: number;
  /** B_max: the engine's batchSize for tide and ours (serial uses 1) */
  batchSize: number;
  engine: Engine;
  /** plan at every sync, even when the last plan was a fixed point (for checking that skipping changes nothing) */
  everySync?: boolean;
}

export interface SimResult {
  scenario: string;
  policy: MergePolicy;
  seed: number;
  /** measured window (after warm-up), hours */
  windowHours: number;
  /** PRs that arrived over the whole run, and how many of them were bad */
  arrivals: number;
  badArrivals: number;
  /** good PRs merged in the window */
  merged: number;
  mergesPerHour: number;
  /** ready→merged of the PRs merged in the window, hours */
  latencyP50Hours: number;
  latencyP95Hours: number;
  latencyMeanHours: number;
  /** CI runs that got a runner in the window, per good merge in the window */
  runs: number;
  /** the same runs by what the engine started them for: a line test, a screen or a probe */
  runsByKind: Record<TestKind, number>;
  runsPerMerge: number;
  /** runner-hours used in the window per good merge */
  ciHoursPerMerge: number;
  /** runs the engine cancelled (whole run), and how many of those had started */
  cancelled: number;
  cancelledStarted: number;
  /** cancelled runs of one PR alone whose `failure` (aborted) status landed on the PR's head */
  abortedStatuses: number;
  /** merged PRs whose head was bad: main broken (whole run; must be 0 for tide and ours) */
  brokenMain: number;
  /** PRs a maintainer took out of the queue after `valveHours` (whole run) */
  valveRemoved: number;
  /** good PRs the queue reported failing (flake, abort, wrong blame) and whose author had to re-push (whole run) */
  falseRejections: number;
  /** bad PRs fixed by their authors after the queue reported them (whole run) */
  fixes: number;
  /** open PRs at the end, and the queue depth (open PRs) over the window */
  openAtEnd: number;
  depthMean: number;
  depthMax: number;
  /** planPool calls, and periodic or nudged syncs skipped because the last plan was a fixed point */
  syncs: number;
  skippedSyncs: number;
  /** the engine's actions that the executor could not carry out as asked (duplicates, unknown ids...) */
  anomalies: number;
  anomalyExamples: string[];
  /** §4.4 bounds for this trace and scenario, merges per hour */
  arrivalBound: number;
  capacityBound: number;
}

const REPO = 'acme/widgets';
const BRANCH = 'main';
const CONTEXT = 'ci/test';
const EPOCH = Date.UTC(2025, 0, 6); // a Monday; the engine's clock is EPOCH + simulated ms
const HOUR = 3_600_000;

export function settingsFor(policy: MergePolicy, scenario: Scenario, batchSize: number): PoolSettings {
  return {
    policy,
    requiredLabels: ['lgtm', 'approved'],
    missingLabels: ['do-not-merge/*', 'needs-rebase'],
    batchSize: policy === 'serial' ? 1 : batchSize,
    maxTestsInFlight: policy === 'ours' ? scenario.runners : 1,
    priority: [],
    mergeMethod: 'merge',
    methodLabels: { merge: 'tide/merge-method-merge', squash: 'tide/merge-method-squash', rebase: 'tide/merge-method-rebase' },
    frozen: false,
  };
}

/** H(p), the entropy of one PR's good/bad flag: the group-testing floor on runs per PR. */
export const entropy = (p: number): number => (p <= 0 || p >= 1 ? 0 : -p * Math.log2(p) - (1 - p) * Math.log2(1 - p));

/** §4.4 capacity bound: (C / E[T]) · (1−p) / max(H(p), 1/B_max) · (1−f), merges per hour. */
export function capacityBound(scenario: Scenario, batchSize: number): number {
  const meanHours = (scenario.ciMedianMinutes / 60) * Math.exp((scenario.ciSigma * scenario.ciSigma) / 2);
  const p = scenario.pBad;
  return (((scenario.runners / meanHours) * (1 - p)) / Math.max(entropy(p), 1 / batchSize)) * (1 - scenario.flake);
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const hex = (prefix: string, n: number): string => prefix + n.toString(16).padStart(39, '0');

interface SimPr {
  number: number;
  headSha: string;
  bad: boolean;
  /** how many scopes it touches (ground truth; no effect without pairwise conflicts) */
  scopes: number;
  open: boolean;
  /** when the PR's good content became ready (arrival, or the fix push): latency starts here */
  readyAt: number;
  /** when the current head arrived (the valve counts from here) */
  versionAt: number;
  change: PoolChange;
  /** the author has seen a failure report and will act after a delay */
  reacting: boolean;
  human: Rng;
  mergedAt?: number;
}

interface Run {
  ref: TestRef;
  state: TestState;
  fails: boolean;
  durationMs: number;
  startedAt?: number;
  finished: boolean;
  cancelled: boolean;
  /** one pull, no prefix: trigger's ordinary presubmit, which writes the PR's head context */
  single: boolean;
}

interface Event {
  t: number;
  pri: number;
  seq: number;
  fn: () => void;
}

/** A binary min-heap on (t, pri, seq). */
class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  get size(): number {
    return this.heap.length;
  }
  push(t: number, pri: number, fn: () => void): void {
    const e: Event = { t, pri, seq: this.seq++, fn };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(e, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }
  peek(): Event | undefined {
    return this.heap[0];
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best = last;
        if (l < h.length && less(h[l]!, best)) {
          m = l;
          best = h[l]!;
        }
        if (r < h.length && less(h[r]!, best)) {
          m = r;
          best = h[r]!;
        }
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
const less = (a: Event, b: Event): boolean => a.t < b.t || (a.t === b.t && (a.pri < b.pri || (a.pri === b.pri && a.seq < b.seq)));

/** Event priorities at one instant: forge/runner/human events first, then syncs. */
const PRI_EVENT = 0;
const PRI_SYNC = 1;

export function simulate(options: SimOptions): SimResult {
  const { scenario: sc, policy, seed, engine } = options;
  const settings = settingsFor(policy, sc, options.batchSize);
  const horizon = options.days * 24 * HOUR;
  const warmup = options.warmupDays * 24 * HOUR;
  const windowMs = horizon - warmup;
  const events = new EventQueue();
  let now = 0;

  // ---- randomness: the trace (arrivals, ground truth) and each PR's human are independent of the
  // policy; CI durations and flakes come from one stream consumed in the order runs are asked for.
  const traceRng = stream(seed, 1);
  const runRng = stream(seed, 2);

  // ---- forge
  let baseCounter = 1;
  let headCounter = 1;
  let baseSha = hex('b', baseCounter++);
  const prs = new Map<number, SimPr>(); // open PRs, in number order
  const closedByValve = new Set<number>();
  const badHead = new Map<string, boolean>();
  let changes: PoolChange[] = [];
  let changesDirty = true;

  // ---- engine memory and runners
  let memory: PoolMemory = emptyMemory();
  const runs = new Map<string, Run>();
  const waiting: Run[] = [];
  let waitingHead = 0;
  let busy = 0;
  /** by PR number: unfinished runs (waiting or running) whose tree contains it */
  const inTest = new Map<number, number>();
  const track = (run: Run, delta: number): void => {
    for (const p of run.ref.pulls) inTest.set(p.number, (inTest.get(p.number) ?? 0) + delta);
  };

  // ---- executor
  let pending: Action[] = [];
  let merging = false;
  let nudged = false;
  let syncDeferred = false;
  /** bumped whenever the base or a run's state changes (changesDirty covers the PRs) */
  let worldVersion = 0;
  let settled = false;
  let settledVersion = -1;
  let settledMemory: PoolMemory | undefined;

  // ---- metrics
  let arrivals = 0;
  let badArrivals = 0;
  let merged = 0;
  const latencies: number[] = [];
  let runsInWindow = 0;
  const runsByKind: Record<TestKind, number> = { line: 0, screen: 0, probe: 0 };
  let busyMs = 0;
  let cancelled = 0;
  let cancelledStarted = 0;
  let abortedStatuses = 0;
  let brokenMain = 0;
  let valveRemoved = 0;
  let falseRejections = 0;
  let fixes = 0;
  let readyInWindow = 0;
  let syncs = 0;
  let skippedSyncs = 0;
  let depthSum = 0;
  let depthSamples = 0;
  let depthMax = 0;
  let anomalies = 0;
  const anomalyExamples: string[] = [];
  const anomaly = (text: string): void => {
    anomalies++;
    if (anomalyExamples.length < 5) anomalyExamples.push(text);
  };

  const overlap = (from: number, to: number): number => Math.max(0, Math.min(to, horizon) - Math.max(from, warmup));

  const setContext = (pr: SimPr, state: ContextResult['state'], description: string): void => {
    pr.change = { ...pr.change, contexts: [{ context: CONTEXT, state, description }] };
    changesDirty = true;
  };

  const newVersion = (pr: SimPr, bad: boolean): void => {
    pr.headSha = hex('a', headCounter++);
    pr.bad = bad;
    badHead.set(pr.headSha, bad);
    pr.versionAt = now;
    // its own CI passed earlier, against an older main than any this run produces: stale green
    pr.change = {
      ...pr.change,
      headSha: pr.headSha,
      contexts: [{ context: CONTEXT, state: 'success', description: `Job succeeded. BaseSHA:${hex('e', pr.number)}` }],
    };
    changesDirty = true;
    const head = pr.headSha;
    const valve = (): void => {
      if (!pr.open || pr.headSha !== head) return;
      // the queue shows it under test: the maintainer looks again an hour later
      if ((inTest.get(pr.number) ?? 0) > 0) {
        events.push(now + HOUR, PRI_EVENT, valve);
        return;
      }
      pr.open = false;
      prs.delete(pr.number);
      closedByValve.add(pr.number);
      changesDirty = true;
      valveRemoved++;
    };
    events.push(now + sc.valveHours * HOUR, PRI_EVENT, valve);
  };

  const markReady = (pr: SimPr): void => {
    pr.readyAt = now;
    if (now >= warmup && now < horizon) readyInWindow++;
  };

  // ---- the human model
  const isBlamed = (pr: SimPr): boolean => memory.blamed.some((b) => b.number === pr.number && b.headSha === pr.headSha);
  const reportedFailing = (pr: SimPr): boolean => isBlamed(pr) || pr.change.contexts[0]?.state === 'failure';

  /** The queue told the author that this head fails: `failed` (a test of it alone), `blamed`, or `aborted`. */
  const report = (pr: SimPr, reason: 'failed' | 'blamed' | 'aborted'): void => {
    if (pr.reacting || !pr.open) return;
    pr.reacting = true;
    const fix = pr.bad && reason !== 'aborted';
    const delay = lognormal(pr.human, (fix ? sc.fixDelayMedianHours : sc.repushDelayMedianHours) * HOUR, sc.humanSigma);
    const head = pr.headSha;
    events.push(now + delay, PRI_EVENT, () => {
      pr.reacting = false;
      if (!pr.open || pr.headSha !== head || !reportedFailing(pr)) return;
      if (fix) {
        fixes++;
        newVersion(pr, false);
        markReady(pr);
      } else {
        if (!pr.bad) falseRejections++;
        newVersion(pr, pr.bad); // re-push (or /retest): same content, new head, needs fresh tests
      }
    });
  };

  // ---- runners
  const begin = (run: Run): void => {
    busy++;
    run.startedAt = now;
    if (now >= warmup && now < horizon) {
      runsInWindow++;
      runsByKind[testKind(run.ref)]++;
    }
    events.push(now + run.durationMs, PRI_EVENT, () => finish(run));
  };

  const release = (run: Run): void => {
    busy--;
    busyMs += overlap(run.startedAt!, now);
    while (busy < sc.runners && waitingHead < waiting.length) {
      const next = waiting[waitingHead++]!;
      if (!next.cancelled) begin(next);
    }
    if (waitingHead > 1024 && waitingHead * 2 > waiting.length) {
      waiting.splice(0, waitingHead);
      waitingHead = 0;
    }
  };

  const headContextTarget = (run: Run): SimPr | undefined => {
    if (!run.single) return undefined;
    const pull = run.ref.pulls[0]!;
    const pr = prs.get(pull.number);
    return pr && pr.headSha === pull.headSha ? pr : undefined;
  };

  const finish = (run: Run): void => {
    if (run.cancelled) return;
    run.finished = true;
    run.state = run.fails ? 'failure' : 'success';
    worldVersion++;
    track(run, -1);
    release(run);
    const pr = headContextTarget(run);
    if (pr) {
      setContext(pr, run.state, `Job ${run.fails ? 'failed' : 'succeeded'}. BaseSHA:${run.ref.baseSha}`);
      if (run.fails) report(pr, 'failed');
    }
    nudge();
  };

  const startTest = (ref: TestRef): void => {
    const old = runs.get(ref.id);
    if (old) {
      anomaly(`test id ${ref.id} asked for twice`);
      if (!old.finished && !old.cancelled) cancelRun(old);
    }
    const durationMs = lognormal(runRng, sc.ciMedianMinutes * 60_000, sc.ciSigma);
    // flakes grow a little with the batch: the pulls this run judges (its speculative prefix is
    // the same tree another run is already testing, so it does not add to the batch)
    const size = ref.pulls.length;
    const judged = Math.max(1, size - ref.prefix);
    const flake = 1 - (1 - sc.flake) ** (1 + sc.flakeAlpha * (judged - 1));
    const flaked = runRng() < flake;
    const fails = flaked || ref.pulls.some((p) => badHead.get(p.headSha) === true);
    if (ref.pulls.some((p) => !badHead.has(p.headSha))) anomaly(`test ${ref.id} names a head sha the forge never had`);
    const run: Run = {
      ref,
      state: 'pending',
      fails,
      durationMs,
      finished: false,
      cancelled: false,
      single: size === 1 && ref.prefix === 0,
    };
    runs.set(ref.id, run);
    worldVersion++;
    track(run, +1);
    const pr = headContextTarget(run);
    if (pr) setContext(pr, 'pending', `Job triggered. BaseSHA:${ref.baseSha}`);
    if (busy < sc.runners) begin(run);
    else waiting.push(run);
  };

  const cancelRun = (run: Run): void => {
    run.cancelled = true;
    run.state = 'failure';
    worldVersion++;
    track(run, -1);
    cancelled++;
    if (run.startedAt !== undefined) {
      cancelledStarted++;
      release(run);
    }
    // the run record goes to `aborted`, which the forge shows as a failure (src/jobs/run-record.ts)
    const pr = headContextTarget(run);
    if (pr) {
      abortedStatuses++;
      setContext(pr, 'failure', `Job aborted. BaseSHA:${run.ref.baseSha}`);
      report(pr, 'aborted');
    }
  };

  // ---- merges
  const mergeAction = (action: Extract<Action, { kind: 'merge' }>): void => {
    merging = true;
    const from = baseSha;
    const done: Array<{ number: number; headSha: string }> = [];
    const step = (i: number): void => {
      events.push(now + sc.mergeLatencySeconds * 1000, PRI_EVENT, () => {
        const pull = action.pulls[i]!;
        const pr = prs.get(pull.number);
        let failure: MergeOutcome | undefined;
        if (!pr?.open) {
          failure = { kind: 'not-merged', number: pull.number, reason: 'error', message: 'the pull request is closed' };
          // the valve may close a PR between its test and its merge; anything else is the engine's doing
          if (!closedByValve.has(pull.number)) anomaly(`merge of #${pull.number}, which is not open`);
        } else if (pr.headSha !== pull.headSha) {
          failure = { kind: 'not-merged', number: pull.number, reason: 'head_moved', message: 'Head branch was modified' };
        } else {
          baseSha = hex('b', baseCounter++);
          worldVersion++;
          pr.open = false;
          pr.mergedAt = now;
          prs.delete(pr.number);
          changesDirty = true;
          done.push({ number: pull.number, headSha: pull.headSha });
          if (pr.bad) brokenMain++;
          else if (now >= warmup && now < horizon) {
            merged++;
            latencies.push(now - pr.readyAt);
          }
        }
        if (failure || i + 1 === action.pulls.length) {
          if (done.length > 0) memory = engine.recordMerge(memory, { kind: 'merged', from, pulls: done, newBaseSha: baseSha });
          if (failure) memory = engine.recordMerge(memory, failure);
          merging = false;
          execute();
        } else step(i + 1);
      });
    };
    if (action.pulls.length === 0) {
      anomaly('merge action with no pulls');
      merging = false;
      return;
    }
    step(0);
  };

  /** Carries out the pending actions in order; a merge holds the pool until the forge answers. */
  const execute = (): void => {
    while (pending.length > 0 && !merging) {
      const action = pending.shift()!;
      if (action.kind === 'test') startTest(action.test);
      else if (action.kind === 'cancel') {
        const run = runs.get(action.testId);
        if (!run) anomaly(`cancel of unknown test ${action.testId}`);
        else if (!run.finished && !run.cancelled) cancelRun(run);
      } else mergeAction(action);
    }
    if (!merging && pending.length === 0 && syncDeferred) {
      syncDeferred = false;
      nudge();
    }
  };

  // ---- syncs
  const sync = (): void => {
    if (merging || pending.length > 0) {
      syncDeferred = true;
      return;
    }
    // The engine reads the clock only to stamp new tests, so a plan that asked for nothing and kept
    // its memory as it was is a fixed point: until the forge, a run or the memory changes, every
    // further plan would be the same. Such syncs are skipped (counted), which changes no outcome.
    if (!options.everySync && settled && !changesDirty && worldVersion === settledVersion && memory === settledMemory) {
      skippedSyncs++;
      return;
    }
    syncs++;
    if (changesDirty) {
      changes = [];
      for (const pr of prs.values()) changes.push(pr.change);
      changesDirty = false;
    }
    const tests: Record<string, TestOutcome> = {};
    for (const t of memory.tests) {
      const run = runs.get(t.id);
      const state: TestState = run ? run.state : 'pending';
      tests[t.id] = state === 'failure' ? { state, failedContexts: run?.cancelled ? [] : t.contexts } : { state };
    }
    const snapshot: PoolSnapshot = { repo: REPO, branch: BRANCH, baseSha, changes, tests, now: EPOCH + now };
    const plan = engine.planPool(snapshot, memory, settings);
    settled = plan.actions.length === 0 && isDeepStrictEqual(plan.memory, memory);
    settledVersion = worldVersion;
    memory = plan.memory;
    settledMemory = memory;
    for (const b of memory.blamed) {
      const pr = prs.get(b.number);
      if (pr && pr.headSha === b.headSha) report(pr, 'blamed');
    }
    // a sync after a merge always sees a settled pool: merges are carried out before the next sync
    pending = plan.actions.slice();
    execute();
  };

  const nudge = (): void => {
    if (nudged) return;
    nudged = true;
    events.push(now, PRI_SYNC, () => {
      nudged = false;
      sync();
    });
  };

  const periodic = (): void => {
    if (now >= warmup) {
      depthSum += prs.size;
      depthSamples++;
      depthMax = Math.max(depthMax, prs.size);
    }
    sync();
    events.push(now + sc.syncPeriodSeconds * 1000, PRI_SYNC, periodic);
  };
  events.push(sc.syncPeriodSeconds * 1000, PRI_SYNC, periodic);

  // ---- the trace: arrivals and each PR's ground truth, drawn once from the seed
  let t = 0;
  let number = 0;
  const gap = HOUR / sc.arrivalsPerHour;
  for (;;) {
    t += sc.arrivals === 'uniform' ? gap : exponential(traceRng, gap);
    if (t >= horizon) break;
    const n = ++number;
    const bad = traceRng() < sc.pBad;
    // scopes: 1 (80 %), 2 (15 %), all (5 %); drawn so the trace is complete, unused without c_pair
    const u = traceRng();
    const scopes = u < 0.8 ? 1 : u < 0.95 ? Math.min(2, sc.scopes) : sc.scopes;
    events.push(t, PRI_EVENT, () => {
      arrivals++;
      if (bad) badArrivals++;
      const pr: SimPr = {
        number: n,
        headSha: '',
        bad,
        scopes,
        open: true,
        readyAt: now,
        versionAt: now,
        reacting: false,
        human: stream(seed, 1000 + n),
        change: {
          number: n,
          headSha: '',
          author: `dev-${n % 97}`,
          title: `change ${n}`,
          labels: ['lgtm', 'approved'],
          draft: false,
          mergeable: true,
          approved: true,
          contexts: [],
          requiredContexts: [CONTEXT],
        },
      };
      prs.set(n, pr);
      newVersion(pr, bad);
      if (bad) {
        // a bad PR's good content becomes ready only when its fix is pushed (markReady then)
      } else markReady(pr);
    });
  }

  // ---- run
  for (;;) {
    const e = events.peek();
    if (!e || e.t > horizon) break;
    events.pop();
    now = e.t;
    e.fn();
  }
  now = horizon;
  for (const run of runs.values())
    if (run.startedAt !== undefined && !run.finished && !run.cancelled) busyMs += overlap(run.startedAt, horizon);

  latencies.sort((a, b) => a - b);
  const windowHours = windowMs / HOUR;
  return {
    scenario: sc.name,
    policy,
    seed,
    windowHours,
    arrivals,
    badArrivals,
    merged,
    mergesPerHour: merged / windowHours,
    latencyP50Hours: percentile(latencies, 0.5) / HOUR,
    latencyP95Hours: percentile(latencies, 0.95) / HOUR,
    latencyMeanHours: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length / HOUR : NaN,
    runs: runsInWindow,
    runsByKind,
    runsPerMerge: merged ? runsInWindow / merged : NaN,
    ciHoursPerMerge: merged ? busyMs / HOUR / merged : NaN,
    cancelled,
    cancelledStarted,
    abortedStatuses,
    brokenMain,
    valveRemoved,
    falseRejections,
    fixes,
    openAtEnd: prs.size,
    depthMean: depthSamples ? depthSum / depthSamples : 0,
    depthMax,
    syncs,
    skippedSyncs,
    anomalies,
    anomalyExamples,
    arrivalBound: readyInWindow / windowHours,
    capacityBound: capacityBound(sc, options.batchSize),
  };
}
