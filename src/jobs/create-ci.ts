// Composes CI: the run store, the task queues, the runners, the job service and the command
// worker, on Redis when REDIS_URL is set and in memory otherwise.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Probot } from 'probot';
import type { ConfigSource } from '../config/config-source.js';
import type { Options } from '../config/env.js';
import type { CommandRunnerConfig } from '../config/jobs-schema.js';
import { reportingResolver } from '../config/resolve-repo-config.js';
import type { Config } from '../config/schema.js';
import type { ForgeProvider } from '../forge/forge-provider.js';
import { gitAuthHeader } from '../forge/git-auth.js';
import { BullMqTaskQueue } from '../queue/bullmq-task-queue.js';
import { MemoryTaskQueue } from '../queue/memory-task-queue.js';
import type { Task, TaskAttempt, TaskQueue } from '../queue/task-queue.js';
import { createRunners } from '../runners/create-runners.js';
import type { Metrics } from '../server/metrics.js';
import { createCommandWorker } from './command-worker.js';
import { JobService } from './job-service.js';
import { MemoryRunStore } from './memory-run-store.js';
import { RedisRunStore } from './redis-run-store.js';
import type { RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';

/** Tasks of each CI queue one process runs at once: all wait on I/O. */
export const TASK_CONCURRENCY = 50;

export interface CiOptions {
  options: Options;
  /** the runners are built from it, and built again when a reload changes it */
  config: ConfigSource;
  probot?: Probot;
  forges: ForgeProvider;
  log: Logger;
  metrics: Metrics;
  publicUrl: () => string;
  /** base of the exponential backoff between tries (tests shorten it) */
  backoffMs?: number;
  /** told of every run that ends (the merge queue waits on its batch runs) */
  onRunFinished?: (run: RunRecord) => void;
}

export interface Ci {
  jobs: JobService;
  store: RunStore;
  tasks: TaskQueue;
  commandTasks: TaskQueue;
  /** Starts running tasks and command jobs in this process. */
  work(): void;
  close(): Promise<void>;
}

export async function createCi(o: CiOptions): Promise<Ci> {
  const { options, log } = o;
  const backoffMs = o.backoffMs ?? 1000;
  let jobs: JobService | undefined;
  const onFailed = (task: Task, err: unknown) => jobs?.onTaskFailed(task, err);
  let redis: Redis | undefined;
  let store: RunStore;
  let tasks: TaskQueue;
  let statusTasks: TaskQueue;
  let commandTasks: TaskQueue;
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
    redis.on('error', (err) => log.warn({ err }, 'redis (runs) error'));
    store = new RedisRunStore(redis, options.redisPrefix);
    const queue = (queueName: string) =>
      new BullMqTaskQueue({
        redisUrl: options.redisUrl!,
        prefix: options.redisPrefix,
        queueName,
        log,
        backoffMs,
        onFailed,
        lockDurationMs: options.workerLockMs,
      });
    const queues = [queue('ci-tasks'), queue('ci-statuses'), queue('command-runs')] as const;
    await Promise.all(queues.map((q) => q.ready()));
    [tasks, statusTasks, commandTasks] = queues;
  } else {
    store = new MemoryRunStore();
    tasks = new MemoryTaskQueue({ backoffMs, onFailed });
    statusTasks = new MemoryTaskQueue({ backoffMs, onFailed });
    commandTasks = new MemoryTaskQueue({ backoffMs, onFailed });
  }

  // Runners are looked up by name when a run needs one, so a reload's runners serve the next
  // dispatch; runs in flight keep their callbacks (tokens do not depend on the runner).
  const build = (config: Config) => ({
    runners: createRunners(config.runners, {
      env: process.env,
      gitlabUrl: options.gitlab?.url,
      probot: o.probot,
      commandQueue: commandTasks,
      publicUrl: o.publicUrl,
    }),
    commandRunners: new Map(
      Object.entries(config.runners).filter((entry): entry is [string, CommandRunnerConfig] => entry[1].type === 'command'),
    ),
    reportingOf: reportingResolver(config),
  });
  let built = build(o.config.current());
  const stopListening = o.config.onChange((config) => {
    built = build(config);
  });
  jobs = new JobService({
    store,
    tasks,
    statusTasks,
    runners: { get: (name) => built.runners.get(name) },
    forges: o.forges,
    publicUrl: o.publicUrl,
    log: log.child({ name: 'ci' }),
    reportsCheckRuns: (repo) => built.reportingOf(repo).github === 'checks',
    onFinished: (run) => {
      o.metrics.runsFinished.inc({ state: run.state });
      o.onRunFinished?.(run);
    },
  });
  const runCommand = createCommandWorker({
    jobs,
    store,
    runners: { get: (name) => built.commandRunners.get(name) },
    workRoot: options.workDir,
    publicUrl: o.publicUrl,
    log: log.child({ name: 'command' }),
    gitAuth: (forge, installationId) => gitAuthHeader(forge, installationId, o.probot, options.gitlab?.token),
  });
  if (!options.redisUrl && options.commandConcurrency === 0 && built.commandRunners.size > 0) {
    log.warn('COMMAND_CONCURRENCY is 0 and there is no REDIS_URL for workers to share: command jobs will never run');
  }
  const service = jobs;
  return {
    jobs: service,
    store,
    tasks,
    commandTasks,
    work() {
      const run = (task: Task, attempt: TaskAttempt) => service.runTask(task, attempt);
      tasks.work(run, { concurrency: TASK_CONCURRENCY });
      statusTasks.work(run, { concurrency: TASK_CONCURRENCY });
      if (options.commandConcurrency > 0) commandTasks.work(runCommand, { concurrency: options.commandConcurrency });
    },
    async close() {
      stopListening();
      await Promise.all([tasks.close(), statusTasks.close(), commandTasks.close()]);
      await store.close();
      await redis?.quit().catch(() => {});
    },
  };
}
