// `tide`: Prow's decision order (§6.6), one action per sync, as the baseline to beat:
//  1. a passing batch merges whole;
//  2. else, with no batch pending, ONE individually green change merges (priority, then number);
//  3. a pool without required contexts waits;
//  4. else, with more than one change and no batch pending, a batch of candidates sorted by number;
//  5. else, with nothing green or pending, one change alone runs what it lacks;
//  6. else wait.
// Tide keeps one batch and one change alone in flight, never bisects and never blames: a failed
// batch is forgotten, and while the same candidates remain the same batch is formed again. It
// cancels nothing (results it cannot use are ignored), and a frozen pool is BLOCKED: no merge and
// no test, like tide's blocking issues.
import { mergeAction, pullOf, testAction } from './actions.js';
import { requiredContextsOf, resultOf, runContextsOf } from './contexts.js';
import { samePull } from './lineage.js';
import { startTest } from './new-test.js';
import { isGreen, isSingleOnBase, keepTest, type LiveTest, type PoolView } from './pool-view.js';
import type { Action, PoolChange } from './types.js';

export function planTide(view: PoolView): Action[] {
  const { settings } = view;
  const usable = view.live.filter((t) => t.state !== 'failure');
  const passingBatch = usable.find((t) => t.ref.pulls.length > 1 && t.state === 'success');
  const pendingBatch = usable.find((t) => t.ref.pulls.length > 1 && t.state === 'pending');
  const alone = usable.filter(isSingleOnBase);
  for (const test of [passingBatch, pendingBatch, ...alone]) if (test) keepTest(view, test);
  if (settings.frozen) return [];

  if (passingBatch) return [mergeAction(view, passingBatch.unmerged, passingBatch.ref.id)];

  const testAlone = (change: PoolChange): LiveTest | undefined => alone.find((t) => samePull(t.ref.pulls[0]!, change));
  const successes: PoolChange[] = [];
  const notGreen: PoolChange[] = [];
  for (const member of view.members) (isGreen(view, member) ? successes : notGreen).push(member);
  if (successes.length > 0 && !pendingBatch) {
    const pick = successes[0]!;
    const proof = testAlone(pick);
    return [mergeAction(view, [pullOf(pick)], proof?.state === 'success' ? proof.ref.id : undefined)];
  }
  if (!view.members.some((m) => runContextsOf(m).length > 0)) return [];

  if (view.members.length > 1 && !pendingBatch && settings.batchSize !== 1) {
    // Candidates: every required context present on the head and a success (of any base), or
    // pending because tide itself is running the change alone.
    const eligible = (change: PoolChange) =>
      requiredContextsOf(change).every((context) => {
        const state = resultOf(change, context)?.state;
        return state === 'success' || (state === 'pending' && testAlone(change)?.state === 'pending');
      });
    const candidates = [...view.members].sort((a, b) => a.number - b.number).filter(eligible);
    const batch = settings.batchSize > 0 ? candidates.slice(0, settings.batchSize) : candidates;
    if (batch.length > 1) {
      const test = startTest(view, batch.map(pullOf), 0);
      if (test) return [testAction(test)];
    }
  }

  const isPending = (m: PoolChange) => testAlone(m)?.state === 'pending' || view.freshness.get(m.number)?.overall === 'pending';
  const missing = notGreen.filter((m) => !isPending(m));
  if (missing.length > 0 && missing.length === notGreen.length && successes.length === 0) {
    const pick = missing[0]!;
    const test = startTest(view, [pullOf(pick)], 0, { contexts: [...(view.freshness.get(pick.number)?.needsRun ?? [])] });
    if (test) return [testAction(test)];
  }
  return [];
}
