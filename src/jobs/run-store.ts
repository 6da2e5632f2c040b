// Where runs live between the webhook that starts them, the worker that dispatches them and the
// callback that ends them. Two implementations: Redis (shared by every process of a deployment)
// and memory (the embedded, single-process mode). test/run-store.test.ts holds both to one suite.
import type { RepoRef } from '../forge/types.js';
import type { RunRecord } from './run-record.js';

/** What update() did: the record before, and after (the same object when mutate declined). */
export interface RunUpdate {
  before: RunRecord;
  after: RunRecord;
  changed: boolean;
}

export interface RunStore {
  /**
   * Stores a new run unless an unfinished run holds the same active key; then answers that run's id.
   * The run is indexed under its change until finish().
   */
  create(run: RunRecord): Promise<{ created: true } | { created: false; existing: string }>;
  get(id: string): Promise<RunRecord | undefined>;
  /** Several runs at once (Redis: one round trip), in the order of `ids`; undefined where none is stored. */
  getMany(ids: readonly string[]): Promise<Array<RunRecord | undefined>>;
  /**
   * Applies `mutate` atomically with respect to other updates of the run, from any process.
   * `mutate` returns the new record, or undefined to leave it as it is; it may run more than once.
   * The store bumps `version` and `updatedAt` of what it stores.
   */
  update(id: string, mutate: (run: RunRecord) => RunRecord | undefined): Promise<RunUpdate | undefined>;
  /** Releases what an unfinished run holds: its active key, its change index entry, its slot (slotKey). */
  finish(run: RunRecord): Promise<void>;
  /** Ids of the change's runs that have not finished. */
  unfinishedForChange(repo: RepoRef, change: number): Promise<string[]>;

  /** Takes one of `max` slots of `key` for the run (max_concurrency); true if it holds one. */
  acquireSlot(key: string, max: number, runId: string, ttlMs: number): Promise<boolean>;
  releaseSlot(key: string, runId: string): Promise<void>;

  /** Remembers which run a runner-side id (pipeline, workflow run) belongs to. */
  linkExternal(system: string, externalId: string, runId: string): Promise<void>;
  findExternal(system: string, externalId: string): Promise<string | undefined>;

  /** A command run's output, capped (the start is dropped first). */
  appendLog(id: string, text: string): Promise<void>;
  readLog(id: string): Promise<string | undefined>;

  close(): Promise<void>;
}

/** How long finished runs and their logs are kept. */
export const RUN_RETENTION_SECONDS = 14 * 24 * 3600;
/** Most bytes of output kept per run. */
export const MAX_LOG_BYTES = 1024 * 1024;

export const changeIndexKey = (repo: RepoRef, change: number): string => `${repo.forge}/${repo.owner}/${repo.name}/pr/${change}`;
