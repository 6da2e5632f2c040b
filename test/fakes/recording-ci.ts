// A CiJobs that records what plugins ask of it, for plugin tests. It runs nothing: the runs it
// answers with stay where they are until a test moves them (setState), and runStates reads them.
import { contextOf } from '../../src/config/jobs-schema.js';
import type { ChangeRef } from '../../src/forge/types.js';
import type { BatchStart, CiJobs, RunSummary, StartOutcome, StartRequest } from '../../src/jobs/ci-jobs.js';
import { isTerminal, type RunState } from '../../src/jobs/protocol.js';
import { DEFAULT_DESCRIPTION } from '../../src/jobs/run-record.js';

export class RecordingCi implements CiJobs {
  /** every request that started a run, in order (batches included) */
  readonly started: StartRequest[] = [];
  readonly aborted: Array<{ ref: ChangeRef; reason: string }> = [];
  /** every abortRuns call */
  readonly abortedRuns: Array<{ ids: string[]; reason: string }> = [];
  /** job names answered with `running` instead of `started` (presubmits and postsubmits) */
  readonly running = new Set<string>();
  /** every call in order: "start <job>" per started job, "abort", "abort-runs" */
  readonly calls: string[] = [];
  /** the runs answered so far, by id: started ones, and the unfinished ones `running` outcomes name */
  readonly runs = new Map<string, RunSummary>();
  /** "<testId>/<job>" -> the batch run holding it; a batch runs once per test and job until it ends */
  readonly #batches = new Map<string, string>();
  #next = 0;

  async start(requests: StartRequest[]): Promise<StartOutcome[]> {
    return requests.map((request) => {
      const job = request.job.name;
      const batchKey = request.type === 'batch' ? `${request.testId}/${job}` : undefined;
      const holder = batchKey === undefined ? undefined : this.#batches.get(batchKey);
      if (holder !== undefined && !isTerminal(this.runs.get(holder)!.state)) return { job, outcome: 'running', runId: holder };
      const runId = `run${++this.#next}`;
      if (request.type !== 'batch' && this.running.has(job)) {
        this.#record(runId, request, 'running');
        return { job, outcome: 'running', runId };
      }
      this.started.push(request);
      this.calls.push(`start ${job}`);
      this.#record(runId, request, 'queued');
      if (batchKey !== undefined) this.#batches.set(batchKey, runId);
      return { job, outcome: 'started', runId };
    });
  }

  async abortChange(ref: ChangeRef, reason: string): Promise<number> {
    this.aborted.push({ ref, reason });
    this.calls.push('abort');
    return 0;
  }

  async runStates(ids: string[]): Promise<Array<RunSummary | undefined>> {
    return ids.map((id) => {
      const run = this.runs.get(id);
      return run && { ...run };
    });
  }

  async abortRuns(ids: string[], reason: string): Promise<number> {
    this.abortedRuns.push({ ids: [...ids], reason });
    this.calls.push('abort-runs');
    let aborted = 0;
    for (const id of new Set(ids)) {
      const run = this.runs.get(id);
      if (!run || isTerminal(run.state)) continue;
      this.runs.set(id, { ...run, state: 'aborted', description: `Aborted: ${reason}.` });
      aborted++;
    }
    return aborted;
  }

  /** Moves a run as its runner would (a test's stand-in for the runner's reports). */
  setState(id: string, state: RunState, description = DEFAULT_DESCRIPTION[state], url?: string): void {
    const run = this.runs.get(id);
    if (!run) throw new Error(`no run ${id}`);
    this.runs.set(id, { ...run, state, description, ...(url === undefined ? {} : { url }) });
  }

  /** names of the jobs started so far */
  startedJobs(): string[] {
    return this.started.map((r) => r.job.name);
  }

  /** the batch runs started so far */
  batches(): BatchStart[] {
    return this.started.filter((r): r is BatchStart => r.type === 'batch');
  }

  #record(id: string, request: StartRequest, state: RunState): void {
    this.runs.set(id, {
      id,
      job: request.job.name,
      type: request.type,
      repo: request.repo,
      ...(request.type === 'presubmit' ? { change: request.pull.number } : {}),
      baseRef: request.baseRef,
      sha: request.type === 'presubmit' ? request.pull.sha : request.baseSha,
      context: contextOf(request.job),
      state,
      description: DEFAULT_DESCRIPTION[state],
    });
  }
}
