// How likely one change is to fail a test (bad, or a flake), estimated from recent outcomes, and
// the batch size that follows from it. The estimate lives in the pool's memory (`outcomes`).
import type { PoolMemory } from './types.js';

/** Weight of past outcomes against a new one (recent outcomes count most). */
const DECAY = 0.97;
/** What the estimate starts from: one failure in twenty changes. */
const PRIOR = { judged: 20, failed: 1, tests: 20 };

/** Fold one finished test into the outcome estimate (in place). */
export function learn(memory: PoolMemory, judged: number, failed: boolean): void {
  const past = memory.outcomes ?? PRIOR;
  memory.outcomes = {
    judged: past.judged * DECAY + judged,
    failed: past.failed * DECAY + (failed ? 1 : 0),
    tests: (past.tests ?? past.judged) * DECAY + 1,
  };
}

/**
 * The estimated chance that one change fails a test (bad, or a flake): the rate r for which tests
 * of the average size n pass as often as they did, (1 − r)^n. Counting failures per change instead
 * would read large batches as safer than they are.
 */
export function failureRate(memory: PoolMemory): number {
  const { judged, failed, tests = judged } = memory.outcomes ?? PRIOR;
  const passRate = Math.max(0.01, 1 - failed / Math.max(tests, 1));
  return Math.min(0.95, Math.max(0.001, 1 - passRate ** (tests / Math.max(judged, 1))));
}

/** Changes per batch: as many as still pass about `target` of the time, within `limit` (0: none). */
export function batchSizeFor(memory: PoolMemory, limit: number, target: number): number {
  const fits = Math.floor(Math.log(target) / Math.log(1 - failureRate(memory)));
  return Math.max(1, limit > 0 ? Math.min(limit, fits) : fits);
}
