// `ci-orchestrator worker`: takes deliveries from Redis and runs the plugins; no HTTP server.
import type { Logger } from 'pino';
import { EnvError, type Options } from './config/env.js';
import { createRuntime } from './runtime.js';
import { WORKER_CONCURRENCY } from './serve.js';

export async function runWorker(options: Options, log: Logger): Promise<{ reload(): Promise<unknown>; close(): Promise<void> }> {
  if (!options.redisUrl) throw new EnvError('the worker takes its work from Redis: set REDIS_URL');
  const runtime = await createRuntime(options, log);
  if (!options.publicUrl) log.warn('PUBLIC_URL is not set: runs this worker dispatches get callback URLs on localhost');
  runtime.work(WORKER_CONCURRENCY);
  log.info({ concurrency: WORKER_CONCURRENCY, commandConcurrency: options.commandConcurrency }, 'worker started');
  return { reload: () => runtime.reload(), close: () => runtime.close() };
}
