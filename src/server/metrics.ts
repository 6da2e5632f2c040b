// Prometheus metrics: webhook deliveries by forge, event and outcome, and handler latency.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type DeliveryOutcome = 'queued' | 'duplicate' | 'ignored' | 'unauthorized' | 'malformed' | 'misdirected' | 'error';

export class Metrics {
  readonly registry = new Registry();
  readonly deliveries = new Counter({
    name: 'ci_orchestrator_webhook_deliveries_total',
    help: 'Webhook deliveries received, by forge, event and outcome.',
    labelNames: ['forge', 'event', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly handlerSeconds = new Histogram({
    name: 'ci_orchestrator_plugin_handler_duration_seconds',
    help: 'Time a plugin took to handle one event, by forge, event kind, plugin and outcome.',
    labelNames: ['forge', 'event', 'plugin', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly ackSeconds = new Histogram({
    name: 'ci_orchestrator_webhook_ack_duration_seconds',
    help: 'Time from a webhook request to its acknowledgement, by forge.',
    labelNames: ['forge'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly callbacks = new Counter({
    name: 'ci_orchestrator_runner_callbacks_total',
    help: 'Runner status reports received, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly runsFinished = new Counter({
    name: 'ci_orchestrator_runs_finished_total',
    help: 'CI runs that ended, by state.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  delivery(forge: string, event: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ forge, event, outcome });
  }
}
