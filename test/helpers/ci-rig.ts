// The CI half of the bot, composed as the server composes it (createCi), over an in-memory forge,
// with the runner API served on a local port and a local webhook runner endpoint.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { fixedConfig } from '../../src/config/config-source.js';
import { readEnv } from '../../src/config/env.js';
import { presubmitSchema } from '../../src/config/jobs-schema.js';
import { configSchema } from '../../src/config/schema.js';
import type { ForgeProvider } from '../../src/forge/forge-provider.js';
import type { Forge } from '../../src/forge/types.js';
import type { PresubmitStart } from '../../src/jobs/ci-jobs.js';
import { type Ci, createCi } from '../../src/jobs/create-ci.js';
import { jobRoutes } from '../../src/server/job-routes.js';
import { Metrics } from '../../src/server/metrics.js';
import { ForgeState } from '../fakes/forge-state.js';
import { MemoryForge } from '../fakes/memory-forge.js';
import { REDIS_URL, testPrefix } from './redis.js';
import { RunnerEndpoint } from './runner-endpoint.js';

export const HEAD = 'c'.repeat(40);
export const BASE = 'b'.repeat(40);
export const HOOK_SECRET_ENV = 'TEST_RUNNER_HOOK_SECRET';

export interface CiRigOptions {
  backend: 'memory' | 'redis';
  /** extra runners, by name, as in the config file */
  runners?: Record<string, unknown>;
  /** the Redis prefix, to share one deployment between rigs */
  prefix?: string;
  /** the configuration's top-level `reporting` */
  reporting?: Record<string, unknown>;
  /** the forge state (default: a fresh one) */
  state?: ForgeState;
  /** the forge the CI writes to (default: a MemoryForge over the rig's state) */
  forge?: (state: ForgeState) => Forge;
}

export async function createCiRig(options: CiRigOptions) {
  process.env[HOOK_SECRET_ENV] = 'hook-secret';
  const endpoint = await new RunnerEndpoint('hook-secret').start();
  const state = options.state ?? new ForgeState();
  state.addChange('acme/widgets', { number: 7, author: 'alice', headSha: HEAD, baseSha: BASE });
  const forge = options.forge?.(state) ?? new MemoryForge(state);
  const forges: ForgeProvider = { forEvent: async () => forge, forRepo: async () => forge };
  const app = express();
  const metrics = new Metrics();
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  let publicUrl = '';
  const env = readEnv({
    ...(options.backend === 'redis' ? { REDIS_URL, REDIS_PREFIX: options.prefix ?? testPrefix() } : {}),
  });
  const config = configSchema.parse({
    runners: { hook: { type: 'webhook', url: endpoint.url, secret_env: HOOK_SECRET_ENV }, ...options.runners },
    ...(options.reporting ? { reporting: options.reporting } : {}),
  });
  const ci: Ci = await createCi({
    options: env,
    config: fixedConfig(config),
    forges,
    log,
    metrics,
    publicUrl: () => publicUrl,
    backoffMs: 20,
  });
  app.use(jobRoutes({ jobs: ci.jobs, log, metrics }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const presubmit = (job: Record<string, unknown> = {}, pull: { number?: number; sha?: string } = {}): PresubmitStart => ({
    type: 'presubmit',
    job: presubmitSchema.parse({ name: 'unit', runner: 'hook', always_run: true, ...job }),
    repo: { forge: 'github', owner: 'acme', name: 'widgets' },
    installationId: 1,
    cloneUrl: 'https://forge.test/acme/widgets.git',
    baseRef: 'main',
    baseSha: BASE,
    pull: { number: pull.number ?? 7, sha: pull.sha ?? HEAD, author: 'alice', title: 'Add widgets', ref: 'feature' },
    reason: 'test',
  });

  return {
    ci,
    state,
    forge,
    endpoint,
    metrics,
    publicUrl: () => publicUrl,
    presubmit,
    /** the latest status of a context on a sha */
    status: (context = 'unit', sha = HEAD) =>
      state
        .statuses('acme/widgets', sha)
        .filter((s) => s.context === context)
        .at(-1),
    /** the check runs on a sha, oldest first */
    checkRuns: (sha = HEAD) => state.checkRuns('acme/widgets', sha),
    /** every status written for a context on a sha, oldest first */
    statusHistory: (context = 'unit', sha = HEAD) =>
      (state.repo('acme/widgets').statuses.get(sha) ?? []).filter((s) => s.context === context),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ci.close();
      await endpoint.close();
    },
  };
}
