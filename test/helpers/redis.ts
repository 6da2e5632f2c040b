// The real Redis the integration tests use, with a unique key prefix per test and cleanup.
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_URL, requireRedis } from './require-redis.js';

export { REDIS_URL };

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
