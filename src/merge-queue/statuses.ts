// The `merge-queue` context on every open change targeting the branch, in tide's words where tide
// has them: out of the pool says why (membership.ts); in the pool is `success` "In merge pool."
// (tide's convention, so branch protection may require the context); a change under test is
// `pending` and names what it is tested with; "Merging." when this plan merges it.
import { failureCount } from './failures.js';
import { blamedDescription } from './membership.js';
import { capDescription, numbersPhrase } from './describe.js';
import type { PoolView } from './pool-view.js';
import type { Action, QueueStatus, TestRef } from './types.js';

export const IN_POOL: QueueStatus = { state: 'success', description: 'In merge pool.' };
export const MERGING: QueueStatus = { state: 'success', description: 'Merging.' };
export const FROZEN: QueueStatus = { state: 'pending', description: 'In merge pool. Merging is frozen.' };

/** What a change under `test` is told: alone, or with the others judged with it, and on top of what. */
export function testingDescription(test: TestRef, open: ReadonlySet<number>, retrying: boolean): string {
  const judged = test.pulls.slice(test.prefix).map((p) => p.number);
  const ahead = test.pulls.slice(0, test.prefix).map((p) => p.number).filter((n) => open.has(n));
  const onTop = ahead.length > 0 ? ` on top of ${numbersPhrase(ahead)}` : '';
  if (judged.length > 1) return capDescription(`Batch testing ${numbersPhrase(judged)}${onTop}.`);
  if (retrying) return capDescription(`Testing again after a failure${onTop === '' ? '' : `,${onTop}`}.`);
  return capDescription(`Testing${onTop}.`);
}

export function statusesOf(view: PoolView, actions: readonly Action[]): Map<number, QueueStatus> {
  const { snapshot, memory, settings } = view;
  const merging = new Set(actions.flatMap((a) => (a.kind === 'merge' ? a.pulls.map((p) => p.number) : [])));
  const started = new Set(actions.flatMap((a) => (a.kind === 'test' ? [a.test.id] : [])));
  const running = memory.tests.filter((t) => started.has(t.id) || (snapshot.tests[t.id]?.state ?? 'pending') === 'pending');
  const open = new Set(snapshot.changes.map((c) => c.number));

  const statuses = new Map<number, QueueStatus>();
  for (const change of snapshot.changes) {
    const outside = view.outsiders.get(change.number);
    const blamed = memory.blamed.find((b) => b.number === change.number && b.headSha === change.headSha);
    const test = running.find((t) => t.pulls.slice(t.prefix).some((p) => p.number === change.number && p.headSha === change.headSha));
    let status: QueueStatus;
    if (outside) status = outside;
    else if (blamed) status = { state: 'error', description: blamedDescription(blamed) };
    else if (merging.has(change.number)) status = MERGING;
    else if (test) {
      const text = testingDescription(test, open, failureCount(memory, change) > 0);
      status = { state: 'pending', description: capDescription(settings.frozen ? `${text} Merging is frozen.` : text) };
    } else if (settings.frozen) status = FROZEN;
    else status = IN_POOL;
    statuses.set(change.number, status);
  }
  return statuses;
}
