// The engine's two entry points. planPool reads one pool and answers with actions, the memory to
// keep and a status for every open change; it is pure and deterministic (the clock is the
// snapshot's, test ids come from a counter in memory). At most one merge per plan: the executor
// carries it out, reports it through recordMerge, and the next sync plans again.

import { samePulls } from './lineage.js';
import { planOurs } from './policy-ours.js';
import { planSerial } from './policy-serial.js';
import { planTide } from './policy-tide.js';
import { type PoolView, viewPool } from './pool-view.js';
import { statusesOf } from './statuses.js';
import type { Action, MergeOutcome, MergePolicy, Plan, PoolMemory, PoolSettings, PoolSnapshot } from './types.js';

const policies: Record<MergePolicy, (view: PoolView) => Action[]> = {
  ours: planOurs,
  tide: planTide,
  serial: planSerial,
};

export function planPool(snapshot: PoolSnapshot, memory: PoolMemory, settings: PoolSettings): Plan {
  const view = viewPool(snapshot, memory, settings);
  const actions = policies[settings.policy](view);
  // Lineage is only needed to carry the tests still remembered across the merges since they began.
  const kept = new Set(view.memory.tests);
  const needed = new Set(view.live.filter((t) => kept.has(t.ref)).flatMap((t) => t.lineage));
  view.memory.lineage = view.memory.lineage.filter((entry) => needed.has(entry));
  return { actions, memory: view.memory, statuses: statusesOf(view, actions) };
}

/**
 * Fold the executor's merge result into memory. A merge teaches the lineage: the branch at
 * `newBaseSha` is `from` plus `pulls`, so tests built on those pulls stay valid. A refusal is left
 * for the next plan, which voids the tests that would merge that change again as they are.
 */
export function recordMerge(memory: PoolMemory, outcome: MergeOutcome): PoolMemory {
  if (outcome.kind === 'merged') {
    const entry = {
      sha: outcome.newBaseSha,
      from: outcome.from,
      pulls: outcome.pulls.map((p) => ({ number: p.number, headSha: p.headSha })),
    };
    const known = memory.lineage.some((e) => e.sha === entry.sha && e.from === entry.from && samePulls(e.pulls, entry.pulls));
    const merged = new Set(entry.pulls.map((p) => p.number));
    return {
      ...memory,
      lineage: known ? memory.lineage : [...memory.lineage, entry],
      failures: memory.failures.filter((f) => !merged.has(f.number)),
      blamed: memory.blamed.filter((b) => !merged.has(b.number)),
    };
  }
  const { number, reason, message } = outcome;
  return { ...memory, refusals: [...(memory.refusals ?? []), { number, reason, message }] };
}
