// Loads a repository's OWNERS files through the forge and caches the built RepoOwners.
//
// OWNERS come from the base branch (§3.1 of Prow's semantics): the caller passes the base sha.
// A commit's content never changes, so a snapshot is cached per (forge, repo, sha) and reused
// until evicted (LRU). Only full hex shas are cached — a branch name moves, so a `load` given one
// reads through every time. Concurrent loads of the same key share one promise; a failed load is
// dropped from the cache so the next call retries.
import { type Forge, type RepoRef, repoFullName } from '../forge/types.js';
import type { OwnersFileError } from './owners-file.js';
import { baseName, isDeniedDir, OWNERS, OWNERS_ALIASES, parentDir } from './paths.js';
import { RepoOwners } from './repo-owners.js';

export { OWNERS, OWNERS_ALIASES } from './paths.js';

export interface OwnersSnapshot {
  owners: RepoOwners;
  errors: OwnersFileError[];
  sha: string;
}

const DEFAULT_MAX_ENTRIES = 32;
/** concurrent readFile calls per load */
const READ_CONCURRENCY = 16;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

export class OwnersResolver {
  readonly #maxEntries: number;
  /** key -> snapshot promise; Map order is the LRU order (oldest first) */
  readonly #cache = new Map<string, Promise<OwnersSnapshot>>();
  readonly #forgeIds = new WeakMap<Forge, number>();
  #nextForgeId = 1;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  /** OWNERS of `repo` at `sha` (always a base-branch sha: the caller passes the base), read through the forge once per (repo, sha). */
  load(forge: Forge, repo: RepoRef, sha: string): Promise<OwnersSnapshot> {
    if (!FULL_SHA.test(sha)) return readSnapshot(forge, repo, sha);
    const key = `${this.#forgeId(forge)}:${forge.kind}:${repoFullName(repo).toLowerCase()}@${sha.toLowerCase()}`;
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const loading = readSnapshot(forge, repo, sha);
    this.#cache.set(key, loading);
    loading.catch(() => {
      if (this.#cache.get(key) === loading) this.#cache.delete(key);
    });
    while (this.#cache.size > this.#maxEntries) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    return loading;
  }

  #forgeId(forge: Forge): number {
    let id = this.#forgeIds.get(forge);
    if (id === undefined) {
      id = this.#nextForgeId++;
      this.#forgeIds.set(forge, id);
    }
    return id;
  }
}

async function readSnapshot(forge: Forge, repo: RepoRef, sha: string): Promise<OwnersSnapshot> {
  const tree = await forge.listTree(repo, sha);
  const wanted = tree.filter((path) => path === OWNERS_ALIASES || (baseName(path) === OWNERS && !isDeniedDir(parentDir(path))));
  const files = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const path = wanted[next++]!;
      const text = await forge.readFile(repo, path, sha);
      if (text !== undefined) files.set(path, text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, wanted.length) }, worker));
  const { owners, errors } = RepoOwners.build(files);
  return { owners, errors, sha };
}
