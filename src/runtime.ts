// The composition root shared by `serve` and `worker`: logger, config, queue, Probot, forges.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { Probot } from 'probot';
import { allPlugins, pluginNames } from '../plugins/index.js';
import { FileConfigSource, type ReloadOutcome } from './config/config-source.js';
import type { Options } from './config/env.js';
import { RepoFileLoader } from './config/in-repo/repo-file-loader.js';
import { DEFAULT_CONFIG_FILE, embeddedConfig, loadConfigFile } from './config/load-config.js';
import { type RunnerEnvironment, runnerEnvironmentOf } from './config/runner-env.js';
import type { Config } from './config/schema.js';
import { createDeliveryHandler } from './core/handle-delivery.js';
import { createForgeProvider } from './forge/forge-provider.js';
import { ForgeOctokit } from './forge/github/forge-octokit.js';
import { type Ci, createCi } from './jobs/create-ci.js';
import { createMergeQueue, type MergeQueue } from './merge-queue/merge-queue.js';
import { OwnersResolver } from './owners/index.js';
import { BullMqQueue } from './queue/bullmq-queue.js';
import { EmbeddedQueue } from './queue/embedded-queue.js';
import type { DeliveryHandler, EventQueue } from './queue/event-queue.js';
import { Metrics } from './server/metrics.js';

export interface Runtime {
  options: Options;
  log: Logger;
  metrics: Metrics;
  /** the configuration in force; reload() replaces it */
  config: FileConfigSource;
  queue: EventQueue;
  probot?: Probot;
  ci: Ci;
  mergeQueue: MergeQueue;
  handleDelivery: DeliveryHandler;
  /** tells the runtime the server's address, the default base of callback URLs (PUBLIC_URL wins) */
  listeningOn(url: string): void;
  /** starts this process's workers: deliveries, CI tasks, command jobs and merge-queue syncs */
  work(concurrency: number): void;
  /** reads the configuration file again (SIGHUP); an invalid one is logged and not used */
  reload(): Promise<ReloadOutcome>;
  /** stops taking work and finishes what runs */
  close(): Promise<void>;
}

/** The configuration file named by the options (else config.yaml if present, else none). */
export function configFileOf(options: Options): string | undefined {
  return options.configFile ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
}

/** The configuration file, read once (`ci-orchestrator run`). */
export async function loadConfig(options: Options, log: Logger): Promise<Config> {
  const file = configFileOf(options);
  if (!file) {
    log.info(`no ${DEFAULT_CONFIG_FILE} and no --config/CONFIG_FILE: using the embedded defaults (every plugin on every repository)`);
    return embeddedConfig();
  }
  const config = await loadConfigFile(file, pluginNames());
  log.info({ file }, 'configuration loaded');
  return config;
}

/**
 * The configuration of a long-running process: checked with what its runners need from the
 * environment (check-config runs the same check, so a file it accepts, serve accepts), reloaded
 * on SIGHUP and when the file changes.
 */
export async function loadConfigSource(options: Options, log: Logger, environment: RunnerEnvironment): Promise<FileConfigSource> {
  const file = configFileOf(options);
  if (!file)
    log.info(`no ${DEFAULT_CONFIG_FILE} and no --config/CONFIG_FILE: using the embedded defaults (every plugin on every repository)`);
  const source = await FileConfigSource.load({ ...(file ? { file } : {}), knownPlugins: pluginNames(), environment, log }, embeddedConfig);
  if (file) log.info({ file }, 'configuration loaded');
  return source;
}

export async function createRuntime(options: Options, log: Logger): Promise<Runtime> {
  const metrics = new Metrics();
  const config = await loadConfigSource(options, log, runnerEnvironmentOf(options));
  let queue: EventQueue;
  if (options.redisUrl) {
    const bullmq = new BullMqQueue({ redisUrl: options.redisUrl, prefix: options.redisPrefix, log });
    // Without Redis there is nothing to serve: stop trying to connect, and let the caller say why.
    await bullmq.ready().catch(async (err: unknown) => {
      await bullmq.close().catch(() => {});
      throw err;
    });
    queue = bullmq;
    log.info('queue: BullMQ on Redis (durable, shared with any `ci-orchestrator worker`)');
  } else {
    queue = new EmbeddedQueue((err, delivery) => log.error({ err, delivery: delivery.deliveryId }, 'delivery failed'));
    log.warn('queue: embedded in-process queue (NOT durable: queued work is lost on restart; set REDIS_URL for a durable queue)');
  }
  const probot = options.github
    ? new Probot({
        Octokit: ForgeOctokit,
        appId: options.github.appId,
        privateKey: options.github.privateKey,
        secret: options.github.webhookSecret,
        baseUrl: options.github.baseUrl,
        log: log.child({ name: 'probot' }),
      })
    : undefined;
  const forges = createForgeProvider({ probot, gitlab: options.gitlab });
  // Until the server listens (PORT may be 0), callbacks point at the configured port.
  let listeningUrl = `http://localhost:${options.port}`;
  const publicUrl = () => options.publicUrl ?? listeningUrl;
  const owners = new OwnersResolver();
  const repoFiles = new RepoFileLoader();
  // The queue acts on a test's end at once rather than at its next periodic sync.
  let mergeQueue: MergeQueue | undefined;
  const ci = await createCi({
    options,
    config,
    probot,
    forges,
    log,
    metrics,
    publicUrl,
    onRunFinished: (run) => {
      if (run.type === 'batch')
        mergeQueue?.nudge(run.repo, run.installationId).catch((err: unknown) => log.warn({ err }, 'merge queue: nudge failed'));
    },
  });
  const queueOfMerges = createMergeQueue({
    options,
    config,
    pluginNames: pluginNames(),
    forges,
    owners,
    repoFiles,
    ci: ci.jobs,
    log: log.child({ name: 'merge-queue' }),
    publicUrl,
  });
  mergeQueue = queueOfMerges;
  const handleDelivery = createDeliveryHandler({
    config,
    repoFiles,
    plugins: allPlugins,
    forges,
    owners,
    ci: ci.jobs,
    onRunnerEvent: (e) => ci.jobs.onRunnerEvent(e),
    log,
    metrics,
    afterEvent: (event) => queueOfMerges.nudge(event.repo, event.installationId),
  });
  return {
    options,
    log,
    metrics,
    config,
    queue,
    probot,
    ci,
    mergeQueue: queueOfMerges,
    handleDelivery,
    listeningOn(url) {
      listeningUrl = url;
    },
    work(concurrency) {
      config.watch();
      queue.work(handleDelivery, { concurrency });
      ci.work();
      queueOfMerges.work().catch((err: unknown) => log.error({ err }, 'merge queue: could not start syncing'));
    },
    reload: () => config.reload('signal'),
    async close() {
      await config.close();
      await queue.close();
      await queueOfMerges.close();
      await ci.close();
    },
  };
}
