// `ours`: a speculative line with bisection, built to keep the branch green while merging faster
// than tide.
//
// The line. Tests in flight form one chain on the current base: each test's prefix is exactly the
// pulls of the test before it, so each judges its own segment on top of everything ahead of it
// (Zuul's dependent pipeline, with batches as segments). The chain may start on top of one
// change that is green on its own on this base ("the green head"): its fresh results prove it.
//
// Merging. The green head, then every consecutive passed test from the front of the chain, merge
// together in one action: each intermediate tree is exactly what one of those proofs tested. Tests
// further up keep their meaning, because their prefix is what merged (lineage.ts).
//
// Rule (a), a change green on its own: it merges at once when nothing is being tested, and new
// tests are stacked on top of it in the same plan. While a chain is in flight it waits in line
// like any candidate: merging it would void every test in flight, and we never throw away tests
// in flight for it (a green result on this base will be stale after the next merge anyway).
//
// Failures. Everything stacked on a failed test included its pulls, so it is cancelled. The failure
// is judged once its own prefix has merged (until then the prefix may be the culprit, and the
// failed test holds the line): two or more judged changes are bisected (first half alone, second
// half on top of it, so one bad change in n costs O(log n) runs and the good ones still merge); a
// change judged alone is re-run once (a flake) and blamed the second time. A change that failed
// once is re-run alone, so it cannot sink a batch twice, and nothing new is stacked on a test of
// changes under suspicion until it passes (it would most likely be cancelled).
//
// Freezing: the line keeps being tested, nothing merges.
import { cancelTest, mergeAction, pullOf, testAction } from './actions.js';
import { failAlone, failureCount, isBlamed } from './failures.js';
import { samePulls, type Pull } from './lineage.js';
import { isGreen, keepTest, memberOf, type LiveTest, type PoolView } from './pool-view.js';
import { startTest } from './new-test.js';
import type { Action, PoolChange } from './types.js';

interface Line {
  greenHead?: PoolChange;
  chain: LiveTest[];
  /** live tests that do not extend the chain: left over from a line that no longer exists */
  strays: LiveTest[];
}

/** Rebuild the chain from the live tests: shortest first, each extending the one before. */
function lineUp(view: PoolView): Line {
  const byLength = [...view.live].sort((a, b) => a.unmerged.length - b.unmerged.length);
  let greenHead: PoolChange | undefined;
  const root = byLength[0];
  if (root && root.pendingPrefix.length === 1) {
    const head = memberOf(view, root.pendingPrefix[0]!.number);
    if (head && isGreen(view, head)) greenHead = head;
  }
  let pulls: Pull[] = greenHead ? [pullOf(greenHead)] : [];
  const chain: LiveTest[] = [];
  const strays: LiveTest[] = [];
  for (const test of byLength) {
    if (samePulls(test.pendingPrefix, pulls)) {
      chain.push(test);
      pulls = test.unmerged;
    } else {
      strays.push(test);
    }
  }
  return { ...(greenHead ? { greenHead } : {}), chain, strays };
}

/** Split a segment in two, the first half the larger. */
const halves = (pulls: readonly Pull[]): Pull[][] => {
  const mid = Math.ceil(pulls.length / 2);
  return [pulls.slice(0, mid), pulls.slice(mid)];
};

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const step = size > 0 ? size : Math.max(1, items.length);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
};

export function planOurs(view: PoolView): Action[] {
  const { settings } = view;
  const actions: Action[] = view.obsolete.filter((t) => t.state === 'pending').map((t) => cancelTest(view, t.ref));
  const cancelPending = (tests: readonly LiveTest[]) => {
    for (const t of tests) if (t.state === 'pending') actions.push(cancelTest(view, t.ref));
  };

  let { greenHead, chain, strays } = lineUp(view);
  cancelPending(strays);

  // Segments to test before any new candidate: the halves of a bisected failure.
  let reopened: Pull[][] = [];
  const failedAt = chain.findIndex((t) => t.state === 'failure');
  if (failedAt >= 0) {
    cancelPending(chain.slice(failedAt + 1));
    chain = chain.slice(0, failedAt + 1);
    const failed = chain[failedAt]!;
    if (failedAt === 0 && failed.pendingPrefix.length === 0) {
      chain = [];
      if (failed.judged.length > 1) reopened = halves(failed.judged);
      else {
        const change = memberOf(view, failed.judged[0]!.number);
        if (change) failAlone(view.memory, change, failed.failedContexts ?? failed.ref.contexts);
      }
    }
  }
  for (const test of chain) keepTest(view, test);

  if (!greenHead && chain.length === 0) {
    greenHead = view.members.find((m) => isGreen(view, m) && !isBlamed(view.memory, m));
    // Green on its own is proof enough for it; the rest of its half is tested on top of it.
    if (greenHead) reopened = reopened.map((seg) => seg.filter((p) => p.number !== greenHead!.number)).filter((seg) => seg.length > 0);
  }

  if (!settings.frozen) {
    const merging: Pull[] = greenHead ? [pullOf(greenHead)] : [];
    let proof: string | undefined;
    for (const test of chain) {
      if (test.state !== 'success') break;
      merging.push(...test.judged);
      proof = test.ref.id;
    }
    if (merging.length > 0) actions.push(mergeAction(view, merging, proof));
  }

  // Speculation: stack new segments on the line while there is room. Not past a failed test that
  // is still waiting for its prefix, nor past a suspect test still running: whatever goes on top
  // of either would most likely be cancelled. (The second half of a bisection does go on top of
  // the first: that is the bisection.)
  const tip = chain.at(-1);
  if (tip?.state === 'failure') return actions;
  let line: Pull[] = tip ? tip.unmerged : greenHead ? [pullOf(greenHead)] : [];
  let inFlight = chain.filter((t) => t.state === 'pending').length;
  let behindSuspect = chain.some((t) => t.ref.suspect && t.state === 'pending');
  const limit = Math.max(1, settings.maxTestsInFlight);
  const taken = new Set([...line, ...reopened.flat()].map((p) => p.number));
  const candidates = view.members.filter((m) => !taken.has(m.number) && !isBlamed(view.memory, m));
  const batches = chunks(candidates.filter((m) => failureCount(view.memory, m) === 0).map(pullOf), settings.batchSize)
    .map((pulls) => ({ pulls, suspect: false, bisection: false }));
  const rerunsAlone = candidates.filter((m) => failureCount(view.memory, m) > 0)
    .map((m) => ({ pulls: [pullOf(m)], suspect: true, bisection: false }));
  // A change that failed alone once keeps its turn, right behind the tests in flight; only when
  // nothing is in flight does one batch go under it, so that both start now rather than in turn.
  const under = chain.length === 0 && reopened.length === 0 && limit > 1 ? batches.slice(0, 1) : [];
  const segments = [
    ...reopened.map((pulls) => ({ pulls, suspect: true, bisection: true })),
    ...under,
    ...rerunsAlone,
    ...batches.slice(under.length),
  ];
  for (const segment of segments) {
    if (inFlight >= limit || (behindSuspect && !segment.bisection)) break;
    const test = startTest(view, [...line, ...segment.pulls], line.length, { suspect: segment.suspect });
    if (!test) break;
    actions.push(testAction(test));
    line = test.pulls;
    inFlight += 1;
    behindSuspect ||= segment.suspect;
  }
  return actions;
}
