// One suite for both queues (BullMQ on the real Redis at REDIS_URL or 127.0.0.1:6379, and the
// embedded one), so they behave alike behind the EventQueue interface.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { BullMqQueue } from '../src/queue/bullmq-queue.js';
import { EmbeddedQueue } from '../src/queue/embedded-queue.js';
import type { Delivery, EventQueue } from '../src/queue/event-queue.js';
import { commentEvent } from './helpers/events.js';
import { REDIS_URL } from './helpers/redis.js';
import { until } from './helpers/wait.js';

const log = pino({ level: 'silent' });
const prefixes: string[] = [];

after(async () => {
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

function bullmq(prefix = `test-${randomUUID()}`): BullMqQueue {
  prefixes.push(prefix);
  return new BullMqQueue({ redisUrl: REDIS_URL, log, prefix });
}

const delivery = (id: string = randomUUID()): Delivery => ({ forge: 'github', deliveryId: id, events: [commentEvent('/hold')] });

const kinds: Array<[string, () => Promise<EventQueue>]> = [
  ['embedded', async () => new EmbeddedQueue()],
  [
    'bullmq',
    async () => {
      const q = bullmq();
      await q.ready();
      return q;
    },
  ],
];

for (const [name, create] of kinds) {
  describe(`EventQueue: ${name}`, () => {
    it('processes a delivery once, however often it is enqueued', async () => {
      const queue = await create();
      const seen: string[] = [];
      queue.work(
        async (d) => {
          seen.push(d.deliveryId);
        },
        { concurrency: 2 },
      );
      const d = delivery();
      assert.equal(await queue.enqueue(d), 'queued');
      assert.equal(await queue.enqueue(d), 'duplicate');
      await until(() => seen.length === 1);
      assert.equal(await queue.enqueue(d), 'duplicate', 'still a duplicate after processing');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(seen, [d.deliveryId]);
      assert.deepEqual(seen.length, 1);
      await queue.close();
    });

    it('hands the delivery over intact', async () => {
      const queue = await create();
      let got: Delivery | undefined;
      queue.work(
        async (d) => {
          got = d;
        },
        { concurrency: 1 },
      );
      const d = delivery();
      await queue.enqueue(d);
      await until(() => got !== undefined);
      assert.deepEqual(got, d);
      await queue.close();
    });

    it('on close, finishes the work in flight before returning', async () => {
      const queue = await create();
      let finished = false;
      let started = false;
      queue.work(
        async () => {
          started = true;
          await new Promise((r) => setTimeout(r, 300));
          finished = true;
        },
        { concurrency: 1 },
      );
      await queue.enqueue(delivery());
      await until(() => started);
      await queue.close();
      assert.equal(finished, true);
    });
  });
}

describe('EventQueue: bullmq across processes', () => {
  it('lets one instance enqueue and another work (server and `worker` processes)', async () => {
    const prefix = `test-${randomUUID()}`;
    const producer = bullmq(prefix);
    const consumer = bullmq(prefix);
    await Promise.all([producer.ready(), consumer.ready()]);
    const seen: string[] = [];
    consumer.work(
      async (d) => {
        seen.push(d.deliveryId);
      },
      { concurrency: 1 },
    );
    const d = delivery();
    await producer.enqueue(d);
    assert.equal(await consumer.enqueue(d), 'duplicate', 'de-duplication is shared through Redis');
    await until(() => seen.length === 1);
    await Promise.all([producer.close(), consumer.close()]);
  });

  it('retries a delivery whose handling failed, with backoff', async () => {
    const queue = bullmq();
    await queue.ready();
    let attempts = 0;
    queue.work(
      async () => {
        attempts++;
        if (attempts === 1) throw new Error('transient');
      },
      { concurrency: 1 },
    );
    await queue.enqueue(delivery());
    await until(() => attempts === 2);
    await queue.close();
  });

  it('keeps no secret in what it stores', async () => {
    const prefix = `test-${randomUUID()}`;
    const queue = bullmq(prefix);
    await queue.ready();
    await queue.enqueue(delivery('secret-check'));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    const dump = (
      await Promise.all(
        keys.map(async (k) => {
          const type = await redis.type(k);
          return type === 'hash' ? JSON.stringify(await redis.hgetall(k)) : type === 'string' ? await redis.get(k) : '';
        }),
      )
    ).join('\n');
    await redis.quit();
    assert.match(dump, /secret-check/);
    assert.doesNotMatch(dump, /token|private|PRIVATE|secret"/i);
    await queue.close();
  });

  it('fails fast with a clear error when Redis is unreachable', async () => {
    const queue = new BullMqQueue({ redisUrl: 'redis://127.0.0.1:1', log, prefix: `test-${randomUUID()}` });
    await assert.rejects(queue.ready(), /ECONNREFUSED|connect/);
    await queue.close().catch(() => {});
  });
});
