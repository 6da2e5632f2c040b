// Where the merge queue keeps each pool between syncs, and the per-pool lock that makes one process
// at a time act on a pool. A sync takes the pool's lock, loads the record, plans with the engine,
// carries out the actions, saves the record and releases the lock. Two implementations: Redis
// (shared by every process of a deployment) and memory (the embedded, single-process mode);
// test/merge-queue/pool-store.test.ts holds both to one suite.
//
// Fencing: a process paused past the lock's TTL loses the lock to another. Its save() then answers
// false and writes nothing, checked atomically with the lock's token. The sync loop should also ask
// lock.held() right before a slow, irreversible action (a merge); a lock can still lapse during
// that action, so the TTL must comfortably exceed one action's duration.
import type { PoolMemory, TestKind, TestState } from './types.js';

/** Most history entries a record keeps, newest first. */
export const HISTORY_LIMIT = 100;

export interface HistoryEntry {
  /** ms since epoch */
  at: number;
  action: 'merge' | 'test' | 'cancel' | 'refused' | 'blamed';
  baseSha: string;
  pulls: number[];
  detail: string;
}

/** The last sync of a pool, for the API and the dashboard. */
export interface PoolSummary {
  /** ms since epoch */
  at: number;
  baseSha: string;
  /** pool members' numbers, priority order */
  members: number[];
  /** tests in flight; `kind` absent in records written before it was kept */
  tests: Array<{ id: string; pulls: number[]; prefix: number; kind?: TestKind; state: TestState; startedAt: number }>;
  /** the last sync's error, when it failed */
  error?: string;
}

export interface PoolRecord {
  memory: PoolMemory;
  /** run ids started for each engine test id */
  runs: Record<string, string[]>;
  /** the merge-queue status last written per change number (`state|description`), so unchanged statuses are not rewritten */
  written: Record<string, string>;
  /** newest first, at most HISTORY_LIMIT: what the queue did, for the dashboard */
  history: HistoryEntry[];
  /** changes the queue labelled needs-rebase, with the head that conflicted: a new head lifts it */
  needsRebase?: Record<string, string>;
  /** the last sync */
  view?: PoolSummary;
}

export interface PoolLock {
  /** the pool's key (`github/acme/widgets:main`) */
  readonly key: string;
  /** True while still held: re-checked in the store (Redis), so it answers false once the lock lapsed or was taken. */
  held(): Promise<boolean>;
  /** Ends renewal and gives the lock up if still held; idempotent. */
  release(): Promise<void>;
}

export interface PoolStore {
  /**
   * Takes the pool's lock for ttlMs (renewed automatically every ttl/3 while held), or undefined if
   * another holder has it (this process included: the lock is not re-entrant).
   */
  lock(pool: string, ttlMs: number): Promise<PoolLock | undefined>;
  load(pool: string): Promise<PoolRecord | undefined>;
  /**
   * Saves the record of lock.key only while `lock` is still held (fencing: checked atomically with
   * the lock's token); answers false if the lock was lost or released, and nothing was written.
   * History beyond HISTORY_LIMIT is dropped.
   */
  save(lock: PoolLock, record: PoolRecord): Promise<boolean>;
  /** every pool with a record, sorted, for the API */
  pools(): Promise<string[]>;
  /** Ends renewal of every lock this store still holds and releases them; later saves with them answer false. */
  close(): Promise<void>;
}

export const emptyRecord = (memory: PoolMemory): PoolRecord => ({ memory, runs: {}, written: {}, history: [] });

/** Adds entries (oldest first, as they happened) to the front of the record's history, capped. */
export function addHistory(record: PoolRecord, ...entries: HistoryEntry[]): PoolRecord {
  return { ...record, history: [...entries.reverse(), ...record.history].slice(0, HISTORY_LIMIT) };
}

/** A record as stored: history capped. */
export function recordToStore(record: PoolRecord): PoolRecord {
  return record.history.length > HISTORY_LIMIT ? { ...record, history: record.history.slice(0, HISTORY_LIMIT) } : record;
}

/** A stored record, with defaults for fields a record written by an older version may lack. */
export function recordFromStore(stored: Partial<PoolRecord> & Pick<PoolRecord, 'memory'>): PoolRecord {
  return { ...stored, runs: stored.runs ?? {}, written: stored.written ?? {}, history: stored.history ?? [] };
}

/**
 * Calls `renew` every `everyMs` until the function it answers is called. The stores take one so a
 * test can renew a lock when it says, rather than when a busy machine gets round to a timer.
 */
export type RenewalTimer = (renew: () => Promise<void> | void, everyMs: number) => () => void;

export const intervalRenewal: RenewalTimer = (renew, everyMs) => {
  const timer = setInterval(() => void renew(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
};

/** The ttl a lock accepts: a whole number of ms, at least 3 so renewal has a period. */
export function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs < 3) throw new RangeError(`pool lock ttl must be at least 3 ms, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}
