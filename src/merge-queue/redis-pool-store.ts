// The pool store on Redis, shared by every process of a deployment. A pool's lock is a key holding
// a random token (SET NX PX); renewal and release compare the token in Lua, so a holder that lost
// the lock cannot extend or delete its successor's. A record is a JSON string saved by a Lua script
// that first checks the lock's token: the fence against a holder paused past its TTL.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
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

// KEYS: lock; ARGV: token, ttl ms
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// KEYS: lock; ARGV: token
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

// KEYS: lock, record, index; ARGV: token, json, pool
const SAVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

class RedisPoolLock implements PoolLock {
  #stopRenewal: (() => void) | undefined;
  #held = true;

  constructor(
    readonly store: RedisPoolStore,
    readonly key: string,
    readonly redisKey: string,
    readonly token: string,
    private readonly redis: Redis,
    ttlMs: number,
    renewal: RenewalTimer,
    private readonly onEnd: (lock: RedisPoolLock) => void,
  ) {
    this.#stopRenewal = renewal(() => this.#renew(ttlMs), Math.max(1, Math.floor(ttlMs / 3)));
  }

  /** False once this process knows the lock is gone (released, closed, or a renewal found another token). */
  get maybeHeld(): boolean {
    return this.#held;
  }

  async held(): Promise<boolean> {
    if (!this.#held) return false;
    if ((await this.redis.get(this.redisKey)) === this.token) return true;
    this.lost();
    return false;
  }

  /** Rejects if Redis cannot be reached; the lock then lapses after its TTL. */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.lost();
    await this.redis.eval(RELEASE, 1, this.redisKey, this.token);
  }

  lost(): void {
    this.#held = false;
    this.#stopRenewal?.();
    this.#stopRenewal = undefined;
    this.onEnd(this);
  }

  async #renew(ttlMs: number): Promise<void> {
    if (!this.#held) return;
    try {
      const renewed = await this.redis.eval(RENEW, 1, this.redisKey, this.token, String(ttlMs));
      if (renewed !== 1) this.lost();
    } catch {
      // Redis unreachable: the next tick tries again; if the key lapses meanwhile, the next renewal,
      // held() and save() all find another token (or none) and answer that the lock is lost.
    }
  }
}

export class RedisPoolStore implements PoolStore {
  readonly #redis: Redis;
  readonly #ownsClient: boolean;
  readonly #locks = new Set<RedisPoolLock>();
  readonly #renewal: RenewalTimer;

  /** With a URL the store makes its own client and quits it on close; a client passed in stays open. */
  constructor(
    redis: Redis | string,
    private readonly prefix: string,
    options: { renewal?: RenewalTimer } = {},
  ) {
    this.#renewal = options.renewal ?? intervalRenewal;
    this.#ownsClient = typeof redis === 'string';
    this.#redis = typeof redis === 'string' ? new Redis(redis, { maxRetriesPerRequest: 3 }) : redis;
  }

  #key(...parts: string[]): string {
    return [this.prefix, 'mq', ...parts].join(':');
  }

  async lock(pool: string, ttlMs: number): Promise<PoolLock | undefined> {
    const ttl = checkTtl(ttlMs);
    const key = this.#key('lock', pool);
    const token = randomUUID();
    if ((await this.#redis.set(key, token, 'PX', ttl, 'NX')) !== 'OK') return undefined;
    const lock = new RedisPoolLock(this, pool, key, token, this.#redis, ttl, this.#renewal, (ended) => this.#locks.delete(ended));
    this.#locks.add(lock);
    return lock;
  }

  async load(pool: string): Promise<PoolRecord | undefined> {
    const json = await this.#redis.get(this.#key('pool', pool));
    return json ? recordFromStore(JSON.parse(json) as PoolRecord) : undefined;
  }

  async save(lock: PoolLock, record: PoolRecord): Promise<boolean> {
    if (!(lock instanceof RedisPoolLock) || lock.store !== this)
      throw new TypeError(`pool ${lock.key}: save with a lock another store took`);
    if (!lock.maybeHeld) return false;
    const saved = await this.#redis.eval(
      SAVE,
      3,
      lock.redisKey,
      this.#key('pool', lock.key),
      this.#key('pools'),
      lock.token,
      JSON.stringify(recordToStore(record)),
      lock.key,
    );
    if (saved === 1) return true;
    lock.lost();
    return false;
  }

  async pools(): Promise<string[]> {
    return (await this.#redis.smembers(this.#key('pools'))).sort();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#locks].map((lock) => lock.release().catch(() => {})));
    if (this.#ownsClient) await this.#redis.quit().catch(() => {});
  }
}
