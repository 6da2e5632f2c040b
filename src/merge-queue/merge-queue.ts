// The merge queue as the server runs it: learns repos from their events, syncs every pool of every
// known repo each sync period and soon after an event nudges it, and answers what the dashboard
// shows. Each pool's sync (sync-pool.ts) holds that pool's lock, so any number of processes may run
// this at once.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { formatProblem } from '../config/config-problem.js';
import type { ConfigSource } from '../config/config-source.js';
import type { Options } from '../config/env.js';
import { RepoFileLoader } from '../config/in-repo/repo-file-loader.js';
import { durationSeconds } from '../config/jobs-schema.js';
import { liveRepoConfigResolver } from '../config/resolve-repo-config.js';
import type { Config, RepoConfig } from '../config/schema.js';
import type { ForgeProvider } from '../forge/forge-provider.js';
import type { RepoRef } from '../forge/types.js';
import type { CiJobs } from '../jobs/ci-jobs.js';
import type { OwnersResolver } from '../owners/owners-resolver.js';
import { type KnownRepo, type KnownRepos, knownRepoKey, MemoryKnownRepos, RedisKnownRepos } from './known-repos.js';
import { MemoryPoolStore } from './memory-pool-store.js';
import type { PoolRecord, PoolStore } from './pool-store.js';
import { RedisPoolStore } from './redis-pool-store.js';
import { syncPool } from './sync-pool.js';
import { BullMqSyncSchedule, type SyncJob, type SyncSchedule, TimerSyncSchedule } from './sync-schedule.js';

/** An event's sync waits this long, so a burst of events (labels, statuses) makes one sync. */
export const NUDGE_DELAY_MS = 1000;

export interface MergeQueueDeps {
  options: Options;
  /** read per sync; a reload's sync_period applies to the schedule at once */
  config: ConfigSource;
  /** every plugin's name: repos no entry matches get the default plugins, but never the queue */
  pluginNames: readonly string[];
  forges: ForgeProvider;
  owners: OwnersResolver;
  ci: CiJobs;
  log: Logger;
  /** the server's public base URL: the `merge-queue` status links to its page there */
  publicUrl: () => string;
  /** repositories' own configuration files (shared with the delivery handler: one cache) */
  repoFiles?: RepoFileLoader;
}

export interface MergeQueue {
  /** An event touched the repo: remember it and sync it soon, when its config has a merge queue. */
  nudge(repo: RepoRef, installationId?: number): Promise<void>;
  /** Starts syncing in this process. */
  work(): Promise<void>;
  /** Every pool's last sync and history, for the API and the page. */
  pools(): Promise<Array<{ pool: string; record: PoolRecord }>>;
  close(): Promise<void>;
}

export function createMergeQueue(deps: MergeQueueDeps): MergeQueue {
  const { options, log } = deps;
  const configFor = liveRepoConfigResolver(deps.config, deps.pluginNames);
  const repoFiles = deps.repoFiles ?? new RepoFileLoader();
  const periodOf = (config: Config) => durationSeconds(config.merge_queue.sync_period) * 1000;
  const periodMs = periodOf(deps.config.current());
  let redis: Redis | undefined;
  let store: PoolStore;
  let known: KnownRepos;
  let schedule: SyncSchedule;
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
    redis.on('error', (err) => log.warn({ err }, 'redis (merge queue) error'));
    store = new RedisPoolStore(redis, options.redisPrefix);
    known = new RedisKnownRepos(redis, options.redisPrefix);
    schedule = new BullMqSyncSchedule({ redisUrl: options.redisUrl, prefix: options.redisPrefix, periodMs, log });
  } else {
    store = new MemoryPoolStore();
    known = new MemoryKnownRepos();
    schedule = new TimerSyncSchedule({ periodMs, log });
  }

  const stopListening = deps.config.onChange((config, previous) => {
    if (periodOf(config) === periodOf(previous)) return;
    schedule.setPeriod(periodOf(config)).catch((err: unknown) => log.error({ err }, 'merge queue: could not change the sync period'));
  });

  const queueConfig = (repo: RepoRef): (RepoConfig & { mergeQueue: NonNullable<RepoConfig['mergeQueue']> }) | undefined => {
    const config = configFor(repo);
    return config.mergeQueue ? { ...config, mergeQueue: config.mergeQueue } : undefined;
  };

  /** Syncs every pool of one repo: one per branch that open changes target. */
  async function syncRepo(entry: KnownRepo): Promise<void> {
    const operator = queueConfig(entry.repo);
    if (!operator) return;
    const forge = await deps.forges.forRepo(entry.repo, entry.installationId);
    // The repository's own jobs count as required too. A file set aside could drop a required
    // job, so nothing merges until it is fixed (Prow's tide drops changes whose jobs cannot be loaded).
    let effective;
    try {
      effective = await repoFiles.effective(forge, entry.repo, operator);
    } catch (err) {
      log.error({ err, repo: knownRepoKey(entry.repo) }, "merge queue: cannot read the repository's configuration file");
      return;
    }
    const { config: withFile, problems } = effective;
    if (problems) {
      log.error(
        { repo: knownRepoKey(entry.repo), problems: problems.map(formatProblem) },
        "merge queue: the repository's configuration file is set aside; nothing merges there until it is fixed",
      );
      return;
    }
    const config = { ...withFile, mergeQueue: operator.mergeQueue };
    const branches = [...new Set((await forge.searchChanges(entry.repo, {})).map((c) => c.baseRef))].sort();
    for (const branch of branches) {
      try {
        const result = await syncPool({
          forge,
          owners: deps.owners,
          ci: deps.ci,
          store,
          repo: entry.repo,
          installationId: entry.installationId,
          branch,
          config,
          dashboardUrl: `${deps.publicUrl()}/merge-queue`,
          log,
        });
        // The branch moved: the rest of the pool is stale now, so plan again without waiting a period.
        if (result === 'merged') await schedule.nudge(knownRepoKey(entry.repo), NUDGE_DELAY_MS);
      } catch (err) {
        // One pool's failure (a forge outage, a bad OWNERS read) must not stop the others.
        log.error({ err, repo: knownRepoKey(entry.repo), branch }, 'merge queue: pool sync failed');
      }
    }
  }

  async function run(job: SyncJob): Promise<void> {
    const repos = await known.all();
    const targets = job.kind === 'all' ? repos : repos.filter((r) => knownRepoKey(r.repo) === job.repo);
    for (const entry of targets) await syncRepo(entry);
  }

  return {
    async nudge(repo, installationId) {
      if (!queueConfig(repo)) return;
      await known.remember({ repo, ...(installationId !== undefined ? { installationId } : {}) });
      await schedule.nudge(knownRepoKey(repo), NUDGE_DELAY_MS);
    },
    work: () => schedule.start(run),
    async pools() {
      const names = await store.pools();
      const records = await Promise.all(names.map(async (pool) => ({ pool, record: await store.load(pool) })));
      return records.filter((r): r is { pool: string; record: PoolRecord } => r.record !== undefined);
    },
    async close() {
      stopListening();
      await schedule.close();
      await store.close();
      await redis?.quit().catch(() => {});
    },
  };
}
