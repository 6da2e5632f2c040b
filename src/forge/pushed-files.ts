// The paths a push touched, from the commits its webhook lists (GitHub and GitLab use the same
// added/removed/modified shape). Both forges cap the list (GitHub 2048 commits, GitLab 20), so this
// is what the payload says, not necessarily every path of a larger push.

export interface PushedCommit {
  added?: string[] | null;
  removed?: string[] | null;
  modified?: string[] | null;
}

/** Every path the commits added, removed or modified, once each, in the order first met. */
export function pushedFiles(commits: readonly PushedCommit[]): string[] {
  const paths = new Set<string>();
  for (const c of commits) for (const path of [...(c.added ?? []), ...(c.removed ?? []), ...(c.modified ?? [])]) paths.add(path);
  return [...paths];
}
