// One in-memory model of a forge's state, shared by every fake front-end: the in-memory Forge
// (memory-forge.ts) and the HTTP fakes of the GitHub and GitLab APIs (github-api.ts, gitlab-api.ts).
// Tests seed it, drive the code under test, and assert on it, so the same assertions hold whichever
// adapter sits in between.
import { checkRunState } from '../../src/forge/github/normalize.js';
import type {
  ChangeState,
  CheckRunConclusion,
  CheckRunStatus,
  CommitStatus,
  MergeMethod,
  Permission,
  ReviewState,
} from '../../src/forge/types.js';

export interface FakeChange {
  number: number;
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
  files: string[];
  mergeable: boolean;
  /** set when merged */
  mergedWith?: { method: MergeMethod; sha: string };
}

export interface FakeComment {
  id: number;
  change: number;
  author: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeReview {
  id: number;
  change: number;
  author: string;
  state: ReviewState;
  body: string;
  submittedAt: string;
  commitSha?: string;
}

/** One entry of a change's label history (GitHub issue events, GitLab resource label events). */
export interface FakeLabelEvent {
  id: number;
  change: number;
  label: string;
  action: 'added' | 'removed';
  /** the login that added or removed it */
  by: string;
  at: string;
}

/** A check run, as GitHub keeps it (the fields the Checks API lets an App write, and its times). */
export interface FakeCheckRun {
  id: number;
  /** the App that created it */
  appId: number;
  checkSuiteId: number;
  headSha: string;
  name: string;
  status: CheckRunStatus;
  conclusion: CheckRunConclusion | null;
  detailsUrl: string | null;
  externalId: string;
  output: { title: string | null; summary: string | null; text: string | null };
  startedAt: string;
  completedAt: string | null;
}

/** A GitHub App registered through the manifest flow. */
export interface FakeApp {
  id: number;
  slug: string;
  name: string;
  manifest: Record<string, unknown>;
  /** PEM, as GitHub hands it out once */
  pem: string;
  webhookSecret: string;
  clientId: string;
  clientSecret: string;
}

export interface FakeRepo {
  owner: string;
  name: string;
  /** numeric id (GitLab project id, GitHub repo id) */
  id: number;
  /** where git can fetch the repository from (a file:// URL of a real repository in tests) */
  cloneUrl?: string;
  defaultBranch: string;
  changes: Map<number, FakeChange>;
  comments: FakeComment[];
  reviews: FakeReview[];
  /** label name -> colour (hex without '#') */
  labels: Map<string, string>;
  /** sha -> statuses in the order set (latest last) */
  statuses: Map<string, CommitStatus[]>;
  /** ref (branch or sha) -> path -> content */
  files: Map<string, Map<string, string>>;
  /** sha -> tree hash */
  trees: Map<string, string>;
  permissions: Map<string, Permission>;
  /** branch -> required contexts */
  requiredContexts: Map<string, string[]>;
  /** branch -> the sha it points at */
  branches: Map<string, string>;
  /** label additions and removals on changes, oldest first */
  labelEvents: FakeLabelEvent[];
  /** check runs, oldest first */
  checkRuns: FakeCheckRun[];
}

export interface ForgeCall {
  method: string;
  path: string;
  body?: unknown;
}

let nextId = 1000;

/** The fake clock's start: the times GitHub stamps statuses and check runs with count from here. */
const FAKE_EPOCH = '2024-01-01T00:00:00Z';

/** What creating or updating a check run may set. */
export interface CheckRunFields {
  name?: string;
  status?: CheckRunStatus;
  conclusion?: CheckRunConclusion;
  detailsUrl?: string;
  externalId?: string;
  output?: { title?: string; summary?: string; text?: string };
}

export class ForgeState {
  readonly repos = new Map<string, FakeRepo>();
  readonly orgMembers = new Set<string>(); // "org/login", lower-case
  /**
   * "org/team" (GitHub org and team slug) or "group/subgroup" (a GitLab group path), lower-case ->
   * lower-case logins. addTeamMember('acme', 'maintainers', ...) is GitHub's team "maintainers" in
   * org "acme" and GitLab's group "acme/maintainers" alike.
   */
  readonly teams = new Map<string, Set<string>>();
  /** Every request the HTTP fakes served, for tests that count calls. */
  readonly calls: ForgeCall[] = [];
  botLogin = 'ci-bot';
  /** the id of the GitHub App the bot is (GET /app); check runs it creates carry it */
  appId = 1;
  #clock = 0;
  readonly #stamps = new WeakMap<CommitStatus, string>();
  /** GitHub only: manifests posted to "create an App", by the one-time code handed back for them. */
  readonly appManifests = new Map<string, Record<string, unknown>>();
  /** GitHub only: Apps created from a manifest, by id, with the credentials GitHub issued. */
  readonly apps = new Map<number, FakeApp>();

  repo(fullName: string): FakeRepo {
    let repo = this.repos.get(fullName.toLowerCase());
    if (!repo) {
      const slash = fullName.lastIndexOf('/');
      repo = {
        owner: fullName.slice(0, slash),
        name: fullName.slice(slash + 1),
        id: nextId++,
        defaultBranch: 'main',
        changes: new Map(),
        comments: [],
        reviews: [],
        labels: new Map(),
        statuses: new Map(),
        files: new Map(),
        trees: new Map(),
        permissions: new Map(),
        requiredContexts: new Map(),
        branches: new Map(),
        labelEvents: [],
        checkRuns: [],
      };
      this.repos.set(fullName.toLowerCase(), repo);
    }
    return repo;
  }

  findRepoById(id: number): FakeRepo | undefined {
    return [...this.repos.values()].find((r) => r.id === id);
  }

  addChange(fullName: string, change: Partial<FakeChange> & { number: number }): FakeChange {
    const full: FakeChange = {
      title: `Change ${change.number}`,
      body: '',
      author: 'alice',
      state: 'open',
      draft: false,
      baseRef: 'main',
      baseSha: 'b'.repeat(40),
      headRef: `feature-${change.number}`,
      headSha: 'a'.repeat(40),
      labels: [],
      files: [],
      mergeable: true,
      ...change,
    };
    this.repo(fullName).changes.set(full.number, full);
    return full;
  }

  /**
   * The change's `updated_at`: a time derived from everything a forge bumps it for (its head,
   * labels, comments and reviews), so it moves whenever a test changes any of them, however.
   */
  updatedAt(fullName: string, number: number): string {
    const repo = this.repo(fullName);
    const c = this.change(fullName, number);
    const seen = JSON.stringify([
      c.headSha,
      c.title,
      c.body,
      c.draft,
      c.state,
      c.labels,
      c.files,
      repo.comments.filter((x) => x.change === number),
      repo.reviews.filter((x) => x.change === number),
    ]);
    let hash = 2166136261;
    for (let i = 0; i < seen.length; i++) hash = Math.imul(hash ^ seen.charCodeAt(i), 16777619) >>> 0;
    return new Date(Date.UTC(2024, 0, 1) + hash).toISOString();
  }

  change(fullName: string, number: number): FakeChange {
    const change = this.repo(fullName).changes.get(number);
    if (!change) throw new Error(`no change ${fullName}#${number} in the fake`);
    return change;
  }

  addComment(fullName: string, change: number, author: string, body: string): FakeComment {
    const now = new Date().toISOString();
    const comment = { id: nextId++, change, author, body, createdAt: now, updatedAt: now };
    this.repo(fullName).comments.push(comment);
    return comment;
  }

  addReview(fullName: string, review: Omit<FakeReview, 'id' | 'submittedAt'>): FakeReview {
    const full = { id: nextId++, submittedAt: new Date().toISOString(), ...review };
    this.repo(fullName).reviews.push(full);
    return full;
  }

  setFile(fullName: string, ref: string, path: string, content: string): void {
    const repo = this.repo(fullName);
    let tree = repo.files.get(ref);
    if (!tree) repo.files.set(ref, (tree = new Map()));
    tree.set(path, content);
  }

  setPermission(fullName: string, login: string, permission: Permission): void {
    this.repo(fullName).permissions.set(login.toLowerCase(), permission);
  }

  addOrgMember(org: string, login: string): void {
    this.orgMembers.add(`${org}/${login}`.toLowerCase());
  }

  setBranch(fullName: string, branch: string, sha: string): void {
    this.repo(fullName).branches.set(branch, sha);
  }

  /** `orgOrGroup`/`team` names the team: GitHub org + slug, or a GitLab group path split anywhere. */
  addTeamMember(orgOrGroup: string, team: string, login: string): void {
    const key = `${orgOrGroup}/${team}`.toLowerCase();
    let members = this.teams.get(key);
    if (!members) this.teams.set(key, (members = new Set()));
    members.add(login.replace(/^@/, '').toLowerCase());
  }

  /** Direct membership of a team ("org/team") or group path, as GitHub's team memberships answer. */
  isTeamMember(teamPath: string, login: string): boolean {
    return this.teams.get(teamPath.toLowerCase())?.has(login.replace(/^@/, '').toLowerCase()) ?? false;
  }

  /**
   * GitLab's members/all of a group: direct members of the group or of any ancestor group (org
   * members count as direct members of their top-level group).
   */
  isGroupMemberInherited(groupPath: string, login: string): boolean {
    const user = login.replace(/^@/, '').toLowerCase();
    const parts = groupPath.toLowerCase().split('/');
    if (this.orgMembers.has(`${parts[0]}/${user}`)) return true;
    for (let i = 2; i <= parts.length; i++) {
      if (this.teams.get(parts.slice(0, i).join('/'))?.has(user)) return true;
    }
    return false;
  }

  /** The labelEvents of one change, oldest first. */
  labelEvents(fullName: string, change: number): FakeLabelEvent[] {
    return this.repo(fullName).labelEvents.filter((e) => e.change === change);
  }

  comments(fullName: string, change: number): FakeComment[] {
    return this.repo(fullName).comments.filter((c) => c.change === change);
  }

  /** Latest status per context on a sha. */
  statuses(fullName: string, sha: string): CommitStatus[] {
    const latest = new Map<string, CommitStatus>();
    for (const s of this.repo(fullName).statuses.get(sha) ?? []) latest.set(s.context, s);
    return [...latest.values()];
  }

  /** When a status was set, as GitHub stamps it (a fake clock: one second per write, in order). */
  statusTime(status: CommitStatus): string {
    return this.#stamps.get(status) ?? FAKE_EPOCH;
  }

  /**
   * What GitHub's listStatuses reads on a sha: the latest commit status per context and the latest
   * check run per name, one entry per context, the newer winning (a check run counts from its
   * completion, else its start).
   */
  contexts(fullName: string, sha: string): CommitStatus[] {
    const latest = new Map<string, { at: string; status: CommitStatus }>();
    const offer = (at: string, status: CommitStatus) => {
      const seen = latest.get(status.context);
      if (!seen || at >= seen.at) latest.set(status.context, { at, status });
    };
    for (const s of this.statuses(fullName, sha)) offer(this.statusTime(s), s);
    for (const run of this.latestCheckRuns(fullName, sha)) {
      offer(run.completedAt ?? run.startedAt, {
        context: run.name,
        state: checkRunState(run.status, run.conclusion),
        ...(run.output.title ? { description: run.output.title } : {}),
        ...(run.detailsUrl ? { targetUrl: run.detailsUrl } : {}),
      });
    }
    return [...latest.values()].map((e) => e.status);
  }

  /** The check runs on a sha, oldest first. */
  checkRuns(fullName: string, sha: string): FakeCheckRun[] {
    return this.repo(fullName).checkRuns.filter((run) => run.headSha === sha);
  }

  /** GitHub's filter=latest: the newest check run of each name (per App) on a sha. */
  latestCheckRuns(fullName: string, sha: string): FakeCheckRun[] {
    const latest = new Map<string, FakeCheckRun>();
    for (const run of this.checkRuns(fullName, sha)) latest.set(`${run.appId}/${run.name}`, run);
    return [...latest.values()];
  }

  // --- mutations the fronts share, so every front behaves alike ---

  /**
   * Adds a label to a change (creating it on the repo with `colour` when missing), as `by` (default:
   * the bot). Recorded in the label history only when the change did not carry it already, as the
   * forges do. Tests seed a human's label with `addLabel(full, n, 'approved', undefined, 'mallory')`.
   */
  addLabel(fullName: string, number: number, label: string, colour = 'ededed', by = this.botLogin): void {
    const repo = this.repo(fullName);
    if (!repo.labels.has(label)) repo.labels.set(label, colour);
    const change = this.change(fullName, number);
    if (change.labels.includes(label)) return;
    change.labels.push(label);
    this.#labelEvent(repo, number, label, 'added', by);
  }

  /** Removes a label from a change as `by` (default: the bot); absent is a no-op. */
  removeLabel(fullName: string, number: number, label: string, by = this.botLogin): void {
    const change = this.change(fullName, number);
    if (!change.labels.includes(label)) return;
    change.labels = change.labels.filter((l) => l !== label);
    this.#labelEvent(this.repo(fullName), number, label, 'removed', by);
  }

  #labelEvent(repo: FakeRepo, change: number, label: string, action: FakeLabelEvent['action'], by: string): void {
    repo.labelEvents.push({ id: nextId++, change, label, action, by, at: new Date().toISOString() });
  }

  setStatus(fullName: string, sha: string, status: CommitStatus): void {
    const repo = this.repo(fullName);
    const list = repo.statuses.get(sha) ?? [];
    list.push(status);
    repo.statuses.set(sha, list);
    this.#stamps.set(status, this.#tick());
  }

  /**
   * Creates a check run as GitHub does: a conclusion completes it; started_at is now unless given.
   * Validation (GitHub's 422s) is the front's business.
   */
  createCheckRun(fullName: string, sha: string, fields: CheckRunFields, appId = this.appId): FakeCheckRun {
    const repo = this.repo(fullName);
    const suite = repo.checkRuns.find((r) => r.headSha === sha && r.appId === appId)?.checkSuiteId ?? nextId++;
    const run: FakeCheckRun = {
      id: nextId++,
      appId,
      checkSuiteId: suite,
      headSha: sha,
      name: fields.name ?? '',
      status: 'queued',
      conclusion: null,
      detailsUrl: null,
      externalId: '',
      output: { title: null, summary: null, text: null },
      startedAt: this.#tick(),
      completedAt: null,
    };
    repo.checkRuns.push(run);
    this.updateCheckRun(fullName, run.id, fields);
    return run;
  }

  /** Updates a check run in place, as PATCH does; undefined when the repo has no such check run. */
  updateCheckRun(fullName: string, id: number, fields: CheckRunFields): FakeCheckRun | undefined {
    const run = this.repo(fullName).checkRuns.find((r) => r.id === id);
    if (!run) return undefined;
    if (fields.name !== undefined) run.name = fields.name;
    if (fields.detailsUrl !== undefined) run.detailsUrl = fields.detailsUrl;
    if (fields.externalId !== undefined) run.externalId = fields.externalId;
    if (fields.output) run.output = { ...run.output, ...fields.output };
    if (fields.conclusion) {
      run.status = 'completed';
      run.conclusion = fields.conclusion;
      run.completedAt = this.#tick();
    } else if (fields.status) {
      run.status = fields.status;
      if (fields.status !== 'completed') {
        run.conclusion = null;
        run.completedAt = null;
      }
    }
    return run;
  }

  /** A time for the next write: GitHub's clock, modelled as one second per write. */
  #tick(): string {
    return new Date(Date.parse(FAKE_EPOCH) + 1000 * ++this.#clock).toISOString().replace(/\.000Z$/, 'Z');
  }

  /** Merge with GitHub's semantics: a moved head refuses, an unmergeable change conflicts. */
  merge(
    fullName: string,
    number: number,
    method: MergeMethod,
    expectedHeadSha: string,
  ): { ok: true; sha: string } | { ok: false; reason: 'head_moved' | 'conflict' | 'not_mergeable' } {
    const change = this.change(fullName, number);
    if (change.state !== 'open') return { ok: false, reason: 'not_mergeable' };
    if (change.headSha !== expectedHeadSha) return { ok: false, reason: 'head_moved' };
    if (!change.mergeable) return { ok: false, reason: 'conflict' };
    const sha = `${String(nextId++).padStart(8, '0')}${'c'.repeat(32)}`;
    change.state = 'merged';
    change.mergedWith = { method, sha };
    // The base branch moves to the merge; its files (OWNERS) carry over, the change's own are not modelled.
    const repo = this.repo(fullName);
    const before = repo.branches.get(change.baseRef);
    if (before !== undefined) {
      repo.branches.set(change.baseRef, sha);
      const files = repo.files.get(before);
      if (files) repo.files.set(sha, new Map(files));
    }
    return { ok: true, sha };
  }

  /** Every path at a ref: files set on that exact ref. */
  tree(fullName: string, ref: string): Map<string, string> {
    return this.repo(fullName).files.get(ref) ?? new Map();
  }
}
