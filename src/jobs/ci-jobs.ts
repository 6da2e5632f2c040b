// What plugins see of CI: start runs of configured jobs, abort a change's runs. The trigger plugin
// decides which jobs run; this service owns how (the queue, runners, statuses, callbacks).
import type { Postsubmit, Presubmit } from '../config/jobs-schema.js';
import type { ChangeRef, RepoRef } from '../forge/types.js';
import type { Pull } from './protocol.js';

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

export type StartRequest = PresubmitStart | PostsubmitStart;

export interface StartOutcome {
  job: string;
  /** `running`: a run of this job on this (repo, change, head sha) has not ended yet, so none was added */
  outcome: 'started' | 'running';
  runId: string;
}

export interface CiJobs {
  /** Starts one run per request, de-duplicated per (repo, change or branch, sha, job) among unfinished runs. */
  start(requests: StartRequest[]): Promise<StartOutcome[]>;
  /** Aborts the change's unfinished presubmit runs (a new push, a closed PR); answers how many. */
  abortChange(ref: ChangeRef, reason: string): Promise<number>;
}
