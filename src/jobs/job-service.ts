// The life of a CI run. start() records a run and queues its dispatch; the dispatch task hands it
// to the job's runner with a fresh callback token; the runner's reports (callback API, polling,
// runner events, the command worker) move it forward, never back; every visible change is written
// to the forge as the job's commit status (or, where `reporting` asks, its GitHub check run) by a
// status task, except for batch runs (merge-queue tests), which the merge queue reads with
// runStates. A run that cannot be dispatched, or that outlives its timeout, ends as an `error` with
// the reason: nothing ends silently.
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { RunnerEvent } from '../core/events.js';
import type { ForgeProvider } from '../forge/forge-provider.js';
import type { ChangeRef, Forge, RepoRef } from '../forge/types.js';
import { PostponeTask, type Task, type TaskAttempt, type TaskQueue } from '../queue/task-queue.js';
import { type Runner, RunnerError } from '../runners/runner.js';
import { timingSafeEqualStrings } from '../server/timing-safe-equal.js';
import { checkRunOf } from './check-run-of.js';
import type { CiJobs, RunSummary, StartOutcome, StartRequest } from './ci-jobs.js';
import { dispatchDocument } from './dispatch-document.js';
import { newRun } from './new-run.js';
import { isTerminal, type ReportedState, STATE_RANK, type StatusReport } from './protocol.js';
import { commitStatusOf, DEFAULT_DESCRIPTION, RUN_ID, type RunRecord, slotKey, writesStatus } from './run-record.js';
import type { RunStore } from './run-store.js';

/** Tries to hand a run to its runner (about 31 s of backoff at the default 1 s base). */
export const DISPATCH_ATTEMPTS = 6;
const STATUS_ATTEMPTS = 6;
/** How soon a run waiting for a max_concurrency slot asks again. */
const SLOT_RETRY_MS = 1000;
/** How soon a status task waiting for another writer to create the run's check run looks again. */
const CHECK_RUN_WAIT_MS = 1000;
/** A claim to create a check run older than this was abandoned (its writer died): another may take over. */
export const CHECK_RUN_CLAIM_MS = 120_000;

export interface JobServiceDeps {
  store: RunStore;
  /** dispatch, timeout and poll tasks */
  tasks: TaskQueue;
  /**
   * status writes, apart: the forge throttles writes (Octokit spaces an installation's writes a
   * second apart, as GitHub asks), and waiting writes must not hold up dispatches
   */
  statusTasks: TaskQueue;
  /** by the name the configuration gives them (looked up each time: a reload may replace them) */
  runners: Pick<ReadonlyMap<string, Runner>, 'get'>;
  forges: ForgeProvider;
  /** where runners reach this server (the callback URL's base) */
  publicUrl: () => string;
  log: Logger;
  /** called with each run that ends */
  onFinished?(run: RunRecord): void;
  /** whether the repo's runs show as GitHub check runs (`reporting.github: checks`); else commit statuses */
  reportsCheckRuns?(repo: RepoRef): boolean;
  /** the clock (ms), for check run claims */
  now?(): number;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class JobService implements CiJobs {
  constructor(private readonly deps: JobServiceDeps) {}

  async start(requests: StartRequest[]): Promise<StartOutcome[]> {
    return Promise.all(
      requests.map(async (request) => {
        const run = newRun(request);
        // GitLab has no Checks API: its runs keep commit statuses whatever the configuration says.
        if (writesStatus(run) && run.repo.forge === 'github' && this.deps.reportsCheckRuns?.(run.repo)) run.checkRun = {};
        const created = await this.deps.store.create(run);
        if (!created.created) return { job: run.job, outcome: 'running' as const, runId: created.existing };
        this.deps.log.info({ run: run.id, job: run.job, sha: run.sha, reason: run.reason }, 'run queued');
        await this.deps.tasks.add({ name: 'dispatch', runId: run.id }, { id: `dispatch-${run.id}`, attempts: DISPATCH_ATTEMPTS });
        if (writesStatus(run)) await this.#queueStatus(run);
        return { job: run.job, outcome: 'started' as const, runId: run.id };
      }),
    );
  }

  async abortChange(ref: ChangeRef, reason: string): Promise<number> {
    return this.abortRuns(await this.deps.store.unfinishedForChange(ref.repo, ref.number), reason);
  }

  /** Ids that are not run ids, or that no run has, count as finished. */
  async abortRuns(ids: string[], reason: string): Promise<number> {
    const unique = [...new Set(ids)].filter((id) => RUN_ID.test(id));
    const ended = await Promise.all(unique.map((id) => this.#end(id, 'aborted', `Aborted: ${reason}.`)));
    return ended.filter(Boolean).length;
  }

  async runStates(ids: string[]): Promise<Array<RunSummary | undefined>> {
    const valid = [...new Set(ids)].filter((id) => RUN_ID.test(id));
    const runs = new Map((await this.deps.store.getMany(valid)).map((run, i) => [valid[i]!, run]));
    return ids.map((id) => {
      const run = runs.get(id);
      if (!run) return undefined;
      const { job, type, repo, change, sha, context, state, description, url } = run;
      return {
        id,
        job,
        type,
        repo,
        ...(change === undefined ? {} : { change }),
        baseRef: run.refs.base_ref,
        sha,
        context,
        state,
        description,
        ...(url === undefined ? {} : { url }),
      };
    });
  }

  /** Whether `token` is the run's current callback token. A finished run's token is spent. */
  async authorize(id: string, token: string | undefined): Promise<'ok' | 'not_found' | 'unauthorized'> {
    const run = RUN_ID.test(id) ? await this.deps.store.get(id) : undefined;
    if (!run) return 'not_found';
    if (!token || !run.tokenHash || isTerminal(run.state)) return 'unauthorized';
    return timingSafeEqualStrings(hashToken(token), run.tokenHash) ? 'ok' : 'unauthorized';
  }

  /** The run as the API shows it: no token hash. */
  async describe(id: string): Promise<Omit<RunRecord, 'tokenHash'> | undefined> {
    const run = RUN_ID.test(id) ? await this.deps.store.get(id) : undefined;
    if (!run) return undefined;
    const { tokenHash: _, ...visible } = run;
    return visible;
  }

  readLog(id: string): Promise<string | undefined> {
    return RUN_ID.test(id) ? this.deps.store.readLog(id) : Promise.resolve(undefined);
  }

  /**
   * Moves a run forward: a report that would move it back (a late `pending` after `running`) or
   * change nothing is ignored, and a finished run never changes.
   */
  async report(
    id: string,
    report: StatusReport,
    marks: Pick<RunRecord, 'timedOut'> = {},
  ): Promise<{ run: RunRecord; changed: boolean } | undefined> {
    const result = await this.deps.store.update(id, (run) => {
      if (isTerminal(run.state) || STATE_RANK[report.state] < STATE_RANK[run.state]) return undefined;
      const next: RunRecord = {
        ...run,
        ...(isTerminal(report.state) ? marks : {}),
        state: report.state,
        url: report.url ?? run.url,
        description: report.description ?? (report.state === run.state ? run.description : DEFAULT_DESCRIPTION[report.state]),
      };
      return next.state === run.state && next.url === run.url && next.description === run.description ? undefined : next;
    });
    if (!result) return undefined;
    if (result.changed) await this.#settled(result.before, result.after);
    return { run: result.after, changed: result.changed };
  }

  /** A workflow run or pipeline changed state: report it on the run it belongs to, if any. */
  async onRunnerEvent(event: RunnerEvent): Promise<void> {
    let id = await this.deps.store.findExternal(event.system, event.externalId);
    // Without run details from the dispatch, a workflow's run-name carries our run id.
    if (!id && event.system === 'github-actions') {
      const candidate = /\b(r[0-9a-f]{24})\b/.exec(event.title ?? '')?.[1];
      const run = candidate ? await this.deps.store.get(candidate) : undefined;
      if (
        run &&
        !run.externalId &&
        this.deps.runners.get(run.runner)?.type === 'github-actions' &&
        run.refs.repo.toLowerCase() === `${event.repo.owner}/${event.repo.name}`.toLowerCase()
      ) {
        id = run.id;
        await this.deps.store.update(id, (r) => ({ ...r, externalId: event.externalId }));
        await this.deps.store.linkExternal(event.system, event.externalId, id);
      }
    }
    if (!id) return;
    await this.report(id, { state: event.state, url: event.url, description: event.description });
  }

  /** Runs one task; the queues call this. */
  async runTask(task: Task, attempt: TaskAttempt): Promise<void> {
    switch (task.name) {
      case 'dispatch':
        return this.#dispatch(task.runId, attempt);
      case 'status':
        return this.#writeStatus(task.runId);
      case 'timeout':
        return this.#timeOut(task.runId);
      case 'poll':
        return this.#poll(task.runId);
      case 'command':
        throw new Error('command tasks belong to the command queue');
    }
  }

  /** A task that failed its last try. */
  onTaskFailed(task: Task, err: unknown): void {
    this.deps.log.error({ err, run: task.runId, task: task.name }, `${task.name} task failed for good`);
  }

  async #dispatch(id: string, attempt: TaskAttempt): Promise<void> {
    const { store, log } = this.deps;
    const run = await store.get(id);
    if (run?.state !== 'queued') return; // aborted meanwhile, or already dispatched
    const runner = this.deps.runners.get(run.runner);
    if (!runner) {
      await this.#end(id, 'error', `Runner "${run.runner}" is not configured.`);
      return;
    }
    const slotTtlMs = (run.timeoutSeconds + 60) * 1000;
    if (run.maxConcurrency > 0 && !(await store.acquireSlot(slotKey(run), run.maxConcurrency, id, slotTtlMs))) {
      throw new PostponeTask(SLOT_RETRY_MS);
    }
    // A token per try: a runner that got an earlier, failed try cannot report on this one.
    const token = randomBytes(32).toString('base64url');
    const armed = await store.update(id, (r) =>
      r.state === 'queued' ? { ...r, tokenHash: hashToken(token), attempts: r.attempts + 1 } : undefined,
    );
    if (!armed?.changed) return;
    const doc = dispatchDocument(armed.after, token, this.deps.publicUrl());
    let receipt;
    try {
      receipt = await runner.dispatch(doc, log.child({ run: id, job: run.job }));
    } catch (err) {
      const retryable = !(err instanceof RunnerError) || err.retryable;
      const reason = err instanceof Error ? err.message : String(err);
      if (retryable && attempt.attempt < attempt.attempts) {
        log.warn({ run: id, job: run.job, attempt: attempt.attempt, reason }, 'dispatch failed; will retry');
        throw err;
      }
      log.error({ run: id, job: run.job, attempts: attempt.attempt, reason }, 'dispatch failed');
      await this.#end(id, 'error', `Dispatch failed: ${reason}`);
      return;
    }
    if (receipt.externalId) await store.linkExternal(runner.type, receipt.externalId, id);
    const dispatched = await store.update(id, (r) => ({
      ...r,
      url: r.url ?? receipt.url,
      externalId: receipt.externalId ?? r.externalId,
      // The runner may already have reported: never move it back.
      ...(r.state === 'queued' ? { state: 'pending' as const, description: DEFAULT_DESCRIPTION.pending } : {}),
    }));
    if (dispatched?.changed) await this.#settled(dispatched.before, dispatched.after);
    log.info({ run: id, job: run.job, runner: run.runner, url: receipt.url }, 'run dispatched');
    await this.deps.tasks.add({ name: 'timeout', runId: id }, { id: `timeout-${id}`, delayMs: run.timeoutSeconds * 1000 });
    if (runner.poll && receipt.externalId) await this.#queuePoll(id, runner);
  }

  async #poll(id: string): Promise<void> {
    const run = await this.deps.store.get(id);
    if (!run || isTerminal(run.state) || !run.externalId) return;
    const runner = this.deps.runners.get(run.runner);
    if (!runner?.poll) return;
    const report = await runner.poll(dispatchDocument(run, '', this.deps.publicUrl()), run.externalId, this.deps.log.child({ run: id }));
    const after = report ? ((await this.report(id, report))?.run ?? run) : run;
    if (!isTerminal(after.state)) await this.#queuePoll(id, runner);
  }

  #queuePoll(id: string, runner: Runner): Promise<void> {
    return this.deps.tasks.add(
      { name: 'poll', runId: id },
      { id: `poll-${id}-${Date.now()}`, delayMs: runner.pollIntervalMs ?? 30_000, attempts: 3 },
    );
  }

  async #timeOut(id: string): Promise<void> {
    const run = await this.deps.store.get(id);
    if (!run || isTerminal(run.state)) return;
    await this.#end(id, 'error', `Timed out after ${formatSeconds(run.timeoutSeconds)}.`, { timedOut: true });
  }

  /** Ends an unfinished run; true if this call ended it. Tells the runner, best effort. */
  async #end(
    id: string,
    state: Extract<ReportedState, 'error' | 'aborted'>,
    description: string,
    marks: Pick<RunRecord, 'timedOut'> = {},
  ): Promise<boolean> {
    const result = await this.report(id, { state, description }, marks);
    if (!result?.changed) return false;
    const { run } = result;
    const runner = this.deps.runners.get(run.runner);
    if (run.attempts > 0 && runner?.abort) {
      await runner
        .abort(dispatchDocument(run, '', this.deps.publicUrl()), run.externalId, this.deps.log.child({ run: id }))
        .catch((err) => this.deps.log.warn({ err, run: id }, 'the runner could not be told to stop'));
    }
    return true;
  }

  /** After a change: release what a finished run held; have the status written if it shows. */
  async #settled(before: RunRecord, after: RunRecord): Promise<void> {
    if (isTerminal(after.state) && !isTerminal(before.state)) {
      await this.deps.store.finish(after);
      this.deps.log.info({ run: after.id, job: after.job, state: after.state, description: after.description }, 'run finished');
      this.deps.onFinished?.(after);
    }
    if (writesStatus(after) && this.#shown(before) !== this.#shown(after)) await this.#queueStatus(after);
  }

  /** What the forge shows of a run, as JSON: its check run or its commit status. */
  #shown(run: RunRecord): string {
    return JSON.stringify(run.checkRun ? checkRunOf(run, this.deps.publicUrl()) : commitStatusOf(run));
  }

  #queueStatus(run: RunRecord): Promise<void> {
    return this.deps.statusTasks.add(
      { name: 'status', runId: run.id },
      { id: `status-${run.id}-${run.version}`, attempts: STATUS_ATTEMPTS },
    );
  }

  /**
   * Writes the run's status as it is now. Status tasks of one run may run at once, in any order:
   * each re-reads after writing and writes again if the run changed meanwhile, so the last write
   * always carries the latest state. A status already written is not written again. Batch runs
   * have none (none is queued for them; this holds even so).
   */
  async #writeStatus(id: string): Promise<void> {
    let run = await this.deps.store.get(id);
    if (run?.checkRun) return this.#writeCheckRun(run);
    while (run && writesStatus(run)) {
      const status = commitStatusOf(run);
      const written = JSON.stringify(status);
      if (run.statusWritten === written) return;
      const forge = await this.deps.forges.forRepo(run.repo, run.installationId);
      await forge.setStatus(run.repo, run.sha, status);
      const marked = await this.deps.store.update(id, (r) => ({ ...r, statusWritten: written }));
      run = marked && JSON.stringify(commitStatusOf(marked.after)) !== written ? marked.after : undefined;
    }
  }

  /**
   * Writes the run's check run as it is now: creates it once, then updates it in place. Like status
   * writes, concurrent tasks of one run re-read after writing until the latest state is written.
   */
  async #writeCheckRun(first: RunRecord): Promise<void> {
    const { store } = this.deps;
    let run: RunRecord | undefined = first;
    while (run?.checkRun) {
      const check = checkRunOf(run, this.deps.publicUrl());
      const written = JSON.stringify(check);
      if (run.statusWritten === written) return;
      const forge = await this.deps.forges.forRepo(run.repo, run.installationId);
      let checkRunId = run.checkRun.id;
      if (checkRunId === undefined) {
        const created = await this.#createCheckRun(run, forge);
        if (typeof created !== 'number') {
          // Another writer is creating it, and will write the latest state; come back to make sure.
          if (created.checkRun?.id === undefined) throw new PostponeTask(CHECK_RUN_WAIT_MS);
          run = created;
          continue;
        }
        checkRunId = created;
      } else {
        if (!forge.updateCheckRun) throw new Error(`the ${forge.kind} forge has no check runs`);
        await forge.updateCheckRun(run.repo, checkRunId, check);
      }
      const id = checkRunId;
      const marked = await store.update(run.id, (r) => ({
        // A check run someone else recorded first stays the run's (only a lost race makes two).
        ...r,
        statusWritten: written,
        checkRun: { id: r.checkRun?.id ?? id, tried: true },
      }));
      run = marked && JSON.stringify(checkRunOf(marked.after, this.deps.publicUrl())) !== written ? marked.after : undefined;
    }
  }

  /**
   * Creates the run's check run as it is now, under a claim; answers its id, or the run as it is
   * when another writer holds the claim (or has created it meanwhile).
   */
  async #createCheckRun(run: RunRecord, forge: Forge): Promise<number | RunRecord> {
    const { store, log } = this.deps;
    if (!forge.createCheckRun || !forge.updateCheckRun) throw new Error(`the ${forge.kind} forge has no check runs`);
    const me = randomBytes(8).toString('hex');
    const now = this.deps.now?.() ?? Date.now();
    let lookFirst = false;
    const claimed = await store.update(run.id, (r) => {
      const link = r.checkRun;
      if (!link || link.id !== undefined) return undefined;
      if (link.claim && now - link.claim.at < CHECK_RUN_CLAIM_MS) return undefined;
      lookFirst = link.tried === true;
      return { ...r, checkRun: { claim: { by: me, at: now }, tried: true } };
    });
    if (!claimed) throw new Error(`run ${run.id} is gone`);
    if (!claimed.changed) return claimed.after;
    const current = claimed.after;
    const check = checkRunOf(current, this.deps.publicUrl());
    try {
      // A try before this one may have created it without learning its id.
      const found = lookFirst ? await forge.findCheckRun?.(current.repo, current.sha, check.name, current.id) : undefined;
      if (found !== undefined) {
        log.info({ run: current.id, checkRun: found }, 'found the check run an earlier try created');
        await forge.updateCheckRun(current.repo, found, check);
        return found;
      }
      const id = await forge.createCheckRun(current.repo, current.sha, check);
      log.info({ run: current.id, checkRun: id, context: check.name }, 'check run created');
      return id;
    } catch (err) {
      // Let the next try take over at once (it will look before creating).
      await store.update(current.id, (r) => (r.checkRun?.claim?.by === me ? { ...r, checkRun: { tried: true } } : undefined));
      throw err;
    }
  }
}

function formatSeconds(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join('') || '0s';
}
