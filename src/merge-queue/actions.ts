// Building the engine's actions.
import { noteAborted } from './failures.js';
import { type Pull, samePull } from './lineage.js';
import { chooseMergeMethod } from './merge-method.js';
import { memberOf, type PoolView } from './pool-view.js';
import type { Action, TestRef } from './types.js';

/** Cancel a test; a test of one change alone shows as failed on its head, which the queue then answers for. */
export function cancelTest(view: PoolView, test: TestRef): Action {
  const only = test.pulls.length === 1 && test.prefix === 0 ? test.pulls[0] : undefined;
  const change = only ? view.open.get(only.number) : undefined;
  if (only && change && samePull(change, only)) noteAborted(view.memory, change);
  return { kind: 'cancel', testId: test.id };
}

export const testAction = (test: TestRef): Action => ({ kind: 'test', test });

/** Merge `pulls` in order at their tested heads, each with its own method (members have one). */
export function mergeAction(view: PoolView, pulls: readonly Pull[], testId?: string): Action {
  return {
    kind: 'merge',
    pulls: pulls.map((pull) => {
      const choice = chooseMergeMethod(memberOf(view, pull.number)?.labels ?? [], view.settings);
      return { number: pull.number, headSha: pull.headSha, method: choice.ok ? choice.method : view.settings.mergeMethod };
    }),
    ...(testId === undefined ? {} : { testId }),
  };
}

export const pullOf = (change: Pull): Pull => ({ number: change.number, headSha: change.headSha });
