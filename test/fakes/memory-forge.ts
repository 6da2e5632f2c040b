// A Forge implemented directly over ForgeState, for plugin tests that need no HTTP. The conformance
// suite (test/forge-conformance.test.ts) holds it to the same behaviour as the real adapters.
import {
  type Change,
  type ChangeQuery,
  type ChangeRef,
  type CheckRunWrite,
  type Comment,
  type CommitStatus,
  type Forge,
  ForgeError,
  type ForgeKind,
  type MergeMethod,
  type MergeResult,
  normLogin,
  type Permission,
  type RepoRef,
  type Review,
  repoFullName,
} from '../../src/forge/types.js';
import type { FakeChange, ForgeState } from './forge-state.js';

export class MemoryForge implements Forge {
  // GitHub's Checks API; GitLab has none.
  readonly createCheckRun?: Forge['createCheckRun'];
  readonly updateCheckRun?: Forge['updateCheckRun'];
  readonly findCheckRun?: Forge['findCheckRun'];
  readonly listCheckSuiteRuns?: Forge['listCheckSuiteRuns'];

  constructor(
    readonly state: ForgeState,
    readonly kind: ForgeKind = 'github',
  ) {
    if (kind !== 'github') return;
    const fields = (check: CheckRunWrite) => ({
      name: check.name,
      status: check.status,
      ...(check.status === 'completed' && check.conclusion ? { conclusion: check.conclusion } : {}),
      ...(check.detailsUrl === undefined ? {} : { detailsUrl: check.detailsUrl }),
      externalId: check.externalId,
      output: { title: check.title, summary: check.summary },
    });
    this.createCheckRun = async (repo, sha, check) => this.state.createCheckRun(repoFullName(repo), sha, fields(check)).id;
    this.updateCheckRun = async (repo, id, check) => {
      if (!this.state.updateCheckRun(repoFullName(repo), id, fields(check))) throw new ForgeError(`check run ${id} not found`, 404);
    };
    this.findCheckRun = async (repo, sha, name, externalId) =>
      this.state.checkRuns(repoFullName(repo), sha).find((run) => run.name === name && run.externalId === externalId)?.id;
    this.listCheckSuiteRuns = async (repo, suiteId) => {
      const runs = this.state.repo(repoFullName(repo)).checkRuns.filter((run) => run.checkSuiteId === suiteId);
      const latest = new Map(runs.map((run) => [run.name, run]));
      return [...latest.values()].map((run) => ({ name: run.name, ...(run.externalId ? { externalId: run.externalId } : {}) }));
    };
  }

  async botLogin(): Promise<string> {
    return this.state.botLogin;
  }

  async cloneUrl(repo: RepoRef): Promise<string> {
    return this.state.repo(repoFullName(repo)).cloneUrl ?? `https://forge.test/${repoFullName(repo)}.git`;
  }

  #change(ref: ChangeRef): FakeChange {
    const change = this.state.repo(repoFullName(ref.repo)).changes.get(ref.number);
    if (!change) throw new ForgeError(`${repoFullName(ref.repo)}#${ref.number} not found`, 404);
    return change;
  }

  #toChange(repo: RepoRef, c: FakeChange): Change {
    return {
      ref: { repo, number: c.number },
      title: c.title,
      body: c.body,
      author: c.author,
      state: c.state,
      draft: c.draft,
      baseRef: c.baseRef,
      baseSha: c.baseSha,
      headRef: c.headRef,
      headSha: c.headSha,
      labels: [...c.labels],
      mergeable: c.mergeable,
      url: `https://forge.test/${repoFullName(repo)}/pull/${c.number}`,
      updatedAt: this.state.updatedAt(repoFullName(repo), c.number),
    };
  }

  async getChange(ref: ChangeRef): Promise<Change> {
    return this.#toChange(ref.repo, this.#change(ref));
  }

  async listChangedFiles(ref: ChangeRef): Promise<string[]> {
    return [...this.#change(ref).files];
  }

  async readFile(repo: RepoRef, path: string, ref: string): Promise<string | undefined> {
    return this.state.tree(repoFullName(repo), ref).get(path);
  }

  async listTree(repo: RepoRef, ref: string): Promise<string[]> {
    return [...this.state.tree(repoFullName(repo), ref).keys()].sort();
  }

  async defaultBranch(repo: RepoRef): Promise<string> {
    return this.state.repo(repoFullName(repo)).defaultBranch;
  }

  async addLabel(ref: ChangeRef, label: string): Promise<void> {
    this.#change(ref);
    this.state.addLabel(repoFullName(ref.repo), ref.number, label);
  }

  async removeLabel(ref: ChangeRef, label: string): Promise<void> {
    this.#change(ref);
    this.state.removeLabel(repoFullName(ref.repo), ref.number, label);
  }

  async listComments(ref: ChangeRef): Promise<Comment[]> {
    return this.state.comments(repoFullName(ref.repo), ref.number).map(({ change: _c, ...c }) => ({ ...c }));
  }

  async createComment(ref: ChangeRef, body: string): Promise<Comment> {
    this.#change(ref);
    const { change: _c, ...comment } = this.state.addComment(repoFullName(ref.repo), ref.number, this.state.botLogin, body);
    return { ...comment };
  }

  async updateComment(ref: ChangeRef, id: number, body: string): Promise<void> {
    const comment = this.state.comments(repoFullName(ref.repo), ref.number).find((c) => c.id === id);
    if (!comment) throw new ForgeError(`comment ${id} not found`, 404);
    comment.body = body;
    comment.updatedAt = new Date().toISOString();
  }

  async setStatus(repo: RepoRef, sha: string, status: CommitStatus): Promise<void> {
    this.state.setStatus(repoFullName(repo), sha, { ...status });
  }

  async listStatuses(repo: RepoRef, sha: string): Promise<CommitStatus[]> {
    return this.kind === 'github' ? this.state.contexts(repoFullName(repo), sha) : this.state.statuses(repoFullName(repo), sha);
  }

  async requiredContexts(repo: RepoRef, branch: string): Promise<string[]> {
    return [...(this.state.repo(repoFullName(repo)).requiredContexts.get(branch) ?? [])];
  }

  async listReviews(ref: ChangeRef): Promise<Review[]> {
    return this.state
      .repo(repoFullName(ref.repo))
      .reviews.filter((r) => r.change === ref.number)
      .map(({ change: _c, ...r }) => ({ ...r }));
  }

  async permission(repo: RepoRef, login: string): Promise<Permission> {
    return this.state.repo(repoFullName(repo)).permissions.get(normLogin(login)) ?? 'none';
  }

  async isOrgMember(repo: RepoRef, login: string): Promise<boolean> {
    const org = repo.owner.split('/')[0];
    return this.state.orgMembers.has(`${org}/${normLogin(login)}`.toLowerCase());
  }

  async searchChanges(repo: RepoRef, query: ChangeQuery): Promise<Change[]> {
    return [...this.state.repo(repoFullName(repo)).changes.values()]
      .filter((c) => c.state === 'open')
      .filter((c) => !query.baseRef || c.baseRef === query.baseRef)
      .filter((c) => (query.labels ?? []).every((l) => c.labels.includes(l)))
      .sort((a, b) => a.number - b.number)
      .map((c) => this.#toChange(repo, c));
  }

  async merge(ref: ChangeRef, opts: { method: MergeMethod; expectedHeadSha: string }): Promise<MergeResult> {
    this.#change(ref);
    const result = this.state.merge(repoFullName(ref.repo), ref.number, opts.method, opts.expectedHeadSha);
    return result.ok
      ? { merged: true, sha: result.sha }
      : { merged: false, reason: result.reason, message: `merge refused: ${result.reason}` };
  }

  async branchSha(repo: RepoRef, branch: string): Promise<string> {
    const sha = this.state.repo(repoFullName(repo)).branches.get(branch);
    if (!sha) throw new ForgeError(`branch ${branch} of ${repoFullName(repo)} not found`, 404);
    return sha;
  }

  async lastLabeler(ref: ChangeRef, label: string): Promise<string | undefined> {
    this.#change(ref);
    return this.state
      .labelEvents(repoFullName(ref.repo), ref.number)
      .filter((e) => e.action === 'added' && e.label === label)
      .at(-1)?.by;
  }

  async isTeamMember(repo: RepoRef, team: string, login: string): Promise<boolean> {
    // GitLab: a group path, members inherited from ancestor groups included (members/all).
    if (this.kind === 'gitlab') return this.state.isGroupMemberInherited(team, login);
    // GitHub: a team slug in the repo owner's org, or "org/slug".
    const path = team.includes('/') ? team : `${repo.owner}/${team}`;
    return this.state.isTeamMember(path, login);
  }

  async treeHash(repo: RepoRef, sha: string): Promise<string> {
    const tree = this.state.repo(repoFullName(repo)).trees.get(sha);
    if (!tree) throw new ForgeError(`commit ${sha} not found`, 404);
    return tree;
  }
}
