// Colours for labels the bot creates, so a repo's labels read the same as Prow's at a glance.
import { createHash } from 'node:crypto';

const KNOWN: Record<string, string> = {
  lgtm: '15dd18',
  approved: '0ffa16',
  'ok-to-test': '15dd18',
  'needs-ok-to-test': 'e11d21',
  'needs-rebase': 'bfd4f2',
};

/** A six-hex-digit colour (no '#'): red for the do-not-merge family, fixed ones for Prow's labels. */
export function labelColour(label: string): string {
  if (label.startsWith('do-not-merge/')) return 'e11d21';
  return KNOWN[label] ?? createHash('sha1').update(label).digest('hex').slice(0, 6);
}
