// The `merge-queue` context on every open change targeting the branch, in tide's words where tide
// has them: out of the pool says why (membership.ts); in the pool is `success` "In merge pool."
// (tide's convention, so branch protection may require the context); a change under test is
// `pending` and names what it is tested with; "Merging." when this plan merges it.

import { capDescription, numbersPhrase } from './describe.js';
import { failureCount } from './failures.js';
import { HeadMap } from './heads.js';
import { blamedDescription } from './membership.js';
import type { PoolView } from './pool-view.js';
import type { Action, PoolMemory, QueueStatus, TestRef } from './types.js';

export const IN_POOL: QueueStatus = { state: 'success', description: 'In merge pool.' };
export const MERGING: QueueStatus = { state: 'success', description: 'Merging.' };
export const FROZEN: QueueStatus = { state: 'pending', description: 'In merge pool. Merging is frozen.' };

/** What a change under `test` is told: alone, or with the others judged with it, and on top of what. */
export function testingDescription(test: TestRef, open: Pick<ReadonlySet<number>, 'has'>, retrying: boolean): string {
  const judged = test.pulls.slice(test.prefix).map((p) => p.number);
  const ahead = test.pulls
    .slice(0, test.prefix)
    .map((p) => p.number)
    .filter((n) => open.has(n));
  const onTop = ahead.length > 0 ? ` on top of ${numbersPhrase(ahead)}` : '';
  // A probe (ours) only looks for the change that failed a batch, or screens new ones; it merges nothing.
  if (test.screen && !retrying) return capDescription(`Pre-testing ${numbersPhrase(judged)} before the merge line.`);
  if (test.probe && !retrying) {
    return capDescription(
      judged.length > 1
        ? `A batch failed: testing ${numbersPhrase(judged)} to find which change failed.`
        : 'A batch failed: testing it alone.',
    );
  }
  if (judged.length > 1) return capDescription(`Batch testing ${numbersPhrase(judged)}${onTop}.`);
  if (retrying) return capDescription(`Testing again after a failure${onTop === '' ? '' : `,${onTop}`}.`);
  return capDescription(`Testing${onTop}.`);
}

export function statusesOf(view: PoolView, actions: readonly Action[]): Map<number, QueueStatus> {
  const { snapshot, memory, settings } = view;
  const merging = new Set(actions.flatMap((a) => (a.kind === 'merge' ? a.pulls.map((p) => p.number) : [])));
  const started = new Set(actions.flatMap((a) => (a.kind === 'test' ? [a.test.id] : [])));
  const running = memory.tests.filter((t) => started.has(t.id) || (snapshot.tests[t.id]?.state ?? 'pending') === 'pending');
  // by head: the first running test that judges it
  const judgedBy = new HeadMap<TestRef>();
  for (const test of running) for (const pull of test.pulls.slice(test.prefix)) judgedBy.add(pull, test);
  const blamedHeads = new HeadMap<PoolMemory['blamed'][number]>();
  for (const entry of memory.blamed) blamedHeads.add(entry, entry);

  // A batch's changes are all told the same, so each test's text is worked out once (per flag).
  const texts = [new Map<TestRef, string>(), new Map<TestRef, string>()];
  const testing = (test: TestRef, retrying: boolean): string => {
    const known = texts[retrying ? 1 : 0]!;
    let text = known.get(test);
    if (text === undefined) known.set(test, (text = testingDescription(test, view.open, retrying)));
    return text;
  };

  const statuses = new Map<number, QueueStatus>();
  for (const change of snapshot.changes) {
    const outside = view.outsiders.get(change.number);
    const blamed = blamedHeads.get(change);
    const test = judgedBy.get(change);
    let status: QueueStatus;
    if (outside) status = outside;
    else if (blamed) status = { state: 'error', description: blamedDescription(blamed) };
    else if (merging.has(change.number)) status = MERGING;
    else if (test) {
      const text = testing(test, failureCount(memory, change) > 0);
      status = { state: 'pending', description: capDescription(settings.frozen ? `${text} Merging is frozen.` : text) };
    } else if (settings.frozen) status = FROZEN;
    else status = IN_POOL;
    statuses.set(change.number, status);
  }
  return statuses;
}
