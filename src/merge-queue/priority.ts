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

/** A sorted copy: priority set first, then number. */
export const sortByPriority = <T extends Ranked>(changes: readonly T[], priority: readonly string[][]): T[] =>
  [...changes].sort(byPriority(priority));
