// How one change is merged: the pool's method unless exactly one override label names another.
// Two override labels are a contradiction the queue refuses to guess about (tide: not mergeable).
import type { MergeMethod } from '../forge/types.js';
import { labelMatches } from './labels.js';
import type { PoolSettings } from './types.js';

export const CONFLICTING_METHOD_LABELS = 'Not mergeable. PR has conflicting merge method override labels.';

export type MethodChoice = { ok: true; method: MergeMethod } | { ok: false; description: string };

export function chooseMergeMethod(labels: readonly string[], settings: Pick<PoolSettings, 'mergeMethod' | 'methodLabels'>): MethodChoice {
  const overrides = (Object.entries(settings.methodLabels) as Array<[MergeMethod, string]>)
    .filter(([, label]) => label !== '' && labels.some((l) => labelMatches(l, label)))
    .map(([method]) => method);
  const distinct = [...new Set(overrides)];
  if (distinct.length > 1) return { ok: false, description: CONFLICTING_METHOD_LABELS };
  return { ok: true, method: distinct[0] ?? settings.mergeMethod };
}
