// The one step both webhook routes share once a delivery is verified and normalized: enqueue it
// (once per delivery id) and count the outcome.
import type { NormalizedEvent } from '../core/events.js';
import type { EventQueue } from '../queue/event-queue.js';
import type { Metrics } from './metrics.js';

export type Ingest = (delivery: {
  forge: NormalizedEvent['forge'];
  /** the forge's event name, for metrics */
  eventName: string;
  deliveryId: string;
  events: NormalizedEvent[];
}) => Promise<'queued' | 'duplicate' | 'ignored'>;

/** An error whose status the webhook routes answer with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function createIngest(queue: EventQueue, metrics: Metrics): Ingest {
  return async ({ forge, eventName, deliveryId, events }) => {
    if (events.length === 0) {
      metrics.delivery(forge, eventName, 'ignored');
      return 'ignored';
    }
    let outcome;
    try {
      outcome = await queue.enqueue({ forge, deliveryId, events });
    } catch (err) {
      metrics.delivery(forge, eventName, 'error');
      // 503: the forge may redeliver; nothing was acknowledged.
      throw new HttpError(503, `could not queue the delivery: ${(err as Error).message}`, { cause: err });
    }
    metrics.delivery(forge, eventName, outcome);
    return outcome;
  };
}
