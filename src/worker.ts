// `ci-orchestrator worker`: takes deliveries from Redis and runs the plugins; no HTTP server.
import type { Logger } from 'pino';
import { EnvError, type Options } from './config/env.js';
import { createRuntime } from './runtime.js';
import { WORKER_CONCURRENCY } from './serve.js';

export async function runWorker(options: Options, log: Logger): Promise<{ close(): Promise<void> }> {
  if (!options.redisUrl) throw new EnvError('the worker takes its work from Redis: set REDIS_URL');
  const runtime = await createRuntime(options, log);
  runtime.queue.work(runtime.handleDelivery, { concurrency: WORKER_CONCURRENCY });
  log.info({ concurrency: WORKER_CONCURRENCY }, 'worker started');
  return { close: () => runtime.queue.close() };
}
