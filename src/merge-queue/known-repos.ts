// The repos the merge queue syncs. A repo's config does not say which forge it lives on nor which
// GitHub App installation covers it, so the queue learns each repo from its events and remembers
// it (in Redis, for every process and across restarts; in memory in the embedded mode).
import type { Redis } from 'ioredis';
import { type RepoRef, repoFullName } from '../forge/types.js';

export interface KnownRepo {
  repo: RepoRef;
  installationId?: number;
}

export interface KnownRepos {
  remember(entry: KnownRepo): Promise<void>;
  all(): Promise<KnownRepo[]>;
}

export const knownRepoKey = (repo: RepoRef): string => `${repo.forge}/${repoFullName(repo)}`.toLowerCase();

export class MemoryKnownRepos implements KnownRepos {
  readonly #repos = new Map<string, KnownRepo>();

  async remember(entry: KnownRepo): Promise<void> {
    this.#repos.set(knownRepoKey(entry.repo), entry);
  }

  async all(): Promise<KnownRepo[]> {
    return [...this.#repos.values()];
  }
}

export class RedisKnownRepos implements KnownRepos {
  readonly #key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.#key = `${prefix}:mq:repos`;
  }

  async remember(entry: KnownRepo): Promise<void> {
    await this.redis.hset(this.#key, knownRepoKey(entry.repo), JSON.stringify(entry));
  }

  async all(): Promise<KnownRepo[]> {
    return Object.values(await this.redis.hgetall(this.#key)).map((text) => JSON.parse(text) as KnownRepo);
  }
}
