// What plugins see of CI: start runs of configured jobs, read and abort runs. The trigger plugin
// decides which jobs run and the merge queue which batches; this service owns how (the queue,
// runners, statuses, callbacks).
import type { Postsubmit, Presubmit } from '../config/jobs-schema.js';
import type { ChangeRef, RepoRef } from '../forge/types.js';
import type { JobType, Pull, RunState } from './protocol.js';

interface StartBase {
  repo: RepoRef;
  /** GitHub App installation that can write the repo's statuses */
  installationId?: number;
  cloneUrl: string;
  baseRef: string;
  /** the base commit to test against (for postsubmits: the pushed commit) */
  baseSha: string;
  /** why the run starts, for logs: "/test unit by @bob", "pull_request opened" */
  reason: string;
}

export interface PresubmitStart extends StartBase {
  type: 'presubmit';
  job: Presubmit;
  /** the change under test; its head sha carries the status */
  pull: Pull;
}

export interface PostsubmitStart extends StartBase {
  type: 'postsubmit';
  job: Postsubmit;
}

/**
 * A merge-queue test: a presubmit job run on several changes merged onto the base. Its result is the
 * merge queue's to read (runStates): no commit status is written for it, as in Prow (no PR head
 * carries it).
 */
export interface BatchStart extends StartBase {
  type: 'batch';
  job: Presubmit;
  /** changes merged onto baseSha in this order; the runner tests the result */
  pulls: Pull[];
  /** the merge-queue test this run belongs to (de-duplication: one unfinished run per test and job) */
  testId: string;
}

export type StartRequest = PresubmitStart | PostsubmitStart | BatchStart;

export interface StartOutcome {
  job: string;
  /**
   * `running`: an unfinished run of this job on the same subject (repo, change, head sha; repo,
   * branch, sha; repo, merge-queue test) exists, so none was added; `runId` is that run's
   */
  outcome: 'started' | 'running';
  runId: string;
}

/** Where a run is, as runStates answers it. */
export interface RunSummary {
  id: string;
  job: string;
  type: JobType;
  repo: RepoRef;
  /** the change a presubmit tested */
  change?: number;
  /** the branch tested against (a postsubmit's pushed branch) */
  baseRef: string;
  /** the commit its result is shown on: the change's head, the pushed commit; for a batch, the base */
  sha: string;
  context: string;
  state: RunState;
  description: string;
  url?: string;
}

export interface CiJobs {
  /**
   * Starts one run per request, de-duplicated among unfinished runs per (repo, change or branch,
   * sha, job), and for batches per (repo, test id, job).
   */
  start(requests: StartRequest[]): Promise<StartOutcome[]>;
  /** Aborts the change's unfinished presubmit runs (a new push, a closed PR); answers how many. */
  abortChange(ref: ChangeRef, reason: string): Promise<number>;
  /** The runs' states, in the order of `ids`; undefined for an id no run has (or no longer has). */
  runStates(ids: string[]): Promise<Array<RunSummary | undefined>>;
  /** Aborts those of the runs that have not finished; answers how many it aborted. */
  abortRuns(ids: string[], reason: string): Promise<number>;
}
