// The Forge interface over the GitLab REST API v4, through gitbeaker. GitLab speaks of projects,
// merge requests (by iid) and notes; this file is where those become repos, changes and comments.
import { GitbeakerRetryError, GitbeakerTimeoutError, Gitlab } from '@gitbeaker/rest';
import { labelColour } from '../label-colour.js';
import {
  type Change,
  type ChangeQuery,
  type ChangeRef,
  type ChangeState,
  type Comment,
  type CommitStatus,
  type Forge,
  ForgeError,
  type MergeMethod,
  type MergeResult,
  type Permission,
  type RepoRef,
  type Review,
  repoFullName,
  type StatusState,
} from '../types.js';
import { GitTreeHashes } from './git-tree-hash.js';
import { gitbeakerRequestFailure } from './request-failure.js';

type GitLabStatus = 'pending' | 'running' | 'success' | 'failed' | 'canceled';

// GitLab has no 'error' commit status. 'canceled' is the closest: like GitHub's 'error' it says
// the check did not produce a verdict, and it is distinct from 'failed' when read back.
const toGitLabStatus: Record<StatusState, GitLabStatus> = {
  pending: 'pending',
  success: 'success',
  failure: 'failed',
  error: 'canceled',
};
const fromGitLabStatus: Record<string, StatusState> = {
  created: 'pending',
  waiting_for_resource: 'pending',
  preparing: 'pending',
  pending: 'pending',
  running: 'pending',
  manual: 'pending',
  scheduled: 'pending',
  success: 'success',
  skipped: 'success',
  failed: 'failure',
  canceled: 'error',
  canceling: 'error',
};

/** GitLab access levels: 10 guest, 15 planner, 20 reporter, 30 developer, 40 maintainer, 50 owner. */
function permissionOf(accessLevel: number): Permission {
  if (accessLevel >= 50) return 'admin';
  if (accessLevel >= 40) return 'maintain';
  if (accessLevel >= 30) return 'write';
  if (accessLevel >= 10) return 'read';
  return 'none';
}

const changeState = (state: string): ChangeState => (state === 'opened' ? 'open' : state === 'merged' ? 'merged' : 'closed'); // closed, locked

/** GitLab protected-branch names may be wildcards ("release-*"). */
function branchMatches(pattern: string, branch: string): boolean {
  if (!pattern.includes('*')) return pattern === branch;
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`).test(branch);
}

// The fields of GitLab's merge request the adapter reads (gitbeaker's schema types them loosely).
interface MergeRequest {
  iid: number;
  updated_at?: string;
  title: string;
  description: string | null;
  state: string;
  draft?: boolean;
  work_in_progress?: boolean;
  author: { username: string };
  target_branch: string;
  source_branch: string;
  sha: string;
  diff_refs?: { base_sha: string } | null;
  labels: Array<string | { name: string }>;
  merge_status?: string;
  detailed_merge_status?: string;
  has_conflicts?: boolean;
  web_url: string;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
}

export class GitLabForge implements Forge {
  readonly kind = 'gitlab' as const;
  readonly #api: Gitlab<false>;
  #botLogin?: Promise<string>;
  /** "project\0label" for labels known to exist, so addLabel creates each at most once. */
  readonly #knownLabels = new Set<string>();

  readonly #trees: GitTreeHashes;
  readonly #cloneUrls = new Map<string, Promise<string>>();

  constructor(options: { host: string; token: string; gitCacheDir?: string }) {
    this.#api = new Gitlab({ host: options.host.replace(/\/+$/, ''), token: options.token });
    this.#trees = new GitTreeHashes({ token: options.token, cacheDir: options.gitCacheDir });
  }

  cloneUrl(repo: RepoRef): Promise<string> {
    const project = repoFullName(repo);
    let cloneUrl = this.#cloneUrls.get(project);
    if (!cloneUrl) {
      cloneUrl = this.#call(
        `GET /projects/${project}`,
        async () => ((await this.#api.Projects.show(project)) as unknown as { http_url_to_repo: string }).http_url_to_repo,
      );
      cloneUrl.catch(() => this.#cloneUrls.delete(project));
      this.#cloneUrls.set(project, cloneUrl);
    }
    return cloneUrl;
  }

  /** The API does not give a commit's tree hash; git does, from the commit object alone. */
  async treeHash(repo: RepoRef, sha: string): Promise<string> {
    const project = repoFullName(repo);
    const url = await this.cloneUrl(repo);
    try {
      return await this.#trees.treeHash(url, sha);
    } catch (err) {
      throw new ForgeError(`GitLab tree hash of ${project}@${sha}: ${(err as Error).message.split('\n')[0]}`, undefined, { cause: err });
    }
  }

  /** Runs a gitbeaker call, turning its errors into ForgeErrors that carry the HTTP status. */
  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const failure = gitbeakerRequestFailure(err);
      if (failure) {
        throw new ForgeError(`GitLab ${what} failed (HTTP ${failure.status ?? '?'}): ${failure.description}`, failure.status, {
          cause: err,
        });
      }
      if (err instanceof GitbeakerRetryError || err instanceof GitbeakerTimeoutError) {
        throw new ForgeError(`GitLab ${what} failed: ${err.message}`, undefined, { cause: err });
      }
      throw err;
    }
  }

  /** The same, but a 404 (or another listed status) answers `fallback` instead of throwing. */
  async #callOr<T, F>(what: string, fallback: F, statuses: number[], fn: () => Promise<T>): Promise<T | F> {
    try {
      return await this.#call(what, fn);
    } catch (err) {
      if (err instanceof ForgeError && err.status !== undefined && statuses.includes(err.status)) return fallback;
      throw err;
    }
  }

  botLogin(): Promise<string> {
    if (!this.#botLogin) {
      const lookup = this.#call('GET /user', async () => (await this.#api.Users.showCurrentUser()).username as string);
      // a failed lookup is not cached, so the next caller tries again
      lookup.catch(() => {
        if (this.#botLogin === lookup) this.#botLogin = undefined;
      });
      this.#botLogin = lookup;
    }
    return this.#botLogin;
  }

  #mr(ref: ChangeRef): Promise<MergeRequest> {
    return this.#call(
      `GET merge request ${repoFullName(ref.repo)}!${ref.number}`,
      async () => (await this.#api.MergeRequests.show(repoFullName(ref.repo), ref.number)) as unknown as MergeRequest,
    );
  }

  #toChange(repo: RepoRef, mr: MergeRequest): Change {
    const checking = ['unchecked', 'checking', 'cannot_be_merged_recheck'];
    const unknown = checking.includes(mr.merge_status ?? '') || checking.includes(mr.detailed_merge_status ?? '');
    return {
      ref: { repo, number: mr.iid },
      title: mr.title,
      body: mr.description ?? '',
      author: mr.author.username,
      state: changeState(mr.state),
      draft: mr.draft ?? mr.work_in_progress ?? false,
      baseRef: mr.target_branch,
      baseSha: mr.diff_refs?.base_sha ?? '',
      headRef: mr.source_branch,
      headSha: mr.sha,
      labels: mr.labels.map((l) => (typeof l === 'string' ? l : l.name)),
      ...(unknown || mr.has_conflicts === undefined ? {} : { mergeable: !mr.has_conflicts }),
      url: mr.web_url,
      ...(mr.updated_at ? { updatedAt: mr.updated_at } : {}),
    };
  }

  async getChange(ref: ChangeRef): Promise<Change> {
    return this.#toChange(ref.repo, await this.#mr(ref));
  }

  async listChangedFiles(ref: ChangeRef): Promise<string[]> {
    const diffs = await this.#call(`GET diffs of ${repoFullName(ref.repo)}!${ref.number}`, () =>
      this.#api.MergeRequests.allDiffs(repoFullName(ref.repo), ref.number, { perPage: 100 }),
    );
    const paths = new Set<string>();
    for (const d of diffs) {
      paths.add(d.new_path);
      if (d.renamed_file) paths.add(d.old_path);
    }
    return [...paths];
  }

  async readFile(repo: RepoRef, path: string, ref: string): Promise<string | undefined> {
    const raw = await this.#callOr(
      `GET file ${path}@${ref} in ${repoFullName(repo)}`,
      undefined,
      [404],
      () => this.#api.RepositoryFiles.showRaw(repoFullName(repo), path, ref) as Promise<unknown>,
    );
    if (raw === undefined) return undefined;
    // gitbeaker hands back text for text/* responses and a Blob for anything else
    return raw instanceof Blob ? raw.text() : String(raw);
  }

  async listTree(repo: RepoRef, ref: string): Promise<string[]> {
    const entries = await this.#call(`GET tree ${repoFullName(repo)}@${ref}`, () =>
      this.#api.Repositories.allRepositoryTrees(repoFullName(repo), { ref, recursive: true, perPage: 100 }),
    );
    return entries.filter((e) => e.type === 'blob').map((e) => e.path);
  }

  async branchSha(repo: RepoRef, branch: string): Promise<string> {
    const found = await this.#call(`GET branch ${branch} of ${repoFullName(repo)}`, () =>
      this.#api.Branches.show(repoFullName(repo), branch),
    );
    return (found.commit as { id: string }).id;
  }

  async defaultBranch(repo: RepoRef): Promise<string> {
    const project = await this.#call(`GET /projects/${repoFullName(repo)}`, () => this.#api.Projects.show(repoFullName(repo)));
    return (project as unknown as { default_branch: string }).default_branch;
  }

  async addLabel(ref: ChangeRef, label: string): Promise<void> {
    const project = repoFullName(ref.repo);
    const key = `${project}\0${label}`;
    if (!this.#knownLabels.has(key)) {
      // 409: the label exists already, which is all we wanted
      await this.#callOr(`POST label ${label} in ${project}`, undefined, [409], () =>
        this.#api.ProjectLabels.create(project, label, `#${labelColour(label)}`),
      );
      this.#knownLabels.add(key);
    }
    await this.#call(`PUT labels of ${project}!${ref.number}`, () =>
      this.#api.MergeRequests.edit(project, ref.number, { addLabels: label }),
    );
  }

  async removeLabel(ref: ChangeRef, label: string): Promise<void> {
    const project = repoFullName(ref.repo);
    await this.#call(`PUT labels of ${project}!${ref.number}`, () =>
      this.#api.MergeRequests.edit(project, ref.number, { removeLabels: label }),
    );
  }

  async lastLabeler(ref: ChangeRef, label: string): Promise<string | undefined> {
    const project = repoFullName(ref.repo);
    const events = await this.#call(`GET label events of ${project}!${ref.number}`, () =>
      this.#api.MergeRequestLabelEvents.all(project, ref.number, { perPage: 100 }),
    );
    // ids grow with time; the label is null when it has since been deleted from the project
    const added = [...events]
      .sort((a, b) => a.id - b.id)
      .filter((e) => e.action === 'add' && (e.label as { name?: string } | null)?.name === label)
      .at(-1);
    return added?.user.username as string | undefined;
  }

  #toComment(note: Record<string, unknown>): Comment {
    return {
      id: note.id as number,
      author: (note.author as { username: string }).username,
      body: note.body as string,
      createdAt: note.created_at as string,
      updatedAt: (note.updated_at as string | undefined) ?? (note.created_at as string),
    };
  }

  async listComments(ref: ChangeRef): Promise<Comment[]> {
    // notes come newest first unless asked otherwise
    const notes = await this.#call(`GET notes of ${repoFullName(ref.repo)}!${ref.number}`, () =>
      this.#api.MergeRequestNotes.all(repoFullName(ref.repo), ref.number, { sort: 'asc', orderBy: 'created_at', perPage: 100 }),
    );
    return notes.filter((n) => !n.system).map((n) => this.#toComment(n));
  }

  async createComment(ref: ChangeRef, body: string): Promise<Comment> {
    const note = await this.#call(`POST note on ${repoFullName(ref.repo)}!${ref.number}`, () =>
      this.#api.MergeRequestNotes.create(repoFullName(ref.repo), ref.number, body),
    );
    return this.#toComment(note);
  }

  async updateComment(ref: ChangeRef, id: number, body: string): Promise<void> {
    await this.#call(`PUT note ${id} on ${repoFullName(ref.repo)}!${ref.number}`, () =>
      this.#api.MergeRequestNotes.edit(repoFullName(ref.repo), ref.number, id, { body }),
    );
  }

  async setStatus(repo: RepoRef, sha: string, status: CommitStatus): Promise<void> {
    const state = status.state === 'pending' && status.running ? 'running' : toGitLabStatus[status.state];
    try {
      await this.#call(`POST status ${status.context} on ${sha}`, () =>
        this.#api.Commits.editStatus(repoFullName(repo), sha, state, {
          name: status.context,
          ...(status.description !== undefined ? { description: status.description } : {}),
          ...(status.targetUrl !== undefined ? { targetUrl: status.targetUrl } : {}),
        }),
      );
    } catch (err) {
      // GitLab's commit status is a state machine that refuses to re-enter the state it holds
      // ("Cannot transition status via :enqueue from :pending"); the status already says it.
      if (err instanceof ForgeError && err.status === 400 && /Cannot transition status/.test(err.message)) return;
      throw err;
    }
  }

  async listStatuses(repo: RepoRef, sha: string): Promise<CommitStatus[]> {
    // without all=true GitLab answers the latest status per name
    const statuses = await this.#call(`GET statuses of ${sha}`, () => this.#api.Commits.allStatuses(repoFullName(repo), sha));
    return statuses.map((s) => ({
      context: s.name,
      state: fromGitLabStatus[s.status] ?? 'pending',
      ...(s.description ? { description: s.description } : {}),
      ...(s.target_url ? { targetUrl: s.target_url } : {}),
    }));
  }

  /**
   * GitLab has no required commit-status contexts. The nearest gate is a project's external status
   * checks (Ultimate): the names of the checks that apply to the branch are the contexts required.
   * A check with no protected branches applies to every branch. Tiers without the feature -> none.
   */
  async requiredContexts(repo: RepoRef, branch: string): Promise<string[]> {
    const checks = await this.#callOr(`GET external status checks of ${repoFullName(repo)}`, [], [403, 404], () =>
      this.#api.ExternalStatusChecks.all(repoFullName(repo), { perPage: 100 }),
    );
    return checks
      .filter((c) => !c.protected_branches?.length || c.protected_branches.some((b) => branchMatches(b.name, branch)))
      .map((c) => c.name);
  }

  /** GitLab's approvals are the only review state it has: each approver is an 'approved' review. */
  async listReviews(ref: ChangeRef): Promise<Review[]> {
    const approvals = await this.#call(`GET approvals of ${repoFullName(ref.repo)}!${ref.number}`, () =>
      this.#api.MergeRequestApprovals.showConfiguration(repoFullName(ref.repo), { mergerequestIId: ref.number }),
    );
    const approvedBy = (approvals as { approved_by?: Array<{ user: { id: number; username: string } }> }).approved_by ?? [];
    const now = new Date().toISOString();
    return approvedBy.map(({ user }) => ({
      id: user.id,
      author: user.username,
      state: 'approved' as const,
      body: '',
      submittedAt: now,
    }));
  }

  async #userId(login: string): Promise<number | undefined> {
    const username = login.replace(/^@/, '');
    const users = await this.#call(`GET user ${username}`, () => this.#api.Users.all({ username }));
    return users[0]?.id;
  }

  async permission(repo: RepoRef, login: string): Promise<Permission> {
    const id = await this.#userId(login);
    if (id === undefined) return 'none';
    // members/all includes access inherited from groups
    const member = await this.#callOr(`GET member ${login} of ${repoFullName(repo)}`, undefined, [404], () =>
      this.#api.ProjectMembers.show(repoFullName(repo), id, { includeInherited: true }),
    );
    return member ? permissionOf(member.access_level) : 'none';
  }

  async isOrgMember(repo: RepoRef, login: string): Promise<boolean> {
    const group = repo.owner.split('/')[0]!;
    const id = await this.#userId(login);
    if (id === undefined) return false;
    const member = await this.#callOr(`GET member ${login} of group ${group}`, undefined, [404], () =>
      this.#api.GroupMembers.show(group, id, { includeInherited: true }),
    );
    return member !== undefined;
  }

  /** `team` is a group path; members/all counts members inherited from ancestor groups too. */
  async isTeamMember(_repo: RepoRef, team: string, login: string): Promise<boolean> {
    const group = team.replace(/^\/+|\/+$/g, '');
    const id = await this.#userId(login);
    if (id === undefined) return false;
    const member = await this.#callOr(`GET member ${login} of group ${group}`, undefined, [404], () =>
      this.#api.GroupMembers.show(group, id, { includeInherited: true }),
    );
    return member !== undefined;
  }

  async searchChanges(repo: RepoRef, query: ChangeQuery): Promise<Change[]> {
    const mrs = await this.#call(`GET merge requests of ${repoFullName(repo)}`, () =>
      this.#api.MergeRequests.all({
        projectId: repoFullName(repo),
        state: 'opened',
        perPage: 100,
        ...(query.labels?.length ? { labels: query.labels.join(',') } : {}),
        ...(query.baseRef ? { targetBranch: query.baseRef } : {}),
      }),
    );
    // the list endpoint has no diff_refs; baseSha stays '' here, getChange has it
    return (mrs as unknown as MergeRequest[]).map((mr) => this.#toChange(repo, mr));
  }

  /**
   * 'rebase' and 'merge' are both a plain accept here: whether GitLab writes a merge commit,
   * rebases or fast-forwards is the project's merge-method setting, not a per-merge choice.
   */
  async merge(ref: ChangeRef, opts: { method: MergeMethod; expectedHeadSha: string }): Promise<MergeResult> {
    const project = repoFullName(ref.repo);
    try {
      const mr = (await this.#call(`PUT merge ${project}!${ref.number}`, () =>
        this.#api.MergeRequests.merge(project, ref.number, {
          sha: opts.expectedHeadSha,
          squash: opts.method === 'squash',
        }),
      )) as unknown as MergeRequest;
      const sha = mr.merge_commit_sha ?? mr.squash_commit_sha ?? undefined;
      return sha ? { merged: true, sha } : { merged: true };
    } catch (err) {
      if (!(err instanceof ForgeError)) throw err;
      if (err.status === 409) return { merged: false, reason: 'head_moved', message: err.message };
      if (err.status === 405 || err.status === 406 || err.status === 422) {
        // GitLab answers these alike for a conflict, a draft, a closed MR or failing checks
        const mr = await this.#mr(ref);
        return { merged: false, reason: mr.has_conflicts ? 'conflict' : 'not_mergeable', message: err.message };
      }
      throw err;
    }
  }
}
