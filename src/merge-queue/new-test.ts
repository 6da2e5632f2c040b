// Asking for a test: `pulls` merged in order onto the current base, judged after `prefix`. Ids come
// from a counter in the pool's memory, so planning stays deterministic and a re-run of the same
// pulls on the same base is a new test (the run store must not hand back the old result).

import type { Pull } from './lineage.js';
import { contextsOf, memberOf, type PoolView } from './pool-view.js';
import type { PoolChange, TestRef } from './types.js';

/**
 * The contexts a test must run. A change alone runs what its head lacks on this base (fresh
 * results stand, as with tide's retest of "missing" jobs); a combination runs every required
 * context of every change in it, prefix included: the tree differs from anything tested before.
 */
export function contextsForTest(view: PoolView, pulls: readonly Pull[], prefix: number): string[] {
  const changes = pulls.map((p) => memberOf(view, p.number)).filter((c): c is PoolChange => c !== undefined);
  if (pulls.length === 1 && prefix === 0 && changes[0]) {
    const freshness = view.freshness.get(changes[0].number);
    const unproven = freshness
      ? [...freshness.byContext]
          .filter(([, v]) => v !== 'fresh')
          .map(([c]) => c)
          .sort()
      : [];
    if (unproven.length > 0) return unproven;
  }
  return contextsOf(changes);
}

/** A new test on the current base, added to the working memory; undefined when there is nothing to run. */
export function startTest(
  view: PoolView,
  pulls: readonly Pull[],
  prefix: number,
  {
    contexts = contextsForTest(view, pulls, prefix),
    suspect = false,
    probe = false,
    screen = false,
  }: { contexts?: string[]; suspect?: boolean; probe?: boolean; screen?: boolean } = {},
): TestRef | undefined {
  if (pulls.length === 0 || contexts.length === 0) return undefined;
  const seq = view.memory.seq ?? 0;
  view.memory.seq = seq + 1;
  const test: TestRef = {
    id: `${view.snapshot.repo}:${view.snapshot.branch}:${seq}`,
    baseSha: view.snapshot.baseSha,
    pulls: pulls.map((p) => ({ number: p.number, headSha: p.headSha })),
    prefix,
    contexts,
    startedAt: view.snapshot.now,
    ...(suspect ? { suspect } : {}),
    ...(probe || screen ? { probe: true } : {}),
    ...(screen ? { screen } : {}),
  };
  view.memory.tests.push(test);
  return test;
}
