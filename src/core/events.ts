// Normalized events: GitHub and GitLab payloads are converted to these at the edge
// (src/forge/*/normalize.ts); nothing downstream reads a raw payload. Events are plain JSON so
// they can sit in the queue.
import type { ChangeState, ForgeKind, RepoRef, ReviewState, StatusState } from '../forge/types.js';
import type { ReportedState } from '../jobs/protocol.js';

export interface Actor {
  login: string;
  isBot: boolean;
}

/**
 * What the webhook tells about the PR/MR. Fields a payload does not carry are absent (a GitHub
 * issue_comment has no shas); ask the forge (`ctx.change()`) when you need them.
 */
export interface ChangeInfo {
  number: number;
  title: string;
  /** absent where the payload names the author by id only (GitLab Note Hook) */
  author?: string;
  state: ChangeState;
  draft: boolean;
  labels: string[];
  url: string;
  baseRef?: string;
  baseSha?: string;
  headRef?: string;
  headSha?: string;
}

interface EventBase {
  forge: ForgeKind;
  /** X-GitHub-Delivery, or GitLab's Idempotency-Key / X-Gitlab-Event-UUID */
  deliveryId: string;
  repo: RepoRef;
  sender: Actor;
  /** GitHub App installation the event came from (needed to act on GitHub) */
  installationId?: number;
}

export type PullRequestAction = 'opened' | 'synchronize' | 'reopened' | 'closed' | 'labeled' | 'unlabeled' | 'edited' | 'ready_for_review';

export interface PullRequestEvent extends EventBase {
  kind: 'pull_request';
  action: PullRequestAction;
  change: ChangeInfo;
  /** the label added or removed, for labeled/unlabeled */
  label?: string;
}

export interface CommentEvent extends EventBase {
  kind: 'comment';
  action: 'created' | 'edited' | 'deleted';
  change: ChangeInfo;
  comment: { id: number; body: string; author: string; url: string };
}

export interface ReviewEvent extends EventBase {
  kind: 'review';
  action: ReviewState;
  change: ChangeInfo;
  review: { id: number; body: string; author: string };
}

export interface PushEvent extends EventBase {
  kind: 'push';
  branch: string;
  before: string;
  after: string;
  /** the branch was deleted (after is all zeros) */
  deleted: boolean;
  /** paths added, removed or modified by the pushed commits, as the payload lists them */
  changedFiles: string[];
}

export interface StatusEvent extends EventBase {
  kind: 'status';
  sha: string;
  context: string;
  state: StatusState;
  description?: string;
  targetUrl?: string;
  /** the change it belongs to, when the payload says (GitLab merge request pipelines) */
  changeNumber?: number;
}

/**
 * A run on a CI system changed state: a GitHub Actions workflow run (workflow_run) or a GitLab
 * pipeline (Pipeline Hook). The job service matches it to the run it dispatched there.
 */
export interface RunnerEvent extends EventBase {
  kind: 'runner';
  system: 'github-actions' | 'gitlab-pipeline';
  /** the system's id of the run: the workflow run id, the pipeline id */
  externalId: string;
  /** the run's title (GitHub's display_title, which the workflow's run-name sets), if any */
  title?: string;
  /** the commit the run ran on */
  sha: string;
  state: ReportedState;
  url?: string;
  description?: string;
}

/**
 * Someone asked the forge to run the bot's checks again: GitHub's Re-run button on a check run of
 * the bot's (`check_run` rerequested), or "Re-run all checks" on the bot's check suite of a commit
 * (`check_suite` rerequested). GitHub sends these only to the App that created the check runs.
 */
export interface RerunRequestEvent extends EventBase {
  kind: 'rerun_request';
  /** the commit the check runs are on */
  sha: string;
  /** check_run: the check run (its name is a job's context, its external id the bot's run id) */
  checkRun?: { name: string; externalId?: string };
  /** check_suite: the suite, whose check runs all run again */
  checkSuiteId?: number;
  /** the open changes GitHub links the commit to; empty for changes from forks */
  changeNumbers: number[];
}

export type NormalizedEvent = PullRequestEvent | CommentEvent | ReviewEvent | PushEvent | StatusEvent | RunnerEvent | RerunRequestEvent;
export type EventKind = NormalizedEvent['kind'];
