// One sync's reading of the pool, shared by every policy: who is in the pool, how fresh each
// member's own results are, and which remembered tests can still be used. A test can be used
// while the branch reached its current head only through the test's own leading pulls (lineage)
// and every pull it has not merged yet is still a pool member at the head it was tested at.
import { requiredContextsOf } from './contexts.js';
import { failAlone, queueAnswersFor } from './failures.js';
import { freshnessOf, type ChangeFreshness } from './freshness.js';
import { progressOf, samePull, type LineageEntry, type Pull } from './lineage.js';
import { membershipOf } from './membership.js';
import { sortByPriority } from './priority.js';
import type { PoolChange, PoolMemory, PoolSettings, PoolSnapshot, QueueStatus, TestRef, TestState } from './types.js';

export interface LiveTest {
  ref: TestRef;
  state: TestState;
  failedContexts?: string[];
  /** leading pulls merged since the test started */
  merged: number;
  /** pulls not merged yet */
  unmerged: Pull[];
  /** unmerged pulls of the prefix: still to be merged on the strength of another proof */
  pendingPrefix: Pull[];
  /** unmerged pulls after the prefix: the ones this test judges */
  judged: Pull[];
  lineage: LineageEntry[];
}

export interface PoolView {
  snapshot: PoolSnapshot;
  settings: PoolSettings;
  /** the plan's working copy: pruned to open heads, refusals consumed */
  memory: PoolMemory;
  /** pool members, priority order */
  members: PoolChange[];
  /** statuses of open changes that are not members */
  outsiders: Map<number, QueueStatus>;
  freshness: Map<number, ChangeFreshness>;
  /** remembered tests that still describe a tree the branch can become, memory order */
  live: LiveTest[];
  /** remembered tests that no longer do */
  obsolete: Array<{ ref: TestRef; state: TestState }>;
}

const copyMemory = (memory: PoolMemory): PoolMemory => ({
  tests: memory.tests.map((t) => ({ ...t, pulls: t.pulls.map((p) => ({ ...p })), contexts: [...t.contexts] })),
  lineage: memory.lineage.map((e) => ({ ...e, pulls: e.pulls.map((p) => ({ ...p })) })),
  failures: memory.failures.map((f) => ({ ...f })),
  blamed: memory.blamed.map((b) => ({ ...b, contexts: [...b.contexts] })),
  seq: memory.seq ?? 0,
  refusals: [],
});

const includes = (test: TestRef, change: Pick<PoolChange, 'number' | 'headSha'>): boolean =>
  test.pulls.some((p) => samePull(p, change));

export function viewPool(snapshot: PoolSnapshot, input: PoolMemory, settings: PoolSettings): PoolView {
  const memory = copyMemory(input);
  const open = new Map(snapshot.changes.map((c) => [c.number, c]));
  const atOpenHead = (e: { number: number; headSha: string }) => open.get(e.number)?.headSha === e.headSha;
  // A push forgives: failures and blame belong to a head.
  memory.failures = memory.failures.filter(atOpenHead);
  memory.blamed = memory.blamed.filter(atOpenHead);

  // A refused merge voids the tests that would merge the change again as they are. Tide does not
  // remember refusals (and so retries a refused merge every sync); our policies count a refusal
  // like a failure alone, so the forge gets two tries per head before the change is blamed.
  const refused = new Set<number>();
  if (settings.policy !== 'tide') {
    for (const refusal of input.refusals ?? []) {
      const change = open.get(refusal.number);
      if (!change) continue;
      refused.add(change.number);
      if (refusal.reason !== 'head_moved') failAlone(memory, change, [], refusal.message);
    }
  }

  const members: PoolChange[] = [];
  const outsiders = new Map<number, QueueStatus>();
  for (const change of snapshot.changes) {
    // Only a test of the change alone reports on its head; a failure there (or an abort, which the
    // forge shows as one) is the queue's to judge: re-run once, then blame. Any other failing
    // context is the author's, and keeps the change out.
    const queueOwnsFailures = settings.policy !== 'tide'
      && (queueAnswersFor(memory, change) || memory.tests.some((t) => t.pulls.length === 1 && t.prefix === 0 && includes(t, change)));
    const membership = membershipOf(change, settings, memory.blamed, {
      requirePresentContexts: settings.policy === 'tide',
      queueOwnsFailures,
    });
    if (membership.inPool) members.push(change);
    else outsiders.set(change.number, membership.status);
  }
  const memberAtHead = (pull: Pull) => members.some((m) => samePull(m, pull)) && !refused.has(pull.number);

  const live: LiveTest[] = [];
  const obsolete: PoolView['obsolete'] = [];
  for (const ref of memory.tests) {
    const outcome = snapshot.tests[ref.id];
    const state = outcome?.state ?? 'pending';
    const progress = progressOf(ref, snapshot.baseSha, memory.lineage);
    const unmerged = progress ? ref.pulls.slice(progress.merged) : [];
    if (!progress || unmerged.length === 0 || !unmerged.every(memberAtHead)) {
      obsolete.push({ ref, state });
      continue;
    }
    const judgedFrom = Math.max(progress.merged, ref.prefix);
    live.push({
      ref,
      state,
      ...(outcome?.failedContexts ? { failedContexts: outcome.failedContexts } : {}),
      merged: progress.merged,
      unmerged,
      pendingPrefix: ref.pulls.slice(progress.merged, judgedFrom),
      judged: ref.pulls.slice(judgedFrom),
      lineage: progress.entries,
    });
  }

  // Policies put back the tests they keep (keepTest) and add the ones they start.
  memory.tests = [];
  return {
    snapshot,
    settings,
    memory,
    members: sortByPriority(members, settings.priority),
    outsiders,
    freshness: new Map(members.map((m) => [m.number, freshnessOf(m, snapshot.baseSha)])),
    live,
    obsolete,
  };
}

export const memberOf = (view: PoolView, number: number): PoolChange | undefined =>
  view.members.find((m) => m.number === number);

/** A test of one change alone on the current base (the trigger's ordinary presubmit path). */
export const isSingleOnBase = (test: LiveTest): boolean =>
  test.ref.pulls.length === 1 && test.ref.prefix === 0 && test.merged === 0;

/**
 * Green right now: every required context is fresh on the head, or was just run by a passing test
 * of the change alone on this base (its run store result may land before the head status does).
 */
export function isGreen(view: PoolView, change: PoolChange): boolean {
  const freshness = view.freshness.get(change.number);
  if (!freshness) return false;
  const proven = new Set(view.live
    .filter((t) => isSingleOnBase(t) && t.state === 'success' && samePull(t.ref.pulls[0]!, change))
    .flatMap((t) => t.ref.contexts));
  return [...freshness.byContext].every(([context, verdict]) => verdict === 'fresh' || proven.has(context));
}

/** Required contexts of every change in the list, sorted. */
/** The contexts a test of these changes runs: every required one the queue has a job for. */
export const contextsOf = (changes: readonly PoolChange[]): string[] =>
  [...new Set(changes.flatMap((c) => requiredContextsOf(c).filter((context) => !c.externalContexts?.includes(context))))].sort();

/** Keep a remembered test in the plan's memory. */
export function keepTest(view: PoolView, test: LiveTest): void {
  if (!view.memory.tests.includes(test.ref)) view.memory.tests.push(test.ref);
}
