// One suite for both pool stores (Redis, memory), so they behave alike behind PoolStore: the lock
// is exclusive, renewed while held, lost when its holder stops renewing past the TTL, and a holder
// that lost it cannot save over its successor.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryPoolStore } from '../../src/merge-queue/memory-pool-store.js';
import {
  addHistory,
  emptyRecord,
  HISTORY_LIMIT,
  type HistoryEntry,
  type PoolRecord,
  type PoolStore,
  type RenewalTimer,
} from '../../src/merge-queue/pool-store.js';
import { RedisPoolStore } from '../../src/merge-queue/redis-pool-store.js';
import { emptyMemory } from '../../src/merge-queue/types.js';
import { REDIS_URL, redisClient, testPrefix } from '../helpers/redis.js';

const SHA = 'a'.repeat(40);

/**
 * Two stores over one state (two processes for Redis; one store twice in memory), renewing their
 * locks only when the test calls renew(); a way to make a pool's lock lapse now, or in a few ms.
 */
interface Setup {
  a: PoolStore;
  b: PoolStore;
  renew(): Promise<void>;
  lapse(pool: string, inMs?: number): Promise<void>;
}

/** A renewal timer that fires when the test says, for every lock still renewing. */
function manualRenewal(): { timer: RenewalTimer; renew(): Promise<void> } {
  const renewing = new Set<() => Promise<void> | void>();
  return {
    timer: (renew) => {
      renewing.add(renew);
      return () => renewing.delete(renew);
    },
    renew: async () => {
      await Promise.all([...renewing].map((renew) => renew()));
    },
  };
}

const prefixes: string[] = [];

const setups: Array<[string, () => Setup]> = [
  [
    'memory',
    () => {
      const renewal = manualRenewal();
      const store = new MemoryPoolStore({ renewal: renewal.timer });
      return { a: store, b: store, renew: renewal.renew, lapse: async (pool, inMs) => store.expire(pool, inMs) };
    },
  ],
  [
    'redis',
    () => {
      const prefix = testPrefix();
      prefixes.push(prefix);
      const raw = redisClient();
      const renewal = manualRenewal();
      return {
        a: new RedisPoolStore(redisClient(), prefix, { renewal: renewal.timer }),
        b: new RedisPoolStore(redisClient(), prefix, { renewal: renewal.timer }),
        renew: renewal.renew,
        lapse: async (pool, inMs) => {
          const key = `${prefix}:mq:lock:${pool}`;
          await (inMs ? raw.pexpire(key, inMs) : raw.del(key));
        },
      };
    },
  ],
];

let seq = 0;
const newPool = () => `github/acme/widgets-${++seq}:main`;

function record(detail: string): PoolRecord {
  const memory = emptyMemory();
  memory.tests.push({
    id: 'github/acme/widgets:main:1',
    baseSha: SHA,
    pulls: [{ number: 7, headSha: 'b'.repeat(40) }],
    prefix: 0,
    contexts: ['ci/unit'],
    startedAt: 1000,
  });
  memory.seq = 1;
  return {
    memory,
    runs: { 'github/acme/widgets:main:1': ['run-1', 'run-2'] },
    written: { 7: 'pending|In merge pool.' },
    history: [{ at: 1000, action: 'test', baseSha: SHA, pulls: [7], detail }],
    view: {
      at: 1000,
      baseSha: SHA,
      members: [7],
      tests: [{ id: 'github/acme/widgets:main:1', pulls: [7], prefix: 0, state: 'pending', startedAt: 1000 }],
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [name, setup] of setups) {
  describe(`PoolStore: ${name}`, () => {
    it('lock is exclusive until released; other pools are independent', async () => {
      const { a, b } = setup();
      const pool = newPool();
      const other = newPool();
      const first = await a.lock(pool, 10_000);
      assert.ok(first);
      assert.equal(first.key, pool);
      assert.equal(await a.lock(pool, 10_000), undefined, 'not re-entrant');
      assert.equal(await b.lock(pool, 10_000), undefined);
      const second = await b.lock(other, 10_000);
      assert.ok(second, 'another pool is free');
      assert.equal(await first.held(), true);
      await first.release();
      assert.equal(await first.held(), false);
      await first.release(); // idempotent
      const again = await b.lock(pool, 10_000);
      assert.ok(again);
      assert.equal(await second.held(), true, 'releasing one pool leaves the other held');
      await Promise.all([again.release(), second.release()]);
    });

    it('a holder paused past the TTL loses the lock to another, and its save is refused without overwriting', async () => {
      const { a, b, renew } = setup();
      const pool = newPool();
      const stale = await a.lock(pool, 60);
      assert.ok(stale);
      await sleep(120); // paused: no renewal, and the TTL runs out (a wait can only be longer, never shorter)
      const fresh = await b.lock(pool, 10_000);
      assert.ok(fresh, 'the lapsed lock can be taken');
      assert.equal(await b.save(fresh, record('new holder')), true);
      assert.equal(await a.save(stale, record('old holder')), false);
      assert.equal(await stale.held(), false);
      assert.equal((await b.load(pool))?.history[0]?.detail, 'new holder');
      // The old holder's renewal and release must not touch the new holder's lock.
      await renew();
      await stale.release();
      assert.equal(await fresh.held(), true);
      assert.equal(await a.lock(pool, 10_000), undefined);
      await fresh.release();
    });

    it('a lock that lapsed is refused at save even before anyone else takes it', async () => {
      const { a, b, lapse } = setup();
      const pool = newPool();
      const lock = await a.lock(pool, 10_000);
      assert.ok(lock);
      assert.equal(await a.save(lock, record('first')), true);
      await lapse(pool);
      assert.equal(await a.save(lock, record('second')), false);
      assert.equal((await b.load(pool))?.history[0]?.detail, 'first');
      const next = await b.lock(pool, 10_000);
      assert.ok(next);
      assert.equal(await a.save(lock, record('third')), false);
      await next.release();
    });

    it('renewal keeps a lock alive past its TTL while held', async () => {
      const { a, b, renew, lapse } = setup();
      const pool = newPool();
      const lock = await a.lock(pool, 10_000);
      assert.ok(lock);
      await lapse(pool, 50); // its time nearly out, as if the TTL had almost passed
      await renew();
      await sleep(100); // past what it had left: only the renewal keeps it
      assert.equal(await lock.held(), true);
      assert.equal(await b.lock(pool, 10_000), undefined);
      assert.equal(await a.save(lock, record('renewed')), true);
      await lock.release();
      // Released: no renewal revives it, and it is free at once.
      await renew();
      const next = await b.lock(pool, 10_000);
      assert.ok(next);
      await next.release();
    });

    it('load/save round-trip; pools() lists pools with a record', async () => {
      const { a, b } = setup();
      const [p1, p2, p3] = [newPool(), newPool(), newPool()];
      assert.equal(await a.load(p1), undefined);
      assert.deepEqual(await a.pools(), []);
      const saved = record('round trip');
      for (const pool of [p2, p1]) {
        const lock = await a.lock(pool, 10_000);
        assert.ok(lock);
        assert.equal(await a.save(lock, saved), true);
        await lock.release();
      }
      assert.deepEqual(await b.load(p1), saved);
      assert.deepEqual(await b.pools(), [p1, p2].sort());
      // A lock alone makes no record.
      const bare = await b.lock(p3, 10_000);
      await bare?.release();
      assert.deepEqual(await a.pools(), [p1, p2].sort());
      // Saving again replaces the record, and what load answered is a copy.
      const loaded = (await a.load(p1))!;
      loaded.memory.tests = [];
      assert.equal((await a.load(p1))?.memory.tests.length, 1);
      const lock = await b.lock(p1, 10_000);
      assert.ok(lock);
      assert.equal(await b.save(lock, emptyRecord(emptyMemory())), true);
      await lock.release();
      assert.deepEqual(await a.load(p1), emptyRecord(emptyMemory()));
    });

    it('caps history, newest first', async () => {
      const { a } = setup();
      const pool = newPool();
      const entries: HistoryEntry[] = Array.from({ length: HISTORY_LIMIT + 20 }, (_, i) => ({
        at: i,
        action: 'merge',
        baseSha: SHA,
        pulls: [i],
        detail: `#${i}`,
      }));
      const withHistory = addHistory(emptyRecord(emptyMemory()), ...entries);
      assert.equal(withHistory.history.length, HISTORY_LIMIT);
      assert.equal(withHistory.history[0]?.at, HISTORY_LIMIT + 19);
      const lock = await a.lock(pool, 10_000);
      assert.ok(lock);
      // Save caps too, whatever the caller built.
      assert.equal(await a.save(lock, { ...withHistory, history: [...entries].reverse() }), true);
      await lock.release();
      const loaded = await a.load(pool);
      assert.equal(loaded?.history.length, HISTORY_LIMIT);
      assert.equal(loaded?.history[0]?.at, HISTORY_LIMIT + 19);
    });

    it('stores racing to lock one pool: exactly one wins', async () => {
      const { a, b } = setup();
      for (let i = 0; i < 20; i++) {
        const pool = newPool();
        const locks = await Promise.all([a.lock(pool, 10_000), b.lock(pool, 10_000), a.lock(pool, 10_000), b.lock(pool, 10_000)]);
        const won = locks.filter((l) => l !== undefined);
        assert.equal(won.length, 1, `pool ${pool}`);
        await won[0]!.release();
      }
    });

    it('a released lock saves nothing; close releases what the store holds', async () => {
      const { a, b } = setup();
      const pool = newPool();
      const lock = await a.lock(pool, 10_000);
      assert.ok(lock);
      await lock.release();
      assert.equal(await a.save(lock, record('after release')), false);
      assert.equal(await a.load(pool), undefined);
      const other = newPool();
      const held = await a.lock(other, 10_000);
      assert.ok(held);
      if (a !== b) {
        await a.close();
        assert.equal(await held.held(), false);
        assert.equal(await a.save(held, record('after close')), false);
        const next = await b.lock(other, 10_000);
        assert.ok(next, 'free once the holder closed');
        await next.release();
      } else {
        await held.release();
      }
    });

    it('refuses a lock of another store', async () => {
      const other: PoolStore = name === 'memory' ? new MemoryPoolStore() : new RedisPoolStore(redisClient(), testPrefix());
      const { a } = setup();
      const lock = await other.lock(newPool(), 10_000);
      assert.ok(lock);
      await assert.rejects(a.save(lock, record('x')), TypeError);
      await lock.release();
    });

    if (name === 'redis') {
      it('leaves no lock behind, and no key once cleaned up', async () => {
        const redis = new Redis(REDIS_URL);
        try {
          for (const prefix of prefixes) {
            assert.deepEqual(await redis.keys(`${prefix}:mq:lock:*`), [], 'every lock was released');
            const keys = await redis.keys(`${prefix}:*`);
            if (keys.length > 0) await redis.del(...keys);
            assert.deepEqual(await redis.keys(`${prefix}:*`), []);
          }
        } finally {
          await redis.quit();
        }
      });

      it('a store made from a URL owns its client and quits it on close', async () => {
        const prefix = testPrefix();
        const store = new RedisPoolStore(REDIS_URL, prefix);
        const pool = newPool();
        const lock = await store.lock(pool, 10_000);
        assert.ok(lock);
        assert.equal(await store.save(lock, record('own client')), true);
        await store.close();
        const check = redisClient();
        assert.deepEqual(await check.keys(`${prefix}:mq:lock:*`), [], 'close released the lock');
        assert.deepEqual(await check.smembers(`${prefix}:mq:pools`), [pool]);
        // test/helpers/redis.ts deletes this prefix's keys after the file.
      });
    }
  });
}
