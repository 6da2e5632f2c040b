// Tide's status text conventions (Prow §6.8): lists are sorted and truncated so the description
// stays readable, and every description fits the forge's 140-character limit.

/** GitHub's limit for a commit status description. */
export const MAX_DESCRIPTION = 140;

/** Cut a description that would not fit: 137 characters plus `...`, as tide does. */
export function capDescription(text: string): string {
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 3)}...` : text;
}

/**
 * Tide's list truncation: the first item always; each further item only while the running length
 * (item lengths plus 2 for each `, ` separator) stays within 50 characters. Stops at the first
 * item that does not fit, like tide (it does not look for a shorter one further on).
 */
export function truncateList(items: readonly string[]): string[] {
  const kept: string[] = [];
  let length = 0;
  for (const item of items) {
    const next = kept.length === 0 ? item.length : length + 2 + item.length;
    if (kept.length > 0 && next > 50) break;
    kept.push(item);
    length = next;
  }
  return kept;
}

/** Sorted, de-duplicated and truncated, then `one` or `many` depending on what is left. */
export function listPhrase(items: readonly string[], one: (item: string) => string, many: (list: string) => string): string {
  const shown = truncateList([...new Set(items)].sort());
  return shown.length === 1 ? one(shown[0]!) : many(shown.join(', '));
}

/** `#3 #7`: how statuses name a set of changes. */
export const numbersPhrase = (numbers: readonly number[]): string => numbers.map((n) => `#${n}`).join(' ');
