// A run: one attempt at one job on one commit, from queued to its end. Stored in Redis (or memory)
// as plain JSON, so it holds no secret: the callback token is kept only as its SHA-256.
import { randomBytes } from 'node:crypto';
import { type CommitStatus, type RepoRef, repoFullName, type StatusState } from '../forge/types.js';
import { isTerminal, type JobType, type Refs, type RunState } from './protocol.js';

export interface RunRecord {
  id: string;
  job: string;
  context: string;
  type: JobType;
  /** the `runners` key the job names */
  runner: string;
  repo: RepoRef;
  installationId?: number;
  /** the change under test (presubmits) */
  change?: number;
  /** the commit the status is written on: the PR head, or the pushed commit; for a batch, the base */
  sha: string;
  /** the merge-queue test a batch run belongs to */
  testId?: string;
  refs: Refs;
  params: Record<string, string>;
  timeoutSeconds: number;
  /** 0: unlimited */
  maxConcurrency: number;
  /** the de-duplication key it holds while unfinished (see activeKey) */
  activeKey: string;
  reason: string;
  state: RunState;
  description: string;
  url?: string;
  /** the runner's id for it (pipeline id, workflow run id) */
  externalId?: string;
  /** SHA-256 (hex) of the current callback token */
  tokenHash?: string;
  /** the last commit status or check run written for it (JSON), so an unchanged one is not written again */
  statusWritten?: string;
  /** present when the run shows as a GitHub check run instead of a commit status (`reporting`) */
  checkRun?: CheckRunLink;
  /** the run ended because it outlived its timeout */
  timedOut?: true;
  /** dispatch attempts so far */
  attempts: number;
  /** bumped on every change, so status writers can tell they wrote the latest */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * A run's GitHub check run: created once, then updated in place. Whoever creates it claims that
 * first (so two writers never both create), and a writer that takes over after a try that may have
 * created it (a failed or abandoned claim) looks for it by the run id before creating.
 */
export interface CheckRunLink {
  /** GitHub's id, once created */
  id?: number;
  /** a writer creating it: who, and since when (ms) */
  claim?: { by: string; at: number };
  /** a creation was tried before: look for its result first */
  tried?: true;
}

/** Not all digits and no ':' (BullMQ job ids), unguessable, URL-safe. */
export const newRunId = (): string => `r${randomBytes(12).toString('hex')}`;

export const RUN_ID = /^r[0-9a-f]{24}$/;

/** What a run tests: a change, a branch, or a merge-queue test (several changes on a base). */
export type RunSubject = { change: number } | { branch: string } | { test: string };

/**
 * One unfinished run per (repo, change or branch, sha, job), and per (repo, test, job) for batches:
 * a merge-queue test names its base and pulls, so `sha` is not part of its key. The job is the last
 * segment and job names have no "/", so a test id with slashes cannot collide with another key.
 */
export function activeKey(repo: RepoRef, subject: RunSubject, sha: string, job: string): string {
  const where = `${repo.forge}/${repoFullName(repo)}`;
  if ('test' in subject) return `${where}/batch/${subject.test}/${job}`;
  const what = 'change' in subject ? `pr/${subject.change}` : `branch/${subject.branch}`;
  return `${where}/${what}/${sha}/${job}`;
}

/** Whether a run shows as a commit status: batch runs do not (no PR head carries them; the merge queue reads them). */
export const writesStatus = (run: Pick<RunRecord, 'type'>): boolean => run.type !== 'batch';

/** What a run's status says when its runner says nothing more. */
export const DEFAULT_DESCRIPTION: Record<RunState, string> = {
  queued: 'Job triggered.',
  pending: 'Job pending.',
  running: 'Job running.',
  success: 'Job succeeded.',
  failure: 'Job failed.',
  error: 'Job errored.',
  aborted: 'Job aborted.',
};

/** How a run shows on the forge (Prow's crier mapping: aborted reads as a failure). */
const STATUS_STATE: Record<RunState, StatusState> = {
  queued: 'pending',
  pending: 'pending',
  running: 'pending',
  success: 'success',
  failure: 'failure',
  aborted: 'failure',
  error: 'error',
};

/** GitHub refuses longer descriptions. */
const MAX_DESCRIPTION = 140;

/**
 * The commit status for a run. Its description ends with " BaseSHA:<sha>" (Prow's convention), so
 * the merge queue can tell a result on the current base from a stale one.
 */
export function commitStatusOf(run: RunRecord): CommitStatus {
  const suffix = ` BaseSHA:${run.refs.base_sha}`;
  const room = MAX_DESCRIPTION - suffix.length;
  let text = run.description.replace(/\s+/g, ' ').trim();
  if (text.length > room) {
    const half = Math.floor((room - 5) / 2);
    text = `${text.slice(0, half)} ... ${text.slice(text.length - (room - 5 - half))}`;
  }
  return {
    context: run.context,
    state: STATUS_STATE[run.state],
    description: `${text}${suffix}`,
    targetUrl: run.url,
    ...(run.state === 'running' ? { running: true } : {}),
  };
}

/** Parses the base sha back out of a status description; undefined when it carries none. */
export function baseShaOf(description: string | undefined): string | undefined {
  return /\bBaseSHA:([0-9a-f]{7,64})\s*$/.exec(description ?? '')?.[1];
}

export const isFinished = (run: RunRecord): boolean => isTerminal(run.state);

/** The max_concurrency slots a run competes for: one set per (repo, job). */
export const slotKey = (run: Pick<RunRecord, 'repo' | 'job'>): string => `${run.repo.forge}/${repoFullName(run.repo)}/${run.job}`;
