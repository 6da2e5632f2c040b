// Label matching the way Prow's tide reads its queries: names compare case-insensitively, an entry
// ending in `/*` stands for the whole family (`do-not-merge/*` keeps out `do-not-merge/hold`), and
// an entry with commas (`lgtm,approved`) is satisfied by any one of its alternatives.

/** Whether one label matches one entry (no alternatives). */
export function labelMatches(label: string, entry: string): boolean {
  const name = label.toLowerCase();
  const wanted = entry.trim().toLowerCase();
  return wanted.endsWith('/*') ? name.startsWith(wanted.slice(0, -1)) : name === wanted;
}

const alternatives = (entry: string): string[] =>
  entry
    .split(',')
    .map((alt) => alt.trim())
    .filter((alt) => alt !== '');

/** Whether `labels` satisfy a required entry: any of its comma-separated alternatives is present. */
export const carriesLabel = (labels: readonly string[], entry: string): boolean =>
  alternatives(entry).some((alt) => labels.some((label) => labelMatches(label, alt)));

/** How tide names an unmet required entry: its alternatives joined by ` or `. */
export const entryName = (entry: string): string => alternatives(entry).join(' or ');

/** The labels present that a forbidden entry matches (a family entry may match several). */
export const labelsMatching = (labels: readonly string[], entry: string): string[] => labels.filter((label) => labelMatches(label, entry));
