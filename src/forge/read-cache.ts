// Reads worth remembering between events, kept per Forge instance (one per GitHub installation, one
// for GitLab), so repeated commands on a change cost fewer API calls:
// - a change's files, which are fixed for a (head sha, base sha) pair;
// - a branch's head sha, for a short while, refreshed by push events the bot receives;
// - a repository's default branch, for a few minutes (it is renamed rarely).
import { type Change, type Forge, type RepoRef, repoFullName } from './types.js';

/** How long a branch head is trusted without a push event confirming it. */
export const BRANCH_HEAD_TTL_MS = 30_000;
/** How long a repository's default branch is trusted. */
export const DEFAULT_BRANCH_TTL_MS = 5 * 60_000;
const MAX_CHANGES = 1000;

interface ForgeCache {
  files: Map<string, Promise<string[]>>;
  heads: Map<string, { sha: Promise<string>; until: number }>;
  defaults: Map<string, { branch: Promise<string>; until: number }>;
}

const caches = new WeakMap<Forge, ForgeCache>();

function cacheOf(forge: Forge): ForgeCache {
  let cache = caches.get(forge);
  if (!cache) caches.set(forge, (cache = { files: new Map(), heads: new Map(), defaults: new Map() }));
  return cache;
}

const branchKey = (repo: RepoRef, branch: string) => `${repoFullName(repo).toLowerCase()}:${branch}`;

/** The change's files, read once per (head, base) pair. */
export function changedFiles(forge: Forge, change: Change): Promise<string[]> {
  const { files } = cacheOf(forge);
  const key = `${repoFullName(change.ref.repo).toLowerCase()}#${change.ref.number}@${change.headSha}..${change.baseSha}`;
  let found = files.get(key);
  if (!found) {
    found = forge.listChangedFiles(change.ref);
    found.catch(() => files.delete(key));
    files.set(key, found);
    if (files.size > MAX_CHANGES) files.delete(files.keys().next().value!);
  }
  return found;
}

/** The sha a branch points at, asked of the forge at most once per BRANCH_HEAD_TTL_MS. */
export function branchHead(forge: Forge, repo: RepoRef, branch: string, now = Date.now()): Promise<string> {
  const { heads } = cacheOf(forge);
  const key = branchKey(repo, branch);
  const found = heads.get(key);
  if (found && found.until > now) return found.sha;
  const sha = forge.branchSha(repo, branch);
  sha.catch(() => heads.delete(key));
  heads.set(key, { sha, until: now + BRANCH_HEAD_TTL_MS });
  return sha;
}

/** A push event says where a branch is now. */
export function rememberBranchHead(forge: Forge, repo: RepoRef, branch: string, sha: string, now = Date.now()): void {
  cacheOf(forge).heads.set(branchKey(repo, branch), { sha: Promise.resolve(sha), until: now + BRANCH_HEAD_TTL_MS });
}

/** The repository's default branch, asked of the forge at most once per DEFAULT_BRANCH_TTL_MS. */
export function defaultBranch(forge: Forge, repo: RepoRef, now = Date.now()): Promise<string> {
  const { defaults } = cacheOf(forge);
  const key = repoFullName(repo).toLowerCase();
  const found = defaults.get(key);
  if (found && found.until > now) return found.branch;
  const branch = forge.defaultBranch(repo);
  branch.catch(() => defaults.delete(key));
  defaults.set(key, { branch, until: now + DEFAULT_BRANCH_TTL_MS });
  return branch;
}
