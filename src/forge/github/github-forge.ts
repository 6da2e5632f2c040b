// The Forge over GitHub's REST API, through the (installation-authenticated) Octokit Probot hands us.
import type { ProbotOctokit } from 'probot';
import { labelColour } from '../label-colour.js';
import {
  type Change,
  type ChangeQuery,
  type ChangeRef,
  type CheckRunWrite,
  type Comment,
  type CommitStatus,
  type Forge,
  ForgeError,
  type MergeMethod,
  type MergeResult,
  type Permission,
  type RepoRef,
  type Review,
  type ReviewState,
} from '../types.js';
import { checkRunState } from './normalize.js';

export type Octokit = InstanceType<typeof ProbotOctokit>;

const PERMISSIONS: readonly Permission[] = ['none', 'read', 'triage', 'write', 'maintain', 'admin'];
const REVIEW_STATES: Record<string, ReviewState> = {
  APPROVED: 'approved',
  CHANGES_REQUESTED: 'changes_requested',
  COMMENTED: 'commented',
  DISMISSED: 'dismissed',
};
/** GitHub rejects longer status descriptions with a 422. */
const MAX_STATUS_DESCRIPTION = 140;
/** GitHub's limit on a check run's output.summary. */
const MAX_CHECK_SUMMARY = 65_535;

/** The fields of a pull request that both `pulls.get` and `pulls.list` return. */
interface PullLike {
  number: number;
  title: string;
  body: string | null;
  user: { login: string } | null;
  state: string;
  draft?: boolean;
  merged_at: string | null;
  labels: { name?: string }[];
  html_url: string;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  updated_at?: string;
}

/** An Octokit RequestError, or anything else carrying an HTTP status. */
function httpStatus(err: unknown): number | undefined {
  if (err instanceof Error && 'status' in err && typeof err.status === 'number') return err.status;
  return undefined;
}

function toForgeError(what: string, err: unknown): ForgeError {
  if (err instanceof ForgeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ForgeError(`GitHub ${what}: ${message}`, httpStatus(err), { cause: err });
}

const stripAt = (login: string): string => login.replace(/^@/, '');

export class GitHubForge implements Forge {
  readonly kind = 'github' as const;
  /** "owner/name\nlabel" of labels known to exist, so addLabel creates each at most once. */
  readonly #knownLabels = new Set<string>();

  constructor(
    private readonly octokit: Octokit,
    private readonly options: { botLogin: () => Promise<string> },
  ) {}

  /** github.com for api.github.com; the GHE host for https://HOST/api/v3. */
  async cloneUrl(repo: RepoRef): Promise<string> {
    const api = new URL(this.octokit.request.endpoint.DEFAULTS.baseUrl);
    const web = api.hostname === 'api.github.com' ? 'https://github.com' : `${api.protocol}//${api.host}`;
    return `${web}/${repo.owner}/${repo.name}.git`;
  }

  /** Runs one API call, turning HTTP failures into ForgeErrors. */
  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toForgeError(what, err);
    }
  }

  #repo(repo: RepoRef): { owner: string; repo: string } {
    return { owner: repo.owner, repo: repo.name };
  }

  #pr(ref: ChangeRef): { owner: string; repo: string; pull_number: number } {
    return { ...this.#repo(ref.repo), pull_number: ref.number };
  }

  #issue(ref: ChangeRef): { owner: string; repo: string; issue_number: number } {
    return { ...this.#repo(ref.repo), issue_number: ref.number };
  }

  #toChange(repo: RepoRef, pr: PullLike, mergeable?: boolean | null): Change {
    return {
      ref: { repo, number: pr.number },
      title: pr.title,
      body: pr.body ?? '',
      author: pr.user?.login ?? 'ghost',
      state: pr.merged_at ? 'merged' : pr.state === 'open' ? 'open' : 'closed',
      draft: pr.draft ?? false,
      baseRef: pr.base.ref,
      baseSha: pr.base.sha,
      headRef: pr.head.ref,
      headSha: pr.head.sha,
      labels: pr.labels.flatMap((l) => (l.name ? [l.name] : [])),
      ...(mergeable == null ? {} : { mergeable }),
      url: pr.html_url,
      ...(pr.updated_at ? { updatedAt: pr.updated_at } : {}),
    };
  }

  botLogin(): Promise<string> {
    return this.options.botLogin();
  }

  async getChange(ref: ChangeRef): Promise<Change> {
    const { data } = await this.#call(`get pull request #${ref.number}`, () => this.octokit.rest.pulls.get(this.#pr(ref)));
    // `merged` is authoritative on the single-PR endpoint; merged_at agrees with it.
    const change = this.#toChange(ref.repo, data, data.mergeable);
    if (data.merged) change.state = 'merged';
    return change;
  }

  async listChangedFiles(ref: ChangeRef): Promise<string[]> {
    const files = await this.#call(`list files of #${ref.number}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listFiles, { ...this.#pr(ref), per_page: 100 }),
    );
    // A rename touches both paths (an OWNERS file may govern either).
    return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
  }

  async readFile(repo: RepoRef, path: string, ref: string): Promise<string | undefined> {
    let data: unknown;
    try {
      ({ data } = await this.octokit.rest.repos.getContent({
        ...this.#repo(repo),
        path,
        ref,
        mediaType: { format: 'raw' },
      }));
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw toForgeError(`read ${path}@${ref}`, err);
    }
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
    // Without the raw media type (or from a proxy that ignores it): the JSON form, base64 content.
    if (data && typeof data === 'object' && !Array.isArray(data) && 'content' in data && typeof data.content === 'string') {
      return Buffer.from(data.content, 'base64').toString('utf8');
    }
    return undefined; // a directory or a submodule
  }

  async listTree(repo: RepoRef, ref: string): Promise<string[]> {
    const { data } = await this.#call(`get tree ${ref}`, () =>
      this.octokit.rest.git.getTree({ ...this.#repo(repo), tree_sha: ref, recursive: 'true' }),
    );
    return data.tree.flatMap((e) => (e.type === 'blob' && e.path ? [e.path] : []));
  }

  async branchSha(repo: RepoRef, branch: string): Promise<string> {
    const { data } = await this.#call(`get branch ${branch}`, () => this.octokit.rest.repos.getBranch({ ...this.#repo(repo), branch }));
    return data.commit.sha;
  }

  async defaultBranch(repo: RepoRef): Promise<string> {
    const { data } = await this.#call(`get repository ${repo.owner}/${repo.name}`, () => this.octokit.rest.repos.get(this.#repo(repo)));
    return data.default_branch;
  }

  async addLabel(ref: ChangeRef, label: string): Promise<void> {
    const key = `${ref.repo.owner}/${ref.repo.name}\n${label}`;
    if (!this.#knownLabels.has(key)) {
      try {
        await this.octokit.rest.issues.createLabel({ ...this.#repo(ref.repo), name: label, color: labelColour(label) });
      } catch (err) {
        if (!isAlreadyExists(err)) throw toForgeError(`create label ${label}`, err);
      }
      this.#knownLabels.add(key);
    }
    await this.#call(`add label ${label} to #${ref.number}`, () =>
      this.octokit.rest.issues.addLabels({ ...this.#issue(ref), labels: [label] }),
    );
  }

  async removeLabel(ref: ChangeRef, label: string): Promise<void> {
    try {
      await this.octokit.rest.issues.removeLabel({ ...this.#issue(ref), name: label });
    } catch (err) {
      if (httpStatus(err) !== 404) throw toForgeError(`remove label ${label} from #${ref.number}`, err);
    }
  }

  async lastLabeler(ref: ChangeRef, label: string): Promise<string | undefined> {
    // issue events come oldest first
    const events = await this.#call(`list events of #${ref.number}`, () =>
      this.octokit.paginate(this.octokit.rest.issues.listEvents, { ...this.#issue(ref), per_page: 100 }),
    );
    const added = events.filter((e) => e.event === 'labeled' && 'label' in e && e.label?.name === label).at(-1);
    return added ? (added.actor?.login ?? 'ghost') : undefined;
  }

  async listComments(ref: ChangeRef): Promise<Comment[]> {
    const comments = await this.#call(`list comments of #${ref.number}`, () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, { ...this.#issue(ref), per_page: 100 }),
    );
    return comments.map(toComment);
  }

  async createComment(ref: ChangeRef, body: string): Promise<Comment> {
    const { data } = await this.#call(`comment on #${ref.number}`, () =>
      this.octokit.rest.issues.createComment({ ...this.#issue(ref), body }),
    );
    return toComment(data);
  }

  async updateComment(ref: ChangeRef, id: number, body: string): Promise<void> {
    await this.#call(`update comment ${id}`, () =>
      this.octokit.rest.issues.updateComment({ ...this.#repo(ref.repo), comment_id: id, body }),
    );
  }

  async setStatus(repo: RepoRef, sha: string, status: CommitStatus): Promise<void> {
    let description = status.description;
    if (description && description.length > MAX_STATUS_DESCRIPTION) {
      description = `${description.slice(0, MAX_STATUS_DESCRIPTION - 1)}…`;
    }
    await this.#call(`set status ${status.context}`, () =>
      this.octokit.rest.repos.createCommitStatus({
        ...this.#repo(repo),
        sha,
        state: status.state,
        context: status.context,
        ...(description === undefined ? {} : { description }),
        ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
      }),
    );
  }

  async listStatuses(repo: RepoRef, sha: string): Promise<CommitStatus[]> {
    // Commit statuses and check runs share one namespace of contexts; the newer entry wins.
    const latest = new Map<string, { at: string; status: CommitStatus }>();
    const offer = (at: string, status: CommitStatus) => {
      const seen = latest.get(status.context);
      if (!seen || at >= seen.at) latest.set(status.context, { at, status });
    };

    // The combined status is not a plain list (it has `url`), so octokit.paginate would not unwrap
    // it; page by hand. GitHub already reduces it to the latest status per context.
    for (let page = 1; ; page++) {
      const { data } = await this.#call(`get combined status of ${sha}`, () =>
        this.octokit.rest.repos.getCombinedStatusForRef({ ...this.#repo(repo), ref: sha, per_page: 100, page }),
      );
      for (const s of data.statuses) {
        offer(s.updated_at, {
          context: s.context,
          state: s.state as CommitStatus['state'],
          ...(s.description == null ? {} : { description: s.description }),
          ...(s.target_url == null ? {} : { targetUrl: s.target_url }),
        });
      }
      if (data.statuses.length < 100 || page * 100 >= data.total_count) break;
    }

    const runs = await this.#call(`list check runs of ${sha}`, () =>
      this.octokit.paginate(this.octokit.rest.checks.listForRef, { ...this.#repo(repo), ref: sha, filter: 'latest', per_page: 100 }),
    );
    for (const run of runs) {
      const targetUrl = run.details_url ?? run.html_url;
      offer(run.completed_at ?? run.started_at ?? '', {
        context: run.name,
        state: checkRunState(run.status, run.conclusion),
        ...(run.output.title ? { description: run.output.title } : {}),
        ...(targetUrl ? { targetUrl } : {}),
      });
    }
    return [...latest.values()].map((e) => e.status);
  }

  async createCheckRun(repo: RepoRef, sha: string, check: CheckRunWrite): Promise<number> {
    // Not retried on a lost answer: a second POST would add a second check run. The job service
    // looks for the first (findCheckRun) before it tries again.
    const { data } = await this.#call(`create check run ${check.name}`, () =>
      this.octokit.rest.checks.create({ ...this.#repo(repo), head_sha: sha, ...checkRunBody(check), request: { retries: 0 } }),
    );
    return data.id;
  }

  async updateCheckRun(repo: RepoRef, id: number, check: CheckRunWrite): Promise<void> {
    await this.#call(`update check run ${check.name}`, () =>
      this.octokit.rest.checks.update({ ...this.#repo(repo), check_run_id: id, ...checkRunBody(check) }),
    );
  }

  async findCheckRun(repo: RepoRef, sha: string, name: string, externalId: string): Promise<number | undefined> {
    const runs = await this.#call(`list check runs ${name} of ${sha}`, () =>
      this.octokit.paginate(this.octokit.rest.checks.listForRef, {
        ...this.#repo(repo),
        ref: sha,
        check_name: name,
        filter: 'all',
        per_page: 100,
      }),
    );
    return runs.find((run) => run.external_id === externalId)?.id;
  }

  async listCheckSuiteRuns(repo: RepoRef, suiteId: number): Promise<Array<{ name: string; externalId?: string }>> {
    const runs = await this.#call(`list check runs of suite ${suiteId}`, () =>
      this.octokit.paginate(this.octokit.rest.checks.listForSuite, {
        ...this.#repo(repo),
        check_suite_id: suiteId,
        filter: 'latest',
        per_page: 100,
      }),
    );
    return runs.map((run) => ({ name: run.name, ...(run.external_id ? { externalId: run.external_id } : {}) }));
  }

  async requiredContexts(repo: RepoRef, branch: string): Promise<string[]> {
    try {
      const { data } = await this.octokit.rest.repos.getStatusChecksProtection({ ...this.#repo(repo), branch });
      return [...new Set([...(data.contexts ?? []), ...(data.checks ?? []).map((c) => c.context)])];
    } catch (err) {
      if (httpStatus(err) === 404) return []; // branch not protected, or no required checks
      throw toForgeError(`get required status checks of ${branch}`, err);
    }
  }

  async listReviews(ref: ChangeRef): Promise<Review[]> {
    const reviews = await this.#call(`list reviews of #${ref.number}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listReviews, { ...this.#pr(ref), per_page: 100 }),
    );
    return reviews.flatMap((r) => {
      const state = REVIEW_STATES[r.state];
      if (!state) return []; // PENDING: a draft review only its author can see
      return [
        {
          id: r.id,
          author: r.user?.login ?? 'ghost',
          state,
          body: r.body ?? '',
          submittedAt: r.submitted_at ?? '',
          ...(r.commit_id ? { commitSha: r.commit_id } : {}),
        },
      ];
    });
  }

  async permission(repo: RepoRef, login: string): Promise<Permission> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
        ...this.#repo(repo),
        username: stripAt(login),
      });
      // `permission` is the legacy four-step ladder (maintain reads as write, triage as read);
      // role_name is exact unless it names a custom role.
      const known = (p: string | undefined): p is Permission => PERMISSIONS.includes(p as Permission);
      if (known(data.role_name)) return data.role_name;
      return known(data.permission) ? data.permission : 'none';
    } catch (err) {
      if (httpStatus(err) === 404) return 'none';
      throw toForgeError(`get permission of ${login}`, err);
    }
  }

  async isOrgMember(repo: RepoRef, login: string): Promise<boolean> {
    try {
      await this.octokit.rest.orgs.checkMembershipForUser({ org: repo.owner, username: stripAt(login) });
      return true;
    } catch (err) {
      // 302: we are not a member ourselves and were sent to the public list; 404: not a member.
      const status = httpStatus(err);
      if (status === 404 || status === 302) return false;
      throw toForgeError(`check membership of ${login} in ${repo.owner}`, err);
    }
  }

  async isTeamMember(repo: RepoRef, team: string, login: string): Promise<boolean> {
    // "org/slug" names another org's team; a bare slug is in the repo owner's org
    const slash = team.indexOf('/');
    const org = slash < 0 ? repo.owner : team.slice(0, slash);
    const teamSlug = slash < 0 ? team : team.slice(slash + 1);
    try {
      const { data } = await this.octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: teamSlug,
        username: stripAt(login),
      });
      return data.state === 'active'; // 'pending': invited, not yet a member
    } catch (err) {
      if (httpStatus(err) === 404) return false; // no such team, or not a member
      throw toForgeError(`check membership of ${login} in team ${org}/${teamSlug}`, err);
    }
  }

  async searchChanges(repo: RepoRef, query: ChangeQuery): Promise<Change[]> {
    const pulls = await this.#call('list pull requests', () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, {
        ...this.#repo(repo),
        state: 'open',
        per_page: 100,
        ...(query.baseRef ? { base: query.baseRef } : {}),
      }),
    );
    const wanted = query.labels ?? [];
    return pulls.filter((pr) => wanted.every((l) => pr.labels.some((pl) => pl.name === l))).map((pr) => this.#toChange(repo, pr));
  }

  async merge(ref: ChangeRef, opts: { method: MergeMethod; expectedHeadSha: string }): Promise<MergeResult> {
    try {
      const { data } = await this.octokit.rest.pulls.merge({
        ...this.#pr(ref),
        sha: opts.expectedHeadSha,
        merge_method: opts.method,
      });
      return data.merged ? { merged: true, sha: data.sha } : { merged: false, reason: 'not_mergeable', message: data.message };
    } catch (err) {
      const status = httpStatus(err);
      const message = err instanceof Error ? err.message : String(err);
      if (status === 409) return { merged: false, reason: 'head_moved', message };
      if (status === 405) {
        // 405 covers both a conflicting PR ("Pull Request is not mergeable") and refusals such as
        // unmet branch protection; only the message tells them apart.
        return { merged: false, reason: /not mergeable/i.test(message) ? 'conflict' : 'not_mergeable', message };
      }
      throw toForgeError(`merge #${ref.number}`, err);
    }
  }

  async treeHash(repo: RepoRef, sha: string): Promise<string> {
    const { data } = await this.#call(`get commit ${sha}`, () => this.octokit.rest.git.getCommit({ ...this.#repo(repo), commit_sha: sha }));
    return data.tree.sha;
  }
}

/** A check run's writable fields, as GitHub's create and update endpoints take them. */
function checkRunBody(check: CheckRunWrite) {
  return {
    name: check.name,
    status: check.status,
    ...(check.status === 'completed' && check.conclusion ? { conclusion: check.conclusion } : {}),
    ...(check.detailsUrl === undefined ? {} : { details_url: check.detailsUrl }),
    external_id: check.externalId,
    output: { title: check.title, summary: check.summary.slice(0, MAX_CHECK_SUMMARY) },
  };
}

function toComment(c: { id: number; user: { login: string } | null; body?: string; created_at: string; updated_at: string }): Comment {
  return { id: c.id, author: c.user?.login ?? 'ghost', body: c.body ?? '', createdAt: c.created_at, updatedAt: c.updated_at };
}

/** GitHub's answer to creating a label that exists: 422 with errors[].code "already_exists". */
function isAlreadyExists(err: unknown): boolean {
  if (httpStatus(err) !== 422) return false;
  const data = (err as { response?: { data?: unknown } }).response?.data;
  const errors = data && typeof data === 'object' && 'errors' in data ? data.errors : undefined;
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown })?.code === 'already_exists');
}
