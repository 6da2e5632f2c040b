// Tasks in this process only (the embedded mode): nothing survives a restart.
import { backoffMs, PostponeTask, type Task, type TaskHandler, type TaskOptions, type TaskQueue } from './task-queue.js';

interface Entry {
  task: Task;
  id: string;
  attempts: number;
  failed: number;
}

export class MemoryTaskQueue implements TaskQueue {
  readonly #queued = new Map<string, Entry>();
  readonly #ready: Entry[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  #handler?: TaskHandler;
  #concurrency = 1;
  #closed = false;

  constructor(
    private readonly options: {
      backoffMs: number;
      onFailed(task: Task, err: unknown): void;
    },
  ) {}

  async add(task: Task, options: TaskOptions): Promise<void> {
    if (this.#closed || this.#queued.has(options.id)) return;
    const entry = { task, id: options.id, attempts: options.attempts ?? 1, failed: 0 };
    this.#queued.set(entry.id, entry);
    this.#schedule(entry, options.delayMs ?? 0);
  }

  work(handler: TaskHandler, options: { concurrency: number }): void {
    this.#handler = handler;
    this.#concurrency = options.concurrency;
    this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  #schedule(entry: Entry, delayMs: number): void {
    if (delayMs <= 0) {
      this.#ready.push(entry);
      this.#pump();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#ready.push(entry);
      this.#pump();
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  #pump(): void {
    const handler = this.#handler;
    if (!handler || this.#closed) return;
    while (this.#running.size < this.#concurrency && this.#ready.length > 0) {
      const entry = this.#ready.shift()!;
      const run = this.#runOnce(handler, entry).finally(() => {
        this.#running.delete(run);
        this.#pump();
      });
      this.#running.add(run);
    }
  }

  async #runOnce(handler: TaskHandler, entry: Entry): Promise<void> {
    try {
      await handler(entry.task, { attempt: entry.failed + 1, attempts: entry.attempts });
      this.#queued.delete(entry.id);
    } catch (err) {
      if (this.#closed) return;
      if (err instanceof PostponeTask) return this.#schedule(entry, err.delayMs);
      entry.failed++;
      if (entry.failed < entry.attempts) return this.#schedule(entry, backoffMs(this.options.backoffMs, entry.failed));
      this.#queued.delete(entry.id);
      this.options.onFailed(entry.task, err);
    }
  }
}
