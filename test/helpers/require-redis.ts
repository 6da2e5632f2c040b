// Whether the Redis the tests use answers, asked once with a short timeout: ioredis would otherwise
// retry without end, and every test needing Redis would hang.
import { Redis } from 'ioredis';
import { redisUrlForLog } from '../../src/queue/bullmq-queue.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Rejects, saying what to do, when no Redis answers at `url` within 3 s. */
export async function requireRedis(url: string): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let firstError: Error | undefined;
  probe.on('error', (err: Error) => {
    firstError ??= err;
  });
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
