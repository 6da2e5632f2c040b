// When pools are synced: every sync period for all known repos, and soon after an event nudges one
// repo. On Redis this is a BullMQ job scheduler, so one process of the deployment runs each tick,
// and nudges are de-duplicated jobs; in the embedded mode, timers. Either way a sync that runs
// twice is harmless: each pool's lock lets one process act on it at a time.
import { createHash } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What to sync: every known repo, or one (by its known-repos key). */
export type SyncJob = { kind: 'all' } | { kind: 'repo'; repo: string };
export type SyncHandler = (job: SyncJob) => Promise<void>;

export interface SyncSchedule {
  /** Syncs the repo after `delayMs` (several nudges in that time make one sync). */
  nudge(repo: string, delayMs: number): Promise<void>;
  /** Starts the periodic sync and the nudged ones in this process. */
  start(handler: SyncHandler): Promise<void>;
  /** Changes the period of the periodic sync (a configuration reload). */
  setPeriod(periodMs: number): Promise<void>;
  close(): Promise<void>;
}

const QUEUE = 'merge-queue';
const SCHEDULER = 'merge-queue-sync';
/** Repos synced at once by one process. */
const CONCURRENCY = 4;

export class BullMqSyncSchedule implements SyncSchedule {
  readonly #connection: Redis;
  readonly #queue: Queue<SyncJob>;
  #worker?: Worker<SyncJob>;
  #workerConnection?: Redis;

  #periodMs: number;
  #started = false;

  constructor(private readonly options: { redisUrl: string; prefix: string; periodMs: number; log: Logger }) {
    this.#periodMs = options.periodMs;
    this.#connection = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    this.#connection.on('error', (err) => options.log.warn({ err }, 'redis (merge queue) error'));
    this.#queue = new Queue<SyncJob>(QUEUE, {
      connection: this.#connection,
      prefix: options.prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 100 } },
    });
  }

  async nudge(repo: string, delayMs: number): Promise<void> {
    // BullMQ ignores a job whose id it still holds: nudges within one delay make one sync. The time
    // bucket in the id lets a nudge made while that sync runs (its own merge) queue the next one.
    const bucket = Math.floor(Date.now() / Math.max(1, delayMs));
    const id = `sync-${createHash('sha1').update(repo).digest('hex')}-${bucket}`;
    await this.#queue.add('sync-repo', { kind: 'repo', repo }, { jobId: id, delay: delayMs });
  }

  async start(handler: SyncHandler): Promise<void> {
    this.#started = true;
    await this.#upsertScheduler();
    this.#workerConnection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.#worker = new Worker<SyncJob>(QUEUE, (job) => handler(job.data), {
      connection: this.#workerConnection,
      prefix: this.options.prefix,
      concurrency: CONCURRENCY,
    });
    this.#worker.on('error', (err) => this.options.log.warn({ err }, 'merge queue worker error'));
  }

  async setPeriod(periodMs: number): Promise<void> {
    this.#periodMs = periodMs;
    if (this.#started) await this.#upsertScheduler();
  }

  // Upserting from every process is fine: there is one scheduler per id, whoever wrote it last.
  #upsertScheduler(): Promise<unknown> {
    return this.#queue.upsertJobScheduler(SCHEDULER, { every: this.#periodMs }, { name: 'sync-all', data: { kind: 'all' } });
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    await this.#workerConnection?.quit().catch(() => {});
    await this.#queue.close();
    await this.#connection.quit().catch(() => {});
  }
}

export class TimerSyncSchedule implements SyncSchedule {
  #handler?: SyncHandler;
  #interval?: NodeJS.Timeout;
  readonly #nudged = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();

  #periodMs: number;

  constructor(private readonly options: { periodMs: number; log: Logger }) {
    this.#periodMs = options.periodMs;
  }

  async nudge(repo: string, delayMs: number): Promise<void> {
    if (this.#nudged.has(repo)) return;
    this.#nudged.set(
      repo,
      setTimeout(() => {
        this.#nudged.delete(repo);
        this.#run({ kind: 'repo', repo });
      }, delayMs).unref(),
    );
  }

  async start(handler: SyncHandler): Promise<void> {
    this.#handler = handler;
    this.#startInterval();
  }

  async setPeriod(periodMs: number): Promise<void> {
    this.#periodMs = periodMs;
    if (this.#interval) {
      clearInterval(this.#interval);
      this.#startInterval();
    }
  }

  #startInterval(): void {
    this.#interval = setInterval(() => this.#run({ kind: 'all' }), this.#periodMs).unref();
  }

  #run(job: SyncJob): void {
    if (!this.#handler) return;
    const running = this.#handler(job)
      .catch((err: unknown) => this.options.log.error({ err }, 'merge queue sync failed'))
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async close(): Promise<void> {
    clearInterval(this.#interval);
    for (const timer of this.#nudged.values()) clearTimeout(timer);
    this.#nudged.clear();
    await Promise.all(this.#running);
  }
}
