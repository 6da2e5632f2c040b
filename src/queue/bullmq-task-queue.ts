// Tasks on BullMQ: durable, shared by every process. A task whose worker dies mid-way is "stalled"
// and picked up again by another worker once its lock expires.
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PostponeTask, type Task, type TaskHandler, type TaskOptions, type TaskQueue } from './task-queue.js';

export interface BullMqTaskQueueOptions {
  redisUrl: string;
  prefix: string;
  queueName: string;
  log: Logger;
  backoffMs: number;
  /** how long a worker's lock on a task lasts without renewal: a dead worker's task restarts after it */
  lockDurationMs?: number;
  onFailed(task: Task, err: unknown): void;
}

export class BullMqTaskQueue implements TaskQueue {
  readonly #connection: Redis;
  readonly #queue: Queue<Task>;
  #worker?: Worker<Task>;
  #workerConnection?: Redis;

  constructor(private readonly options: BullMqTaskQueueOptions) {
    this.#connection = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.#connection.on('error', (err) => options.log.warn({ err }, `redis (${options.queueName}) error`));
    this.#queue = new Queue<Task>(options.queueName, {
      connection: this.#connection,
      prefix: options.prefix,
      defaultJobOptions: {
        backoff: { type: 'exponential', delay: options.backoffMs },
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      },
    });
    this.#queue.on('error', (err) => options.log.warn({ err }, `queue ${options.queueName} error`));
  }

  async ready(): Promise<void> {
    await this.#queue.waitUntilReady();
  }

  async add(task: Task, options: TaskOptions): Promise<void> {
    await this.#queue.add(task.name, task, { jobId: options.id, delay: options.delayMs, attempts: options.attempts ?? 1 });
  }

  work(handler: TaskHandler, options: { concurrency: number }): void {
    this.#workerConnection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    this.#worker = new Worker<Task>(
      this.#queue.name,
      async (job: Job<Task>, token?: string) => {
        try {
          await handler(job.data, { attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 });
        } catch (err) {
          if (!(err instanceof PostponeTask)) throw err;
          await job.moveToDelayed(Date.now() + err.delayMs, token);
          throw new DelayedError();
        }
      },
      {
        connection: this.#workerConnection,
        prefix: this.options.prefix,
        concurrency: options.concurrency,
        lockDuration,
        stalledInterval: lockDuration,
        maxStalledCount: 2,
      },
    );
    this.#worker.on('error', (err) => this.options.log.warn({ err }, `worker ${this.options.queueName} error`));
    this.#worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) this.options.onFailed(job.data, err);
    });
  }

  /** Stops this process's worker without waiting for its tasks or releasing their locks, as a crash would. */
  async crash(): Promise<void> {
    await this.#worker?.close(true);
    this.#workerConnection?.disconnect();
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    await this.#workerConnection?.quit().catch(() => {});
    if (this.#connection.status !== 'ready') this.#connection.disconnect();
    await this.#queue.close();
    await this.#connection.quit().catch(() => {});
  }
}
