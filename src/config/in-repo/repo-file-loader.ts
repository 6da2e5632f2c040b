// The configuration that applies to a repository: the operator's, with the repository's own file
// merged in when the operator enables it. The file is read from the head of the repository's
// DEFAULT branch, never from a change: a change must not configure its own CI. A commit's content
// never changes, so the parsed file is cached per (forge, repository, sha), as OWNERS files are.
import { branchHead, defaultBranch } from '../../forge/read-cache.js';
import { type Forge, type RepoRef, repoFullName } from '../../forge/types.js';
import type { ConfigProblem } from '../config-problem.js';
import type { RepoConfig } from '../schema.js';
import { mergeRepoFile } from './merge-repo-file.js';
import { type ParsedRepoFile, parseRepoFile } from './repo-file.js';
import { REPO_FILE_PATH } from './settings.js';

export interface EffectiveRepoConfig {
  config: RepoConfig;
  /** where the file was looked for, when the operator enables it */
  read?: { branch: string; sha: string; found: boolean };
  /** why the file was set aside (the operator's configuration alone applies); undefined: it was not */
  problems?: ConfigProblem[];
}

const DEFAULT_MAX_ENTRIES = 64;

export class RepoFileLoader {
  readonly #maxEntries: number;
  /** key -> parsed file (undefined: none at that sha); Map order is the LRU order */
  readonly #cache = new Map<string, Promise<ParsedRepoFile | undefined>>();
  readonly #forgeIds = new WeakMap<Forge, number>();
  #nextForgeId = 1;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  /** `operator`: the operator's configuration of the repository. Forge failures are thrown. */
  async effective(forge: Forge, repo: RepoRef, operator: RepoConfig): Promise<EffectiveRepoConfig> {
    const settings = operator.inRepoConfig;
    if (!settings?.enabled) return { config: operator };
    const branch = await defaultBranch(forge, repo);
    const sha = await branchHead(forge, repo, branch);
    const parsed = await this.#load(forge, repo, sha);
    const read = { branch, sha, found: parsed !== undefined };
    if (!parsed) return { config: operator, read };
    const verdict = mergeRepoFile(parsed, operator, settings);
    return verdict.ok ? { config: verdict.config, read } : { config: operator, read, problems: verdict.problems };
  }

  #load(forge: Forge, repo: RepoRef, sha: string): Promise<ParsedRepoFile | undefined> {
    const key = `${this.#forgeId(forge)}:${forge.kind}:${repoFullName(repo).toLowerCase()}@${sha.toLowerCase()}`;
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const loading = forge
      .readFile(repo, REPO_FILE_PATH, sha)
      .then((text) => (text === undefined ? undefined : parseRepoFile(text, REPO_FILE_PATH)));
    this.#cache.set(key, loading);
    loading.catch(() => {
      if (this.#cache.get(key) === loading) this.#cache.delete(key);
    });
    while (this.#cache.size > this.#maxEntries) this.#cache.delete(this.#cache.keys().next().value!);
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
