// The contexts the queue judges a change by. Its own `merge-queue` context is never one of them:
// it reports the queue's decision, so requiring it would make the queue wait on itself (tide
// likewise ignores the `tide` context).
import type { ContextResult, PoolChange } from './types.js';

/** The commit status context the queue writes on every change it looks at. */
export const QUEUE_CONTEXT = 'merge-queue';

/** The change's required contexts, de-duplicated, in their given order, without the queue's own. */
export const requiredContextsOf = (change: Pick<PoolChange, 'requiredContexts'>): string[] =>
  [...new Set(change.requiredContexts)].filter((context) => context !== QUEUE_CONTEXT);

/** The required contexts a test of the change runs: those a job of the queue produces (not external). */
export const runContextsOf = (change: Pick<PoolChange, 'requiredContexts' | 'externalContexts'>): string[] =>
  requiredContextsOf(change).filter((context) => !change.externalContexts?.includes(context));

/** The latest result of one context on the change's head, if it reported at all. */
export const resultOf = (change: Pick<PoolChange, 'contexts'>, context: string): ContextResult | undefined =>
  change.contexts.find((result) => result.context === context);

/** Required contexts in failure or error on the head, sorted. */
export const failingContexts = (change: PoolChange): string[] =>
  requiredContextsOf(change)
    .filter((context) => {
      const state = resultOf(change, context)?.state;
      return state === 'failure' || state === 'error';
    })
    .sort();

/** Required contexts that never reported on the head, sorted. */
export const missingContexts = (change: PoolChange): string[] =>
  requiredContextsOf(change)
    .filter((context) => resultOf(change, context) === undefined)
    .sort();
