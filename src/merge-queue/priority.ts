// Who goes first: tide's ordered priority label sets (a change carrying every label of an earlier
// set wins), then the lowest number, i.e. the oldest change.
import { carriesLabel } from './labels.js';

type Ranked = { number: number; labels: readonly string[] };

/** Index of the first priority set the labels fully carry; `priority.length` when none. */
export function priorityRank(labels: readonly string[], priority: readonly string[][]): number {
  const rank = priority.findIndex((set) => set.length > 0 && set.every((entry) => carriesLabel(labels, entry)));
  return rank === -1 ? priority.length : rank;
}

export function byPriority(priority: readonly string[][]): (a: Ranked, b: Ranked) => number {
  return (a, b) => priorityRank(a.labels, priority) - priorityRank(b.labels, priority) || a.number - b.number;
}

// Open changes usually come in number order, and without priority sets that is the order wanted.
const inNumberOrder = (changes: readonly Ranked[]): boolean => changes.every((c, i) => i === 0 || changes[i - 1]!.number < c.number);

/** A sorted copy: priority set first, then number. Each change is ranked once, not per comparison. */
export function sortByPriority<T extends Ranked>(changes: readonly T[], priority: readonly string[][]): T[] {
  if (priority.length === 0) return inNumberOrder(changes) ? [...changes] : [...changes].sort((a, b) => a.number - b.number);
  const ranked = changes.map((change) => ({ change, rank: priorityRank(change.labels, priority) }));
  ranked.sort((a, b) => a.rank - b.rank || a.change.number - b.change.number);
  return ranked.map((r) => r.change);
}
