// Runs `command` jobs taken from the command queue: in the serving process or in any
// `ci-orchestrator worker`, on any machine that shares the Redis. The run's output goes to the run
// store (the bot's log page serves it) and its end to the job service, like a runner's callback.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { CommandRunnerConfig } from '../config/jobs-schema.js';
import type { Task } from '../queue/task-queue.js';
import { runCommandJob } from '../runners/command/run-command-job.js';
import { dispatchDocument } from './dispatch-document.js';
import type { JobService } from './job-service.js';
import { isTerminal } from './protocol.js';
import type { RunStore } from './run-store.js';

/** How often a running command checks whether its run was aborted elsewhere (a new push). */
const ABORT_CHECK_MS = 2000;
/** Output is written to the store in batches. */
const LOG_FLUSH_MS = 500;

export interface CommandWorkerDeps {
  jobs: JobService;
  store: RunStore;
  /** command runners by name (looked up each time: a reload may replace them) */
  runners: Pick<ReadonlyMap<string, CommandRunnerConfig>, 'get'>;
  /** where mirrors and worktrees live */
  workRoot: string;
  /** the git Authorization header for a repo's clone URL, if it needs one */
  gitAuth(forge: 'github' | 'gitlab', installationId: number | undefined): Promise<string | undefined>;
  publicUrl: () => string;
  log: Logger;
}

export function createCommandWorker(deps: CommandWorkerDeps): (task: Task) => Promise<void> {
  return async (task) => {
    const run = await deps.store.get(task.runId);
    if (!run || isTerminal(run.state)) return;
    const log = deps.log.child({ run: run.id, job: run.job });
    const config = deps.runners.get(run.runner);
    if (!config) {
      await deps.jobs.report(run.id, { state: 'error', description: `Runner "${run.runner}" is not a command runner here.` });
      return;
    }
    await deps.jobs.report(run.id, { state: 'running', description: `Running on ${hostname()}.` });

    const abort = new AbortController();
    const watch = setInterval(() => {
      deps.store.get(run.id).then(
        (now) => {
          if (!now || isTerminal(now.state)) abort.abort();
        },
        () => {},
      );
    }, ABORT_CHECK_MS);
    let pending = '';
    let flushing = Promise.resolve();
    const flush = () => {
      const text = pending;
      pending = '';
      if (text) flushing = flushing.then(() => deps.store.appendLog(run.id, text)).catch((err) => log.warn({ err }, 'log write failed'));
    };
    const flusher = setInterval(flush, LOG_FLUSH_MS);
    try {
      const result = await runCommandJob(dispatchDocument(run, '', deps.publicUrl()), config, {
        workRoot: deps.workRoot,
        gitAuthHeader: await deps.gitAuth(run.repo.forge, run.installationId),
        onOutput: (chunk) => {
          pending += chunk;
        },
        signal: abort.signal,
        timeoutMs: run.timeoutSeconds * 1000,
      });
      flush();
      await flushing;
      log.info({ state: result.state, description: result.description }, 'command finished');
      await deps.jobs.report(run.id, { state: result.state, description: result.description });
    } finally {
      clearInterval(watch);
      clearInterval(flusher);
    }
  };
}
