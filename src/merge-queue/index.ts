// The merge queue's pure engine: planPool and recordMerge over the contract in types.ts.

export { QUEUE_CONTEXT, requiredContextsOf } from './contexts.js';
export { type ChangeFreshness, type ContextVerdict, contextVerdict, type FreshnessOverall, freshnessOf } from './freshness.js';
export { progressOf } from './lineage.js';
export { blamedDescription, type Membership, type MembershipRules, membershipOf } from './membership.js';
export { CONFLICTING_METHOD_LABELS, chooseMergeMethod, type MethodChoice } from './merge-method.js';
export { planPool, recordMerge } from './plan.js';
export { byPriority, priorityRank, sortByPriority } from './priority.js';
export * from './types.js';
