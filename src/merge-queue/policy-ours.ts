// `ours`: changes are screened, then merged through a line of segments tested speculatively, best
// first; failures are bisected off the line.
//
// The line. Candidates wait in an ordered line of segments (batches, priority order). A test
// judges one segment on top of an assumption about the segments ahead of it: the ones assumed to
// pass are merged in first (the test's prefix), the others left out. Which assumption comes true
// decides which test counts (lineage.ts carries a test across the merges of its prefix).
//
// Speculation, best first (Uber's SubmitQueue, in the small). Each segment passes with an
// estimated probability; a test is worth as much as the chance that its assumption comes true.
// The plan starts the most valuable tests the runner budget allows, down to MIN_WORTH: the front
// segment on the base first, then the next one on top of it, and, when failures are common, the
// next one without it too. So a failure does not stall the line.
//
// Screening keeps the line reliable. Speculation pays only when segments rarely fail, and a
// segment of new changes fails as often as any of them is bad. So on a busy pool a new change is
// first screened: tested on the base in a batch of its peers (a probe, sized to pass about
// SCREEN_PASS of the time), which merges nothing but clears it. Cleared changes risk little more
// than a flake, so they travel in segments of up to batchSize that nearly always pass. On a quiet
// pool (the line ahead would likely pass, ADMIT_WORTH) a new change joins the line at once: one
// test both screens and proves it. A segment that could still take more changes waits for them
// while the line is busy: a fuller segment costs the same run.
//
// Merging. From the front, every segment whose test on top of everything ahead passed merges, in
// one action: each intermediate tree is exactly what one test tested. A change green on its own
// results on this base counts as a passed segment; with nothing in flight it goes to the front.
//
// Failures. A cleared segment that fails on the base met a flake, most likely: it loses its
// clearance and is tested again where it stands. Any other segment whose test on the base itself
// failed is taken out and bisected off the line by probes, tests on the base of the moment that
// only say who is bad, one half at a time: a passing half is cleared back into the line and puts
// the failure in the other half, split at once without a run of its own; a failing half explains
// the failure and lets the other go back untested (one bad change in n costs about log2 n
// probes). A change failing alone is blamed when the failure had been narrowed to it (the other
// half of its batch passed), and otherwise probed once more first (the flake rule).
//
// Sizes follow the failure rate, estimated from recent outcomes. Freezing: the line keeps being
// tested, nothing merges.
import { cancelTest, mergeAction, pullOf, testAction } from './actions.js';
import { batchSizeFor, failureRate, learn } from './failure-rate.js';
import { blame, failAlone } from './failures.js';
import { type Pull, samePull, samePulls } from './lineage.js';
import { startTest } from './new-test.js';
import { isGreen, keepTest, type LiveTest, memberAt, memberOf, type PoolView } from './pool-view.js';
import type { Action, TestRef, TestState } from './types.js';

/** How often one segment should pass: smaller segments when failures are common. */
const TARGET_PASS = 0.7;
/** How often a screen should pass: screens only look, so they take more risk for fewer runs. */
const SCREEN_PASS = 0.4;
/** Untested changes join the line only while a test of them at its back would likely count. */
const ADMIT_WORTH = 0.8;
/** The least chance of being used that is worth a run. */
const MIN_WORTH = 0.5;
/** Most assumptions weighed per plan: enough for any budget, bounded for huge pools. */
const MAX_NODES = 512;

/** Split a segment in two, the first half the larger. */
const halves = (pulls: readonly Pull[]): Pull[][] => {
  const mid = Math.ceil(pulls.length / 2);
  return [pulls.slice(0, mid), pulls.slice(mid)].filter((half) => half.length > 0);
};

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

interface Probe {
  ref: TestRef;
  state: TestState;
  failedContexts?: string[];
}

/** Probes still worth their result: every change in them is a member at the head probed. */
function currentProbes(view: PoolView, isMember: (pull: Pull) => boolean): Probe[] {
  const all: Probe[] = [
    ...view.live.filter((t) => t.ref.probe).map((t) => ({ ref: t.ref, state: t.state, failedContexts: t.failedContexts })),
    ...view.obsolete
      .filter((t) => t.ref.probe)
      .map((t) => ({ ref: t.ref, state: t.state, failedContexts: view.snapshot.tests[t.ref.id]?.failedContexts })),
  ];
  return all.filter((p) => p.ref.pulls.every(isMember));
}

/**
 * Where a test sits in the line: the segment it judges and the segments its prefix assumes pass,
 * or undefined when it matches no longer (its segment or assumption changed). `segmentOf` finds a
 * segment by its first change (segments never share a change).
 */
function placeOf(
  test: LiveTest,
  line: readonly Pull[][],
  segmentOf: ReadonlyMap<number, number>,
): { segment: number; assumed: number[] } | undefined {
  const segment = segmentOf.get(test.judged[0]?.number ?? -1) ?? -1;
  const judged = line[segment];
  if (!judged || judged.length !== test.judged.length || !judged.every((p, i) => samePull(p, test.judged[i]!))) return undefined;
  const assumed: number[] = [];
  let at = 0;
  for (let j = 0; j < segment; j++) {
    const s = line[j]!;
    if (s.every((p, i) => test.pendingPrefix[at + i] !== undefined && samePull(p, test.pendingPrefix[at + i]!))) {
      assumed.push(j);
      at += s.length;
    }
  }
  return at === test.pendingPrefix.length ? { segment, assumed } : undefined;
}

/** A test's place as a map key: the segment it judges, then the segments it assumes pass. */
const keyOf = (segment: number, assumed: readonly number[]) => `${segment}|${assumed.join(',')}`;
const segmentOfKey = (key: string): number => Number(key.slice(0, key.indexOf('|')));
const assumedOf = (key: string): number[] =>
  key
    .slice(key.indexOf('|') + 1)
    .split(',')
    .filter((a) => a !== '')
    .map(Number);

/** A line read off the tests themselves, for a memory written before the line was kept. */
function lineOfTests(tests: readonly LiveTest[]): Pull[][] {
  const line: Pull[][] = [];
  const taken = new Set<number>();
  for (const test of [...tests].sort((a, b) => a.unmerged.length - b.unmerged.length)) {
    if (test.judged.some((p) => taken.has(p.number))) continue;
    line.push(test.judged);
    for (const p of test.judged) taken.add(p.number);
  }
  return line;
}

export function planOurs(view: PoolView): Action[] {
  const { settings, memory } = view;
  const actions: Action[] = [];
  const cancelPending = (tests: ReadonlyArray<{ ref: TestRef; state: TestState }>) => {
    for (const t of tests) if (t.state === 'pending') actions.push(cancelTest(view, t.ref));
  };

  const isMember = (pull: Pull) => memberAt(view, pull) !== undefined;

  // Probes: a pending one is kept; a passing one clears its changes; a failing one splits or blames.
  const probes = currentProbes(view, isMember);
  const keptProbes = new Set(probes.map((p) => p.ref));
  cancelPending(view.obsolete.filter((t) => !keptProbes.has(t.ref)));
  cancelPending(view.live.filter((t) => t.ref.probe && !keptProbes.has(t.ref)));
  // Probes that found no runner last time wait their turn (every change still a member at that head).
  const toProbe = (memory.probing ?? []).filter((ask) => ask.pulls.every(isMember));
  const quarantined = new Set(toProbe.flatMap((ask) => ask.pulls.map((pull) => pull.number)));
  // Bisection probes one half at a time: the other half is held back. If the probed half passes,
  // the failure is in the held one, which is split at once without a test of its own; if it fails,
  // that explains the failure, and the held half goes back to the pool untested.
  const heldBefore = (memory.heldBack ?? []).filter((held) => held.pulls.every(isMember));
  memory.heldBack = [];
  const holdBack = (pulls: readonly Pull[], sibling: readonly Pull[]) => {
    memory.heldBack!.push({ pulls: pulls.map(pullOf), sibling: sibling.map(pullOf) });
    for (const pull of pulls) quarantined.add(pull.number);
  };
  /**
   * Probe these changes for the one that failed: the first half while the other is held back. One
   * change alone is what is left of a held half whose sibling passed: the failure was narrowed to
   * it, so its probe is a suspect's, and failing it repeats the failure.
   */
  const bisect = (pulls: readonly Pull[]) => {
    for (const pull of pulls) quarantined.add(pull.number);
    if (pulls.length === 1) return void toProbe.push({ pulls: [...pulls], suspect: true });
    const [first, second] = halves(pulls);
    toProbe.push({ pulls: first! });
    if (second) holdBack(second, first!);
  };
  /**
   * Failed changes are probed: several are bisected; one alone gets the flake rule's re-run,
   * unless `reproduced` (a suspect's probe: the failure had been narrowed to it).
   */
  const judgeAlone = (pulls: readonly Pull[], contexts: readonly string[], reproduced = false) => {
    for (const pull of pulls) quarantined.add(pull.number);
    if (pulls.length > 1) return void bisect(pulls);
    const change = memberOf(view, pulls[0]!.number);
    if (!change) return;
    if (reproduced) blame(memory, change, contexts);
    else if (!failAlone(memory, change, contexts)) toProbe.push({ pulls: [pullOf(change)] });
  };
  const answered = new Set<(typeof heldBefore)[number]>();
  let probesInFlight = 0;
  let screensInFlight = 0;
  for (const probe of probes) {
    if (probe.state === 'pending') {
      memory.tests.push(probe.ref);
      probesInFlight += 1;
      if (probe.ref.screen) screensInFlight += 1;
      for (const pull of probe.ref.pulls) quarantined.add(pull.number);
      continue;
    }
    // bisection probes test suspects, a biased sample: only screens tell how often changes fail
    if (probe.ref.screen) learn(memory, probe.ref.pulls.length, probe.state === 'failure');
    if (probe.state === 'failure') judgeAlone(probe.ref.pulls, probe.failedContexts ?? probe.ref.contexts, probe.ref.suspect === true);
    for (const held of heldBefore) {
      if (!samePulls(held.sibling, probe.ref.pulls)) continue;
      if (probe.state === 'success') bisect(held.pulls);
      answered.add(held);
    }
  }
  // A held half whose sibling is still to be answered stays held; one whose sibling left goes back.
  const unanswered = (sibling: readonly Pull[]) =>
    probes.some((p) => p.state === 'pending' && samePulls(p.ref.pulls, sibling)) || toProbe.some((ask) => samePulls(ask.pulls, sibling));
  for (const held of heldBefore) if (!answered.has(held) && unanswered(held.sibling)) holdBack(held.pulls, held.sibling);

  // Cleared changes: a probe passed them at their head. They stay cleared until they merge or move.
  // Kept by number: every pull the plan asks about is a member's, so one head per number.
  const clearedHeads = new Map((memory.cleared ?? []).filter(isMember).map((p) => [p.number, p.headSha]));
  for (const probe of probes)
    if (probe.state === 'success') for (const pull of probe.ref.pulls) clearedHeads.set(pull.number, pull.headSha);
  /** cleared by a probe, or green on its own results on this base */
  const greenHeads = new Map<number, boolean>();
  const isCleared = (pull: Pull) => {
    if (clearedHeads.get(pull.number) === pull.headSha) return true;
    let green = greenHeads.get(pull.number);
    if (green === undefined) {
      const member = memberOf(view, pull.number);
      greenHeads.set(pull.number, (green = member !== undefined && isGreen(view, member)));
    }
    return green && memberAt(view, pull) !== undefined;
  };
  /** what a test of these changes risks, in changes of unknown worth: a cleared one risks nothing but a flake */
  const riskOf = (pulls: readonly Pull[]) => Math.max(1, pulls.filter((p) => !isCleared(p)).length);

  // The line as remembered, without segments a change left (merged, pushed to, out of the pool).
  const blamed = new Set(memory.blamed.map((b) => b.number));
  const usable = (pull: Pull) => !quarantined.has(pull.number) && isMember(pull) && !blamed.has(pull.number);
  let line = (memory.line ?? lineOfTests(view.live.filter((t) => !t.ref.probe))).filter((segment) => segment.every(usable));

  // Tests placed in the line; the others describe a line that no longer exists.
  const tests = new Map<string, LiveTest>();
  const segmentOf = new Map(line.map((segment, i) => [segment[0]!.number, i]));
  for (const test of view.live.filter((t) => !t.ref.probe)) {
    const place = placeOf(test, line, segmentOf);
    if (place) tests.set(keyOf(place.segment, place.assumed), test);
    else cancelPending([test]);
  }

  // A segment whose test on the base itself failed: a cleared one most likely met a flake, so it
  // loses its clearance and is tested again where it stands (tests stacked on it stay good). Any
  // other leaves the line for probing, and tests that assumed it would pass are void.
  const failedOnBase = [...tests].filter(([key, t]) => assumedOf(key).length === 0 && t.state === 'failure');
  /** segments tested again where they stand: they keep their place even with no test in flight */
  const retried = new Set<Pull[]>();
  for (const [key, test] of failedOnBase.filter(([, t]) => t.judged.every(isCleared))) {
    learn(memory, riskOf(test.judged), true);
    for (const pull of test.judged) clearedHeads.delete(pull.number);
    tests.delete(key);
    retried.add(line[segmentOfKey(key)]!);
  }
  const failedAlone = failedOnBase.filter(([key]) => tests.has(key));
  if (failedAlone.length > 0) {
    const out = new Set(failedAlone.map(([key]) => segmentOfKey(key)));
    for (const [, test] of failedAlone) {
      learn(memory, riskOf(test.judged), true);
      judgeAlone(test.judged, test.failedContexts ?? test.ref.contexts);
    }
    const renumber = line.map((_, i) => i - [...out].filter((o) => o < i).length);
    const moved = new Map<string, LiveTest>();
    for (const [key, test] of tests) {
      const [segment, assumed] = [segmentOfKey(key), assumedOf(key)];
      if (out.has(segment)) continue;
      if (assumed.some((a) => out.has(a))) cancelPending([test]);
      else
        moved.set(
          keyOf(
            renumber[segment]!,
            assumed.map((a) => renumber[a]!),
          ),
          test,
        );
    }
    line = line.filter((_, i) => !out.has(i));
    tests.clear();
    for (const [key, test] of moved) tests.set(key, test);
  }
  // A running test whose assumption a finished test already contradicts (it assumed a segment
  // would pass that failed on the same footing) can no longer be used.
  for (const [key, test] of tests) {
    if (test.state !== 'pending') continue;
    const assumed = assumedOf(key);
    if (assumed.some((j, i) => tests.get(keyOf(j, assumed.slice(0, i)))?.state === 'failure')) {
      cancelPending([test]);
      tests.delete(key);
    }
  }
  for (const test of tests.values()) keepTest(view, test);

  // Candidates join the line: a change green on its own goes first when nothing is in flight.
  const inLine = new Set<number>();
  for (const segment of line) for (const pull of segment) inLine.add(pull.number);
  let waiting = view.members.filter((m) => !inLine.has(m.number) && usable(m));
  const size = batchSizeFor(memory, settings.batchSize, TARGET_PASS);
  let tested = Math.max(0, ...[...tests.keys()].map((key) => segmentOfKey(key) + 1));
  if (tests.size === 0) {
    const front = waiting.find((m) => isGreen(view, m));
    if (front) {
      line = [[pullOf(front)], ...line];
      waiting = waiting.filter((m) => m !== front);
      tested = 1;
    }
  }
  tested = Math.max(tested, ...line.map((segment, i) => (retried.has(segment) ? i + 1 : 0)));
  // Past the last segment under test nothing is settled: those changes and the cleared ones waiting
  // are cut into segments again, in pool order, each as large as its risk allows. Changes not
  // tested yet join too while nothing else waits (a quiet pool: one test screens and proves them);
  // on a busy pool they are screened first, so the line's speculative tests rarely fail.
  const unsettled = new Set([...line.slice(tested).flat(), ...waiting].map((p) => p.number));
  const rest = view.members.filter((m) => unsettled.has(m.number)).map(pullOf);
  const most = Math.max(1, settings.batchSize);
  const changePass = 1 - failureRate(memory);
  const passOf = (segment: readonly Pull[]) => changePass ** riskOf(segment);
  line = [...line.slice(0, tested), ...chunks(rest.filter(isCleared), most)];
  // the chance that the likeliest assumption about the line ahead comes true
  let back = line.reduce((worth, segment, i) => {
    const state = tests.get(
      keyOf(
        i,
        line.slice(0, i).map((_, j) => j),
      ),
    )?.state;
    const pass = passOf(segment);
    return state === undefined || state === 'pending' ? worth * Math.max(pass, 1 - pass) : worth;
  }, 1);
  const toScreen: Pull[] = [];
  for (const segment of chunks(
    rest.filter((p) => !isCleared(p)),
    size,
  )) {
    if (back >= ADMIT_WORTH) {
      line.push(segment);
      back *= passOf(segment);
    } else toScreen.push(...segment);
  }
  memory.line = line;
  memory.cleared = view.members.filter(isCleared).map(pullOf);

  /** A segment proven without a test: one change green on its own results on this base. */
  const provenAlone = (segment: number) => {
    const only = line[segment]!.length === 1 ? memberOf(view, line[segment]![0]!.number) : undefined;
    return only !== undefined && isGreen(view, only);
  };
  const stateOf = (segment: number, assumed: readonly number[]): TestState | undefined =>
    assumed.length === 0 && segment === 0 && provenAlone(0) ? 'success' : tests.get(keyOf(segment, assumed))?.state;

  // Merge from the front while each next segment passed on top of everything merged before it.
  if (!settings.frozen) {
    const merging: Pull[] = [];
    const assumed: number[] = [];
    let proof: string | undefined;
    for (let k = 0; k < line.length && stateOf(k, assumed) === 'success'; k++) {
      merging.push(...line[k]!);
      const test = tests.get(keyOf(k, assumed));
      if (test) {
        proof = test.ref.id;
        learn(memory, riskOf(test.judged), false);
      }
      assumed.push(k);
    }
    if (merging.length > 0) actions.push(mergeAction(view, merging, proof));
  }

  // Best first: the tests most likely to be used, while the budget lasts.
  const runners = Math.max(1, settings.maxTestsInFlight);
  let budget = runners - probesInFlight - [...tests.values()].filter((t) => t.state === 'pending').length;
  memory.probing = [];
  for (const ask of toProbe) {
    if (budget <= 0) {
      memory.probing.push(ask);
      continue;
    }
    const probe = startTest(view, ask.pulls, 0, { probe: true, suspect: ask.suspect === true });
    if (!probe) continue;
    actions.push(testAction(probe));
    budget -= 1;
  }
  if (memory.probing.length === 0) delete memory.probing;
  if (memory.heldBack.length === 0) delete memory.heldBack;
  // A batch that could still take more changes (the line's last segment, a screen) waits for them
  // while another of its kind runs: a fuller batch costs the same one run.
  let lineInFlight = [...tests.values()].filter((t) => t.state === 'pending').length;
  const canGrow = (segment: readonly Pull[]) => segment.length < most && (segment.every(isCleared) || riskOf(segment) < size);
  const frontier: Array<{ worth: number; segment: number; assumed: number[] }> =
    line.length > 0 ? [{ worth: 1, segment: 0, assumed: [] }] : [];
  for (let nodes = 0; frontier.length > 0 && budget > 0 && nodes < MAX_NODES; nodes++) {
    frontier.sort((a, b) => b.worth - a.worth);
    const { worth, segment, assumed } = frontier.shift()!;
    if (worth < MIN_WORTH) break;
    const state = stateOf(segment, assumed);
    const waitsForMore =
      segment === line.length - 1 && lineInFlight >= (line[segment]!.every(isCleared) ? 2 : 1) && canGrow(line[segment]!);
    if (state === undefined && !waitsForMore) {
      const pulls = [...assumed.flatMap((a) => line[a]!), ...line[segment]!];
      const test = startTest(view, pulls, pulls.length - line[segment]!.length);
      if (test) {
        actions.push(testAction(test));
        budget -= 1;
        lineInFlight += 1;
      }
    }
    if (segment + 1 >= line.length) continue;
    const pass = state === 'success' ? 1 : state === 'failure' ? 0 : changePass ** riskOf(line[segment]!);
    frontier.push({ worth: worth * pass, segment: segment + 1, assumed: [...assumed, segment] });
    frontier.push({ worth: worth * (1 - pass), segment: segment + 1, assumed });
  }
  // Spare runners screen changes waiting to join the line, while the line's cleared backlog is short.
  let backlog = line.slice(tested).reduce((n, s) => n + s.length, 0);
  const screenSize = batchSizeFor(memory, settings.batchSize, SCREEN_PASS);
  for (const pulls of chunks(toScreen, screenSize)) {
    if (budget <= 0 || backlog >= runners * most) break;
    if (pulls.length < screenSize && screensInFlight > 0) break;
    const screen = startTest(view, pulls, 0, { screen: true });
    if (!screen) continue;
    actions.push(testAction(screen));
    budget -= 1;
    backlog += pulls.length;
    screensInFlight += 1;
  }
  return actions;
}
