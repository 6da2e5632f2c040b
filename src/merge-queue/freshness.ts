// Whether a change's own results still say anything about merging it now. A success proves the
// change only against the base it ran on (trigger writes ` BaseSHA:<sha>` into the description,
// Prow §6.5); once the branch moves, it is stale and must run again. A result without a BaseSHA
// proves nothing about the current base either, so it is stale too.
//
// Lineage does not make a head result fresh: a head result comes from a run of the change alone
// (no prefix), and a base the queue produced by merging other changes is a different tree. Tests
// that were built on top of those changes are carried across merges in lineage.ts instead.
import { baseShaOf } from '../jobs/run-record.js';
import { requiredContextsOf, resultOf } from './contexts.js';
import type { PoolChange } from './types.js';

export type ContextVerdict =
  /** success against a current base */
  | 'fresh'
  /** success or pending against another base, or without a BaseSHA */
  | 'stale'
  /** running against a current base (or a run that did not say which) */
  | 'pending'
  | 'failure'
  | 'missing';

export type FreshnessOverall = 'fresh-green' | 'pending' | 'stale-or-missing' | 'failing';

export interface ChangeFreshness {
  overall: FreshnessOverall;
  byContext: Map<string, ContextVerdict>;
  /** stale or missing: what a run must produce before the change can merge, sorted */
  needsRun: string[];
  pending: string[];
  failing: string[];
}

/** One context's verdict; `currentBases` are the shas a result must name to count as fresh. */
export function contextVerdict(change: PoolChange, context: string, currentBases: ReadonlySet<string>): ContextVerdict {
  const result = resultOf(change, context);
  const external = change.externalContexts?.includes(context) ?? false;
  if (!result) return external ? 'pending' : 'missing';
  if (result.state === 'failure' || result.state === 'error') return 'failure';
  if (external) return result.state === 'success' ? 'fresh' : 'pending';
  const base = baseShaOf(result.description);
  if (result.state === 'pending') return base === undefined || currentBases.has(base) ? 'pending' : 'stale';
  return base !== undefined && currentBases.has(base) ? 'fresh' : 'stale';
}

/**
 * Overall, tide's order: any failure fails; otherwise anything stale or missing needs a run (even
 * if something else is still pending); otherwise pending; otherwise fresh green. A change with no
 * required contexts is fresh green.
 */
export function freshnessOf(change: PoolChange, currentBases: ReadonlySet<string> | string): ChangeFreshness {
  const bases = typeof currentBases === 'string' ? new Set([currentBases]) : currentBases;
  const byContext = new Map<string, ContextVerdict>();
  const failing: string[] = [];
  const needsRun: string[] = [];
  const pending: string[] = [];
  for (const context of requiredContextsOf(change)) {
    const verdict = contextVerdict(change, context, bases);
    byContext.set(context, verdict);
    if (verdict === 'failure') failing.push(context);
    else if (verdict === 'stale' || verdict === 'missing') needsRun.push(context);
    else if (verdict === 'pending') pending.push(context);
  }
  failing.sort();
  needsRun.sort();
  pending.sort();
  const overall: FreshnessOverall =
    failing.length > 0 ? 'failing' : needsRun.length > 0 ? 'stale-or-missing' : pending.length > 0 ? 'pending' : 'fresh-green';
  return { overall, byContext, needsRun, pending, failing };
}

// Every sync asks the freshness of every member, and most members (and often the base) are those
// of the last sync. So answers are remembered per change object, as membership's are (a snapshot's
// changes are read-only; new content arrives as a new object), with the base they were computed on.
// Callers share the remembered value and must not change it.
const remembered = new WeakMap<PoolChange, { baseSha: string; freshness: ChangeFreshness }>();

/** freshnessOf on one base, answered from memory when this change object was asked about it last. */
export function freshnessOn(change: PoolChange, baseSha: string): ChangeFreshness {
  const entry = remembered.get(change);
  if (entry?.baseSha === baseSha) return entry.freshness;
  const freshness = freshnessOf(change, baseSha);
  remembered.set(change, { baseSha, freshness });
  return freshness;
}
