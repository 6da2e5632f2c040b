// The real Redis the integration tests use, with a unique key prefix per test and cleanup.
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { redisUrlForLog } from '../../src/queue/bullmq-queue.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Fails the test file at once, saying what to do, when no Redis answers: ioredis would otherwise
 * retry without end and every test would hang.
 */
async function requireRedis(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 3000, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let firstError: Error | undefined;
  probe.on('error', (err: Error) => { firstError ??= err; });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const reason = (firstError ?? (err as Error)).message;
    throw new Error(`Redis not reachable at ${redisUrlForLog(url)} (${reason}): start one (bash .ci/run starts one), or set REDIS_URL`);
  } finally {
    probe.disconnect();
  }
}

await requireRedis(REDIS_URL);

const prefixes: string[] = [];
const clients: Redis[] = [];

/** A fresh prefix; its keys are deleted after the test file. */
export function testPrefix(): string {
  const prefix = `test-${randomUUID()}`;
  prefixes.push(prefix);
  return prefix;
}

/** A client closed after the test file. */
export function redisClient(): Redis {
  const client = new Redis(REDIS_URL);
  clients.push(client);
  return client;
}

after(async () => {
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
  await Promise.all(clients.map((c) => c.quit().catch(() => {})));
});

export { until } from './wait.js';
