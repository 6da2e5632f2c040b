// Carrying a test across the queue's own merges. A test of `pulls` on `from` is a test of the
// remaining pulls on `sha` once the queue has merged its leading pulls onto `from` and the branch
// became `sha`: the tree is the same. Lineage records each such merge; nothing else moves a test.
import type { PoolMemory, TestRef } from './types.js';

export type Pull = TestRef['pulls'][number];
export type LineageEntry = PoolMemory['lineage'][number];

export const samePull = (a: Pull, b: Pull): boolean => a.number === b.number && a.headSha === b.headSha;

export const samePulls = (a: readonly Pull[], b: readonly Pull[]): boolean =>
  a.length === b.length && a.every((pull, i) => samePull(pull, b[i]!));

export interface Progress {
  /** how many leading pulls of the test have merged since it started */
  merged: number;
  /** the lineage entries that led from the test's base to the current one */
  entries: LineageEntry[];
}

/**
 * How far the branch has come along the test's own pulls: follow lineage from the test's base,
 * each step merging exactly the next pulls of the test, until the current base. Undefined when
 * the current base cannot be reached that way (someone pushed, or other changes merged first):
 * the test's tree is then not what the branch would become.
 */
export function progressOf(
  test: Pick<TestRef, 'baseSha' | 'pulls'>,
  baseSha: string,
  lineage: readonly LineageEntry[],
): Progress | undefined {
  let sha = test.baseSha;
  let merged = 0;
  const entries: LineageEntry[] = [];
  while (sha !== baseSha) {
    if (entries.length >= lineage.length) return undefined;
    const rest = test.pulls.slice(merged);
    const step = lineage.find(
      (e) => e.from === sha && e.pulls.length > 0 && e.pulls.length <= rest.length && samePulls(e.pulls, rest.slice(0, e.pulls.length)),
    );
    if (!step) return undefined;
    entries.push(step);
    merged += step.pulls.length;
    sha = step.sha;
  }
  return { merged, entries };
}
