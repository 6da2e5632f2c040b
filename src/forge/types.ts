// The forge-neutral model. Everything above src/forge/ speaks only these types; no plugin imports
// Octokit or gitbeaker.

export type ForgeKind = 'github' | 'gitlab';

/** A repository (GitHub) or project (GitLab). On GitLab `owner` may hold nested groups ("grp/sub"). */
export interface RepoRef {
  forge: ForgeKind;
  owner: string;
  name: string;
}

/** A pull request (GitHub) or merge request (GitLab), by its per-repo number (GitLab: iid). */
export interface ChangeRef {
  repo: RepoRef;
  number: number;
}

export type ChangeState = 'open' | 'closed' | 'merged';

export interface Change {
  ref: ChangeRef;
  title: string;
  body: string;
  author: string;
  state: ChangeState;
  draft: boolean;
  baseRef: string;
  baseSha: string;
  headRef: string;
  headSha: string;
  labels: string[];
  /** undefined while the forge is still computing it */
  mergeable?: boolean;
  url: string;
  /** when anything on the change last changed (pushes, comments, reviews, labels), as the forge says */
  updatedAt?: string;
}

export interface Comment {
  id: number;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export type ReviewState = 'approved' | 'changes_requested' | 'commented' | 'dismissed';

export interface Review {
  id: number;
  author: string;
  state: ReviewState;
  body: string;
  submittedAt: string;
  /** the head sha the review was given on, when the forge records it */
  commitSha?: string;
}

/** Commit status states, as GitHub names them; GitLab's running/canceled map onto these. */
export type StatusState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  context: string;
  state: StatusState;
  description?: string;
  targetUrl?: string;
  /**
   * A pending check that has started. GitLab shows it as `running` (and refuses to set `pending`
   * twice, so a started job could not say so otherwise); GitHub has no such state.
   */
  running?: boolean;
}

/** A check run's progress, in GitHub's Checks API terms. */
export type CheckRunStatus = 'queued' | 'in_progress' | 'completed';

/** How a completed check run ended: the conclusions this bot writes. */
export type CheckRunConclusion = 'success' | 'failure' | 'cancelled' | 'timed_out' | 'neutral';

/** A check run as the bot writes it (GitHub's Checks API; GitLab has none). */
export interface CheckRunWrite {
  /** shown as the check's name; the context required checks and the merge queue match */
  name: string;
  status: CheckRunStatus;
  /** present exactly when status is `completed` */
  conclusion?: CheckRunConclusion;
  detailsUrl?: string;
  /** the bot's own id for it (a run id), so a re-run request can be traced back */
  externalId: string;
  title: string;
  /** Markdown */
  summary: string;
}

/** Repository permission, GitHub's ladder; GitLab access levels map onto it (see docs/forges.md). */
export type Permission = 'none' | 'read' | 'triage' | 'write' | 'maintain' | 'admin';

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export type MergeResult =
  | { merged: true; sha?: string }
  | { merged: false; reason: 'head_moved' | 'conflict' | 'not_mergeable'; message: string };

export interface ChangeQuery {
  /** every one of these labels must be present */
  labels?: string[];
  /** target branch */
  baseRef?: string;
}

/**
 * One interface for every forge. Writes are idempotent (adding a present label, removing an absent
 * one are no-ops). Optional capabilities are optional members: callers ask `if (forge.treeHash)`.
 */
export interface Forge {
  readonly kind: ForgeKind;
  /** The login the bot acts as, so its own comments can be ignored. */
  botLogin(): Promise<string>;

  getChange(ref: ChangeRef): Promise<Change>;
  listChangedFiles(ref: ChangeRef): Promise<string[]>;
  /** A file's text at a ref (branch or sha); undefined when the file does not exist. */
  readFile(repo: RepoRef, path: string, ref: string): Promise<string | undefined>;
  /** The repository's HTTPS clone URL (runners clone it; it carries no credentials). */
  cloneUrl(repo: RepoRef): Promise<string>;
  /** Every file path in the tree at a ref. */
  listTree(repo: RepoRef, ref: string): Promise<string[]>;
  /** The sha a branch points at now. An unknown branch fails with a ForgeError of status 404. */
  branchSha(repo: RepoRef, branch: string): Promise<string>;
  /** The repository's default branch (where its own configuration file is read). */
  defaultBranch(repo: RepoRef): Promise<string>;

  /** Adds a label, creating it on the repo (with a colour) when missing. */
  addLabel(ref: ChangeRef, label: string): Promise<void>;
  removeLabel(ref: ChangeRef, label: string): Promise<void>;
  /**
   * The login that most recently added `label` to the change, per the forge's label history
   * (whether or not the label is still on); undefined when it was never added.
   */
  lastLabeler(ref: ChangeRef, label: string): Promise<string | undefined>;

  listComments(ref: ChangeRef): Promise<Comment[]>;
  createComment(ref: ChangeRef, body: string): Promise<Comment>;
  updateComment(ref: ChangeRef, id: number, body: string): Promise<void>;

  setStatus(repo: RepoRef, sha: string, status: CommitStatus): Promise<void>;
  /** Commit statuses and check runs on a sha, latest per context. */
  listStatuses(repo: RepoRef, sha: string): Promise<CommitStatus[]>;
  /** Contexts that must pass before merging into a branch (branch protection, protected branches). */
  requiredContexts(repo: RepoRef, branch: string): Promise<string[]>;

  listReviews(ref: ChangeRef): Promise<Review[]>;
  permission(repo: RepoRef, login: string): Promise<Permission>;
  /** Membership of the repo's owner organisation (GitHub org, GitLab top-level group). */
  isOrgMember(repo: RepoRef, login: string): Promise<boolean>;
  /**
   * Team membership. GitHub: `team` is a team slug in the repo owner's org, or "org/slug"; only an
   * active membership counts. GitLab: `team` is a group path ("acme/maintainers"), and members
   * inherited from ancestor groups count (members/all). An unknown team answers false.
   */
  isTeamMember(repo: RepoRef, team: string, login: string): Promise<boolean>;

  /** Open change requests matching the query (the merge queue's pool source). */
  searchChanges(repo: RepoRef, query: ChangeQuery): Promise<Change[]>;
  /** Merges only if the head is still `expectedHeadSha`. */
  merge(ref: ChangeRef, opts: { method: MergeMethod; expectedHeadSha: string }): Promise<MergeResult>;

  /** The git tree hash of a commit (lgtm's store_tree_hash). */
  treeHash?(repo: RepoRef, sha: string): Promise<string>;

  /**
   * Check runs (GitHub's Checks API; absent on GitLab). listStatuses reads them back like statuses:
   * the name as context, the title as description, the details URL as target URL.
   * createCheckRun answers the new check run's id.
   */
  createCheckRun?(repo: RepoRef, sha: string, check: CheckRunWrite): Promise<number>;
  /** Rewrites a check run this bot created. An unknown id fails with a ForgeError of status 404. */
  updateCheckRun?(repo: RepoRef, id: number, check: CheckRunWrite): Promise<void>;
  /** The id of a check run on `sha` with that name and external id, if there is one. */
  findCheckRun?(repo: RepoRef, sha: string, name: string, externalId: string): Promise<number | undefined>;
  /** The check runs of a check suite (check_suite.rerequested names only the suite). */
  listCheckSuiteRuns?(repo: RepoRef, suiteId: number): Promise<Array<{ name: string; externalId?: string }>>;
}

export const repoFullName = (repo: RepoRef): string => `${repo.owner}/${repo.name}`;

/** Splits "owner/name" (GitLab: "grp/sub/name") at its last slash. */
export function parseRepoFullName(forge: ForgeKind, fullName: string): RepoRef {
  const slash = fullName.lastIndexOf('/');
  if (slash <= 0 || slash === fullName.length - 1) throw new Error(`not an owner/name repository: "${fullName}"`);
  return { forge, owner: fullName.slice(0, slash), name: fullName.slice(slash + 1) };
}

/** Logins compare case-insensitively, without a leading "@" (Prow's NormLogin). */
export const normLogin = (login: string): string => login.replace(/^@/, '').toLowerCase();

export const permissionRank: Record<Permission, number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};

/** A forge call that failed for a reason the caller may want to classify. */
export class ForgeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ForgeError';
  }
}
