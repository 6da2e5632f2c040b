// The queue between the webhook routes and the plugins. The route enqueues a delivery and answers;
// workers process it. Two implementations behind this one interface: BullMQ on Redis (durable,
// shared by any number of processes) and an embedded in-process queue (one process, not durable).
import type { NormalizedEvent } from '../core/events.js';

/** One webhook delivery's events. Holds no secrets: it is stored in Redis in clear text. */
export interface Delivery {
  forge: NormalizedEvent['forge'];
  deliveryId: string;
  events: NormalizedEvent[];
}

export type EnqueueOutcome = 'queued' | 'duplicate';

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface EventQueue {
  readonly kind: 'bullmq' | 'embedded';
  /** whether queued work survives a restart */
  readonly durable: boolean;
  /** Enqueues a delivery once: the same (forge, delivery id) within the retention window is a duplicate. */
  enqueue(delivery: Delivery): Promise<EnqueueOutcome>;
  /** Starts processing deliveries in this process. */
  work(handler: DeliveryHandler, options: { concurrency: number }): void;
  /** Stops taking work and waits for what runs to finish. */
  close(): Promise<void>;
}

/** How long a delivery id is remembered for de-duplication: GitHub allows redelivery for 3 days. */
export const DEDUP_TTL_SECONDS = 4 * 24 * 3600;

export const deliveryKey = (d: Pick<Delivery, 'forge' | 'deliveryId'>): string => `${d.forge}-${d.deliveryId}`;
