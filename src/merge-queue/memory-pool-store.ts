// The pool store of the embedded mode: one process, nothing survives a restart. Locks behave as
// the Redis store's do: a random token with an expiry, renewed every ttl/3 while held, and a save
// fenced by the token, so the sync loop is the same with either store.
import { randomUUID } from 'node:crypto';
import {
  checkTtl,
  intervalRenewal,
  type PoolLock,
  type PoolRecord,
  type PoolStore,
  type RenewalTimer,
  recordFromStore,
  recordToStore,
} from './pool-store.js';

interface Held {
  token: string;
  /** ms since epoch */
  expiresAt: number;
}

class MemoryPoolLock implements PoolLock {
  #stopRenewal: (() => void) | undefined;
  #held = true;

  constructor(
    readonly store: MemoryPoolStore,
    readonly key: string,
    readonly token: string,
    private readonly locks: Map<string, Held>,
    ttlMs: number,
    renewal: RenewalTimer,
    private readonly onEnd: (lock: MemoryPoolLock) => void,
  ) {
    this.#stopRenewal = renewal(() => this.#renew(ttlMs), Math.max(1, Math.floor(ttlMs / 3)));
  }

  /** True while the lock is this one's and has not expired; marks it lost otherwise. */
  isHeld(): boolean {
    if (!this.#held) return false;
    const entry = this.locks.get(this.key);
    if (entry?.token === this.token && entry.expiresAt > Date.now()) return true;
    this.lost();
    return false;
  }

  async held(): Promise<boolean> {
    return this.isHeld();
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    if (this.locks.get(this.key)?.token === this.token) this.locks.delete(this.key);
    this.lost();
  }

  lost(): void {
    this.#held = false;
    this.#stopRenewal?.();
    this.#stopRenewal = undefined;
    this.onEnd(this);
  }

  #renew(ttlMs: number): void {
    if (this.isHeld()) this.locks.get(this.key)!.expiresAt = Date.now() + ttlMs;
  }
}

export class MemoryPoolStore implements PoolStore {
  readonly #records = new Map<string, PoolRecord>();
  readonly #locks = new Map<string, Held>();
  readonly #mine = new Set<MemoryPoolLock>();
  readonly #renewal: RenewalTimer;

  constructor(options: { renewal?: RenewalTimer } = {}) {
    this.#renewal = options.renewal ?? intervalRenewal;
  }

  async lock(pool: string, ttlMs: number): Promise<PoolLock | undefined> {
    const ttl = checkTtl(ttlMs);
    const now = Date.now();
    const existing = this.#locks.get(pool);
    if (existing && existing.expiresAt > now) return undefined;
    const token = randomUUID();
    this.#locks.set(pool, { token, expiresAt: now + ttl });
    const lock = new MemoryPoolLock(this, pool, token, this.#locks, ttl, this.#renewal, (ended) => this.#mine.delete(ended));
    this.#mine.add(lock);
    return lock;
  }

  async load(pool: string): Promise<PoolRecord | undefined> {
    const record = this.#records.get(pool);
    return record && recordFromStore(structuredClone(record));
  }

  async save(lock: PoolLock, record: PoolRecord): Promise<boolean> {
    if (!(lock instanceof MemoryPoolLock) || lock.store !== this)
      throw new TypeError(`pool ${lock.key}: save with a lock another store took`);
    if (!lock.isHeld()) return false;
    this.#records.set(lock.key, structuredClone(recordToStore(record)));
    return true;
  }

  async pools(): Promise<string[]> {
    return [...this.#records.keys()].sort();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#mine].map((lock) => lock.release()));
  }

  /** For tests: the pool's lock lapses in `inMs` (now by default), as if its holder had stopped renewing. */
  expire(pool: string, inMs = 0): void {
    const held = this.#locks.get(pool);
    if (held) held.expiresAt = Date.now() + inMs;
  }
}
