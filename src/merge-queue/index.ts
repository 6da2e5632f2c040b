// The merge queue's pure engine: planPool and recordMerge over the contract in types.ts.
export * from './types.js';
export { planPool, recordMerge } from './plan.js';
export { membershipOf, blamedDescription, type Membership, type MembershipRules } from './membership.js';
export { freshnessOf, contextVerdict, type ChangeFreshness, type ContextVerdict, type FreshnessOverall } from './freshness.js';
export { chooseMergeMethod, CONFLICTING_METHOD_LABELS, type MethodChoice } from './merge-method.js';
export { priorityRank, byPriority, sortByPriority } from './priority.js';
export { progressOf } from './lineage.js';
export { QUEUE_CONTEXT, requiredContextsOf } from './contexts.js';
