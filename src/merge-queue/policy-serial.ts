// `serial`: the baseline every merge queue starts as (Kodiak, GitHub's queue at depth 1). One test
// at a time, of one change alone on the current base; a green change merges when no test would be
// invalidated by it. A change that fails alone gets one re-run, then is blamed.
import { cancelTest, mergeAction, pullOf, testAction } from './actions.js';
import { failAlone, isBlamed } from './failures.js';
import { samePull } from './lineage.js';
import { startTest } from './new-test.js';
import { isGreen, keepTest, memberOf, type PoolView } from './pool-view.js';
import type { Action } from './types.js';

export function planSerial(view: PoolView): Action[] {
  const actions: Action[] = view.obsolete.filter((t) => t.state === 'pending').map((t) => cancelTest(view, t.ref));
  let inFlight = false;
  for (const test of view.live) {
    const change = memberOf(view, test.judged[0]?.number ?? -1);
    if (test.state !== 'failure' || !change) {
      keepTest(view, test);
      inFlight ||= test.state === 'pending';
      continue;
    }
    if (!failAlone(view.memory, change, test.failedContexts ?? test.ref.contexts)) {
      const rerun = startTest(view, [pullOf(change)], 0, { suspect: true });
      if (rerun) actions.push(testAction(rerun));
      inFlight ||= rerun !== undefined;
    }
  }
  if (inFlight) return actions;

  const waiting = view.members.filter((m) => !isBlamed(view.memory, m));
  const green = waiting.find((m) => isGreen(view, m));
  if (green && !view.settings.frozen) {
    const proof = view.live.find((t) => t.state === 'success' && t.ref.pulls.length === 1 && samePull(t.ref.pulls[0]!, green));
    actions.push(mergeAction(view, [pullOf(green)], proof?.ref.id));
    return actions;
  }
  const next = waiting.find((m) => !isGreen(view, m));
  const test = next && startTest(view, [pullOf(next)], 0);
  if (test) actions.push(testAction(test));
  return actions;
}
