// The durable queue: BullMQ on Redis. Any number of processes (the server and `ci-orchestrator
// worker`s) share it. Delivery ids are de-duplicated with their own Redis key (SET NX with a TTL),
// independent of job retention, because a BullMQ jobId stops de-duplicating once the job is removed.
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  DEDUP_TTL_SECONDS,
  type Delivery,
  type DeliveryHandler,
  deliveryKey,
  type EnqueueOutcome,
  type EventQueue,
} from './event-queue.js';

export interface BullMqQueueOptions {
  redisUrl: string;
  log: Logger;
  /** key prefix in Redis (REDIS_PREFIX); tests use a unique one */
  prefix?: string;
  queueName?: string;
  /** how long ready() waits for Redis to answer before it gives up (ms) */
  readyTimeoutMs?: number;
}

/** A Redis on the local network answers in milliseconds; a start that waits longer would look hung. */
const READY_TIMEOUT_MS = 3_000;

/** Redis did not answer at start: the service cannot run, and the message says where it looked. */
export class RedisUnavailableError extends Error {}

/** The URL without its user and password, for messages. */
export function redisUrlForLog(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '';
      parsed.password = '';
    }
    return parsed.toString();
  } catch {
    return 'REDIS_URL (not a URL)';
  }
}

export class BullMqQueue implements EventQueue {
  readonly kind = 'bullmq';
  readonly durable = true;
  readonly #producer: Redis;
  readonly #queue: Queue<Delivery>;
  readonly #prefix: string;
  readonly #options: BullMqQueueOptions;
  #worker?: Worker<Delivery>;
  #workerConnection?: Redis;
  /** Until Redis has answered once, its errors are ready()'s to report, not one log line per reconnect. */
  #wasReady = false;

  constructor(options: BullMqQueueOptions) {
    this.#options = options;
    this.#prefix = options.prefix ?? 'ci-orchestrator';
    // The webhook path fails fast when Redis is away (the route answers 503 and the forge may
    // redeliver) instead of holding requests past the forge's 10 s deadline.
    this.#producer = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.#producer.on('error', (err) => {
      if (this.#wasReady) options.log.warn({ err }, 'redis (producer) error');
    });
    this.#queue = new Queue<Delivery>(options.queueName ?? 'deliveries', {
      connection: this.#producer,
      prefix: this.#prefix,
      defaultJobOptions: {
        attempts: 3,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
    this.#queue.on('error', (err) => {
      if (this.#wasReady) options.log.warn({ err }, 'queue error');
    });
  }

  /**
   * Connects, so a wrong REDIS_URL fails at start rather than on the first webhook. Rejects with a
   * RedisUnavailableError when Redis refuses, or does not answer within readyTimeoutMs.
   */
  async ready(): Promise<void> {
    const timeoutMs = this.#options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const where = `Redis at ${redisUrlForLog(this.#options.redisUrl)} (REDIS_URL)`;
    if (this.#producer.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const settle = (err?: Error) => {
          clearTimeout(timer);
          this.#producer.off('ready', onReady).off('error', onError);
          if (err) reject(err);
          else resolve();
        };
        const onReady = () => settle();
        const onError = (err: Error) => settle(new RedisUnavailableError(`cannot reach ${where}: ${err.message}`, { cause: err }));
        const timer = setTimeout(
          () => settle(new RedisUnavailableError(`${where} did not answer within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        this.#producer.once('ready', onReady).once('error', onError);
      });
    }
    await this.#queue.waitUntilReady();
    this.#wasReady = true;
  }

  async enqueue(delivery: Delivery): Promise<EnqueueOutcome> {
    const key = deliveryKey(delivery);
    const seenKey = `${this.#prefix}:seen:${key}`;
    const first = await this.#producer.set(seenKey, '1', 'EX', DEDUP_TTL_SECONDS, 'NX');
    if (first !== 'OK') return 'duplicate';
    try {
      // BullMQ job ids may not contain ':'.
      await this.#queue.add('delivery', delivery, { jobId: key.replaceAll(':', '_') });
    } catch (err) {
      // Not queued, so not seen: a redelivery must be able to try again.
      await this.#producer.del(seenKey).catch(() => {});
      throw err;
    }
    return 'queued';
  }

  work(handler: DeliveryHandler, options: { concurrency: number }): void {
    // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null on their connection.
    this.#workerConnection = new Redis(this.#options.redisUrl, { maxRetriesPerRequest: null });
    this.#worker = new Worker<Delivery>(this.#queue.name, (job: Job<Delivery>) => handler(job.data), {
      connection: this.#workerConnection,
      prefix: this.#prefix,
      concurrency: options.concurrency,
    });
    this.#worker.on('error', (err) => this.#options.log.warn({ err }, 'worker error'));
    this.#worker.on('failed', (job, err) =>
      this.#options.log.error({ err, delivery: job?.data.deliveryId, attempts: job?.attemptsMade }, 'delivery failed'),
    );
  }

  /** Jobs by state, for /metrics and tests. */
  counts(): Promise<Record<string, number>> {
    return this.#queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  async close(): Promise<void> {
    // Worker.close() waits for active jobs; then the producer side goes.
    await this.#worker?.close();
    await this.#workerConnection?.quit().catch(() => {});
    // A producer that never connected would wait forever for a graceful QUIT.
    if (this.#producer.status !== 'ready') this.#producer.disconnect();
    await this.#queue.close();
    await this.#producer.quit().catch(() => {});
  }
}
