// Repository path conventions shared by the OWNERS modules: file names, canonical directory paths
// and the directories whose OWNERS files are never read.

export const OWNERS = 'OWNERS';
export const OWNERS_ALIASES = 'OWNERS_ALIASES';

/**
 * Canonical form of a repo-relative path: no leading "./" or "/", no trailing "/", and the repo
 * root as the empty string (Prow's canonicalize). Already-canonical paths are returned unchanged
 * without allocating, which keeps the per-file hot paths cheap.
 */
export function canonicalPath(path: string): string {
  if (path === '' || (path[0] !== '.' && path[0] !== '/' && path[path.length - 1] !== '/')) return path;
  let p = path;
  for (;;) {
    if (p.startsWith('./')) p = p.slice(2);
    else if (p.startsWith('/')) p = p.slice(1);
    else break;
  }
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p === '.' ? '' : p;
}

/** The directory holding a canonical path ('' for a path at the root). Also a directory's parent. */
export function parentDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** `path` relative to its ancestor directory `dir` (both canonical). */
export function relativeTo(dir: string, path: string): string {
  return dir === '' ? path : path.slice(dir.length + 1);
}

/** The base name of a canonical path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Path of the OWNERS file of a canonical directory: 'OWNERS' for the root, 'a/b/OWNERS' otherwise. */
export function ownersFilePath(dir: string): string {
  return dir === '' ? OWNERS : `${dir}/${OWNERS}`;
}

/**
 * Prow's preconfigured `owners_dir_denylist` defaults. Each is matched, unanchored, against the
 * repo-relative path of every directory on the way down from the root; a match skips that
 * directory and its whole subtree (Prow's walk returns filepath.SkipDir), exactly like Prow —
 * so `x.git/` and `vendor/a/b/` are skipped, `vendor/a/` is not.
 */
export const DEFAULT_DIR_DENYLIST: readonly RegExp[] = [/\.git$/, /_output$/, /vendor\/.*\/.*/];

/** True when `dir` (canonical) or one of its ancestors matches the denylist. */
export function isDeniedDir(dir: string, denylist: readonly RegExp[] = DEFAULT_DIR_DENYLIST): boolean {
  if (dir === '') return false;
  let end = dir.indexOf('/');
  for (;;) {
    const prefix = end < 0 ? dir : dir.slice(0, end);
    if (denylist.some((re) => re.test(prefix))) return true;
    if (end < 0) return false;
    end = dir.indexOf('/', end + 1);
  }
}
