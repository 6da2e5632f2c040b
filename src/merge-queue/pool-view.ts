// One sync's reading of the pool, shared by every policy: who is in the pool, how fresh each
// member's own results are, and which remembered tests can still be used. A test can be used
// while the branch reached its current head only through the test's own leading pulls (lineage)
// and every pull it has not merged yet is still a pool member at the head it was tested at.
import { runContextsOf } from './contexts.js';
import { failAlone } from './failures.js';
import { type ChangeFreshness, freshnessOn } from './freshness.js';
import { HeadMap } from './heads.js';
import { type LineageEntry, type Pull, progressOf } from './lineage.js';
import { membershipJudge } from './membership.js';
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
  /** members' freshness by number, worked out when asked (freshness.ts remembers it across syncs) */
  freshness: Pick<ReadonlyMap<number, ChangeFreshness>, 'get'>;
  /** remembered tests that still describe a tree the branch can become, memory order */
  live: LiveTest[];
  /** remembered tests that no longer do */
  obsolete: Array<{ ref: TestRef; state: TestState }>;
  /** open changes by number (numbers are unique in a snapshot: they are the forge's) */
  open: Map<number, PoolChange>;
  /** members by number (memberOf) */
  memberByNumber: Map<number, PoolChange>;
  /** by head: the contexts that passing live tests of the change alone on this base ran (isGreen) */
  passedAlone: HeadMap<Set<string>>;
}

const copyMemory = (memory: PoolMemory): PoolMemory => ({
  tests: memory.tests.map((t) => ({ ...t, pulls: t.pulls.map((p) => ({ ...p })), contexts: [...t.contexts] })),
  lineage: memory.lineage.map((e) => ({ ...e, pulls: e.pulls.map((p) => ({ ...p })) })),
  failures: memory.failures.map((f) => ({ ...f })),
  blamed: memory.blamed.map((b) => ({ ...b, contexts: [...b.contexts] })),
  seq: memory.seq ?? 0,
  ...(memory.outcomes ? { outcomes: { ...memory.outcomes } } : {}),
  // pulls are never changed in place, so a copy of each segment's array is enough
  ...(memory.line ? { line: memory.line.map((segment) => [...segment]) } : {}),
  ...(memory.cleared ? { cleared: [...memory.cleared] } : {}),
  ...(memory.probing ? { probing: memory.probing.map((ask) => ({ ...ask, pulls: [...ask.pulls] })) } : {}),
  ...(memory.heldBack ? { heldBack: memory.heldBack.map((held) => ({ pulls: [...held.pulls], sibling: [...held.sibling] })) } : {}),
  refusals: [],
});

export function viewPool(snapshot: PoolSnapshot, input: PoolMemory, settings: PoolSettings): PoolView {
  const memory = copyMemory(input);
  const open = new Map<number, PoolChange>();
  for (const change of snapshot.changes) open.set(change.number, change);
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

  // Only a test of the change alone reports on its head; a failure there (or an abort, which the
  // forge shows as one) is the queue's to judge: re-run once, then blame. Any other failing
  // context is the author's, and keeps the change out. Indexed by head, as every open change asks.
  const queueOwned = new HeadMap<true>();
  if (settings.policy !== 'tide') {
    for (const failure of memory.failures) queueOwned.add(failure, true);
    for (const test of memory.tests) if (test.pulls.length === 1 && test.prefix === 0) queueOwned.add(test.pulls[0]!, true);
  }
  const blamed = new HeadMap<PoolMemory['blamed'][number]>();
  for (const entry of memory.blamed) blamed.add(entry, entry);

  const members: PoolChange[] = [];
  const memberByNumber = new Map<number, PoolChange>();
  const outsiders = new Map<number, QueueStatus>();
  const membershipOf = membershipJudge(settings);
  for (const change of snapshot.changes) {
    const membership = membershipOf(change, blamed.get(change), {
      requirePresentContexts: settings.policy === 'tide',
      queueOwnsFailures: settings.policy !== 'tide' && queueOwned.has(change),
    });
    if (membership.inPool) {
      members.push(change);
      memberByNumber.set(change.number, change);
    } else outsiders.set(change.number, membership.status);
  }
  const memberAtHead = (pull: Pull) => memberByNumber.get(pull.number)?.headSha === pull.headSha && !refused.has(pull.number);

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
  const freshness = {
    get: (number: number): ChangeFreshness | undefined => {
      const member = memberByNumber.get(number);
      return member && freshnessOn(member, snapshot.baseSha);
    },
  };
  const passedAlone = new HeadMap<Set<string>>();
  for (const test of live) {
    if (!isSingleOnBase(test) || test.state !== 'success') continue;
    const pull = test.ref.pulls[0]!;
    let contexts = passedAlone.get(pull);
    if (!contexts) passedAlone.add(pull, (contexts = new Set()));
    for (const context of test.ref.contexts) contexts.add(context);
  }
  return {
    snapshot,
    settings,
    memory,
    members: sortByPriority(members, settings.priority),
    outsiders,
    freshness,
    live,
    obsolete,
    open,
    memberByNumber,
    passedAlone,
  };
}

export const memberOf = (view: PoolView, number: number): PoolChange | undefined => view.memberByNumber.get(number);

/** The member at exactly this head, if any. */
export function memberAt(view: PoolView, pull: Pull): PoolChange | undefined {
  const member = view.memberByNumber.get(pull.number);
  return member?.headSha === pull.headSha ? member : undefined;
}

/** A test of one change alone on the current base (the trigger's ordinary presubmit path). */
export const isSingleOnBase = (test: LiveTest): boolean => test.ref.pulls.length === 1 && test.ref.prefix === 0 && test.merged === 0;

/**
 * Green right now: every required context is fresh on the head, or was just run by a passing test
 * of the change alone on this base (its run store result may land before the head status does).
 */
export function isGreen(view: PoolView, change: PoolChange): boolean {
  const freshness = view.freshness.get(change.number);
  if (!freshness) return false;
  if (freshness.overall === 'fresh-green') return true; // every context fresh
  const proven = view.passedAlone.get(change);
  if (!proven) return false;
  for (const [context, verdict] of freshness.byContext) if (verdict !== 'fresh' && !proven.has(context)) return false;
  return true;
}

/** The contexts a test of these changes runs: every required one the queue has a job for, sorted. */
export const contextsOf = (changes: readonly PoolChange[]): string[] => [...new Set(changes.flatMap(runContextsOf))].sort();

/** Keep a remembered test in the plan's memory. */
export function keepTest(view: PoolView, test: LiveTest): void {
  if (!view.memory.tests.includes(test.ref)) view.memory.tests.push(test.ref);
}
