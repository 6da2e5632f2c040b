// The flake rule: a change judged alone that fails gets one re-run; failing again at the same head
// gets it blamed, and it stays out of the pool until a push changes its head. Batches do not count
// against their members: a batch failure says only that one of them (or a flake) is bad.
import type { PoolChange, PoolMemory } from './types.js';

type Head = Pick<PoolChange, 'number' | 'headSha'>;

/**
 * The queue aborted a run of this change alone, and the forge shows an aborted run as a failure
 * on the head: the queue answers for that failure, not the author. Noted as a failures entry with
 * count 0 (in place), so the change stays in the pool and is simply tested again.
 */
export function noteAborted(memory: PoolMemory, change: Head): void {
  if (!memory.failures.some((f) => f.number === change.number && f.headSha === change.headSha)) {
    memory.failures.push({ number: change.number, headSha: change.headSha, count: 0 });
  }
}

/** Failures a change has had alone at its current head. */
export const failureCount = (memory: PoolMemory, change: Head): number =>
  memory.failures.find((f) => f.number === change.number && f.headSha === change.headSha)?.count ?? 0;

/** Count one more failure of this head (in place: `memory` is the plan's working copy). */
export function countFailure(memory: PoolMemory, change: Head): number {
  const entry = memory.failures.find((f) => f.number === change.number && f.headSha === change.headSha);
  if (entry) return ++entry.count;
  memory.failures.push({ number: change.number, headSha: change.headSha, count: 1 });
  return 1;
}

/** Blame this head (in place); `reason` when the forge, not a test, refused it. */
export function blame(memory: PoolMemory, change: Head, contexts: readonly string[], reason?: string): void {
  memory.blamed = memory.blamed.filter((b) => b.number !== change.number);
  memory.blamed.push({
    number: change.number,
    headSha: change.headSha,
    contexts: [...contexts].sort(),
    ...(reason === undefined ? {} : { reason }),
  });
}

/** A failure the flake rule forgives once: count it, and blame on the second. True when blamed. */
export function failAlone(memory: PoolMemory, change: Head, contexts: readonly string[], reason?: string): boolean {
  if (countFailure(memory, change) < 2) return false;
  blame(memory, change, contexts, reason);
  return true;
}

export const isBlamed = (memory: PoolMemory, change: Head): boolean =>
  memory.blamed.some((b) => b.number === change.number && b.headSha === change.headSha);
