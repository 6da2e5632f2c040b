// The in-process queue used when no REDIS_URL is set: same interface, nothing survives a restart.
import {
  DEDUP_TTL_SECONDS,
  type Delivery,
  type DeliveryHandler,
  deliveryKey,
  type EnqueueOutcome,
  type EventQueue,
} from './event-queue.js';

/** Most delivery ids remembered at once; the oldest are forgotten first. */
const MAX_REMEMBERED = 100_000;

export class EmbeddedQueue implements EventQueue {
  readonly kind = 'embedded';
  readonly durable = false;
  readonly #pending: Delivery[] = [];
  readonly #seen = new Map<string, number>(); // key -> expiry (ms); insertion-ordered
  readonly #running = new Set<Promise<void>>();
  #handler?: DeliveryHandler;
  #concurrency = 1;
  #closed = false;

  constructor(private readonly onError: (err: unknown, delivery: Delivery) => void = () => {}) {}

  async enqueue(delivery: Delivery): Promise<EnqueueOutcome> {
    if (this.#closed) throw new Error('queue is closed');
    const key = deliveryKey(delivery);
    const now = Date.now();
    const expiry = this.#seen.get(key);
    if (expiry !== undefined && expiry > now) return 'duplicate';
    this.#seen.delete(key);
    this.#seen.set(key, now + DEDUP_TTL_SECONDS * 1000);
    if (this.#seen.size > MAX_REMEMBERED) this.#seen.delete(this.#seen.keys().next().value!);
    this.#pending.push(delivery);
    this.#pump();
    return 'queued';
  }

  work(handler: DeliveryHandler, options: { concurrency: number }): void {
    this.#handler = handler;
    this.#concurrency = options.concurrency;
    this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Finish everything already accepted: it has been acknowledged to the forge.
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  #pump(): void {
    const handler = this.#handler;
    if (!handler) return;
    while (this.#running.size < this.#concurrency && this.#pending.length > 0) {
      const delivery = this.#pending.shift()!;
      const run = handler(delivery)
        .catch((err) => this.onError(err, delivery))
        .finally(() => {
          this.#running.delete(run);
          this.#pump();
        });
      this.#running.add(run);
    }
  }
}
