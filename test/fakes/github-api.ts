// A fake of the GitHub REST API over the shared ForgeState, for the GitHub adapter's conformance run
// and end-to-end tests of the Probot app. It serves under /api/v3 (GitHub Enterprise Server's base
// path), so a real Probot finds it through GHE_HOST=127.0.0.1:PORT and GHE_PROTOCOL=http.
// Responses follow GitHub's shapes and status codes for the fields our code reads; the rest is
// filled in plausibly, not exhaustively.
import { createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckRunConclusion, CheckRunStatus, CommitStatus, Permission, StatusState } from '../../src/forge/types.js';
import type { CheckRunFields, FakeApp, FakeChange, FakeCheckRun, FakeComment, FakeRepo, ForgeState } from './forge-state.js';

const PREFIX = '/api/v3';
const WEB = 'https://github.com';

interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** absolute URL of this request without its query, for Link headers */
  self: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** a non-JSON body (raw file content) */
  text?: string;
}

type Handler = (state: ForgeState, req: Request) => Reply;

const json = (status: number, body?: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers });
const notFound = (message = 'Not Found'): Reply => json(404, { message, documentation_url: 'https://docs.github.com/rest' });
const unprocessable = (message: string, errors?: unknown[]): Reply =>
  json(422, { message, ...(errors ? { errors } : {}), documentation_url: 'https://docs.github.com/rest' });

// --- resource shapes ---

/** A stable small number for names that have no id in ForgeState (users, labels). */
function idOf(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000_007;
  return h;
}

function userJson(state: ForgeState, login: string) {
  const isBot = login === state.botLogin || login.endsWith('[bot]');
  return {
    login,
    id: idOf(login),
    node_id: `U_${idOf(login)}`,
    type: isBot ? 'Bot' : 'User',
    site_admin: false,
    html_url: `${WEB}/${login}`,
  };
}

function repoJson(state: ForgeState, repo: FakeRepo) {
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: userJson(state, repo.owner),
    private: false,
    html_url: `${WEB}/${repo.owner}/${repo.name}`,
    default_branch: repo.defaultBranch,
  };
}

function labelJson(repo: FakeRepo, name: string) {
  return {
    id: idOf(name),
    node_id: `LA_${idOf(name)}`,
    name,
    color: repo.labels.get(name) ?? 'ededed',
    default: false,
    description: null,
    url: `${WEB}/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
  };
}

/** `detailed`: the single-PR endpoint's extra fields (merged, mergeable, ...). */
function pullJson(state: ForgeState, repo: FakeRepo, c: FakeChange, detailed: boolean) {
  const merged = c.state === 'merged';
  const branch = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: userJson(state, repo.owner),
    repo: repoJson(state, repo),
  });
  return {
    id: repo.id * 100_000 + c.number,
    node_id: `PR_${repo.id}_${c.number}`,
    number: c.number,
    url: `${WEB}/api/v3/repos/${repo.owner}/${repo.name}/pulls/${c.number}`,
    html_url: `${WEB}/${repo.owner}/${repo.name}/pull/${c.number}`,
    state: c.state === 'open' ? 'open' : 'closed',
    locked: false,
    title: c.title,
    body: c.body,
    user: userJson(state, c.author),
    draft: c.draft,
    labels: c.labels.map((l) => labelJson(repo, l)),
    created_at: '2024-01-01T00:00:00Z',
    updated_at: state.updatedAt(`${repo.owner}/${repo.name}`, c.number),
    closed_at: c.state === 'open' ? null : '2024-01-02T00:00:00Z',
    merged_at: merged ? '2024-01-02T00:00:00Z' : null,
    merge_commit_sha: c.mergedWith?.sha ?? null,
    head: branch(c.headRef, c.headSha),
    base: branch(c.baseRef, c.baseSha),
    ...(detailed
      ? {
          merged,
          mergeable: c.state === 'open' ? c.mergeable : null,
          mergeable_state: c.mergeable ? 'clean' : 'dirty',
          merged_by: null,
          comments: 0,
          commits: 1,
          changed_files: c.files.length,
        }
      : {}),
  };
}

function commentJson(state: ForgeState, repo: FakeRepo, c: FakeComment) {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    body: c.body,
    user: userJson(state, c.author),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'NONE',
    html_url: `${WEB}/${repo.owner}/${repo.name}/pull/${c.change}#issuecomment-${c.id}`,
    issue_url: `${WEB}/api/v3/repos/${repo.owner}/${repo.name}/issues/${c.change}`,
  };
}

function appJson(state: ForgeState, id: number) {
  const slug = id === state.appId ? state.botLogin.replace(/\[bot\]$/, '') : `app-${id}`;
  return {
    id,
    slug,
    node_id: `A_${id}`,
    name: slug,
    owner: userJson(state, 'acme'),
    description: '',
    external_url: 'https://ci.test',
    html_url: `${WEB}/apps/${slug}`,
    permissions: {},
    events: [],
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
  };
}

/** A check run as the Checks API answers it; pull_requests are the open PRs with that head. */
function checkRunJson(state: ForgeState, repo: FakeRepo, run: FakeCheckRun) {
  const api = `${WEB}/api/v3/repos/${repo.owner}/${repo.name}`;
  const branch = (ref: string, sha: string) => ({ ref, sha, repo: { id: repo.id, url: api, name: repo.name } });
  return {
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.headSha,
    external_id: run.externalId,
    url: `${api}/check-runs/${run.id}`,
    html_url: `${WEB}/${repo.owner}/${repo.name}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { ...run.output, annotations_count: 0, annotations_url: `${api}/check-runs/${run.id}/annotations` },
    name: run.name,
    check_suite: { id: run.checkSuiteId },
    app: appJson(state, run.appId),
    pull_requests: [...repo.changes.values()]
      .filter((c) => c.state === 'open' && c.headSha === run.headSha)
      .map((c) => ({
        url: `${api}/pulls/${c.number}`,
        id: repo.id * 100_000 + c.number,
        number: c.number,
        head: branch(c.headRef, c.headSha),
        base: branch(c.baseRef, c.baseSha),
      })),
  };
}

const CHECK_STATUSES: readonly string[] = ['queued', 'in_progress', 'completed'] satisfies CheckRunStatus[];
/** Only GitHub Actions may set these. */
const ACTIONS_ONLY_STATUSES: readonly string[] = ['waiting', 'requested', 'pending'];
const CHECK_CONCLUSIONS: readonly string[] = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out',
];
const MAX_CHECK_SUMMARY = 65_535;

/**
 * A create (POST) or update (PATCH) body checked as GitHub's Checks API checks it, turned into the
 * fields to set; or the 422 GitHub answers. `creating`: name and head_sha are required.
 */
function checkRunFields(body: Record<string, unknown>, creating: boolean): CheckRunFields | Reply {
  const invalid = (detail: string) => unprocessable(`Invalid request.\n\n${detail}`);
  const { name, head_sha: headSha, status, conclusion, details_url: detailsUrl, external_id: externalId, output } = body;
  if (creating && (typeof name !== 'string' || name === '')) return invalid('"name" wasn\'t supplied.');
  if (creating && (typeof headSha !== 'string' || headSha === '')) return invalid('"head_sha" wasn\'t supplied.');
  if (name !== undefined && typeof name !== 'string') return invalid("For 'properties/name', it is not a string.");
  if (status !== undefined && !CHECK_STATUSES.includes(String(status))) {
    if (ACTIONS_ONLY_STATUSES.includes(String(status)))
      return unprocessable('Only GitHub Actions can set a status of waiting, pending, or requested.');
    return invalid(`For 'properties/status', ${JSON.stringify(status)} is not one of ${JSON.stringify(CHECK_STATUSES)}.`);
  }
  if (conclusion !== undefined && !CHECK_CONCLUSIONS.includes(String(conclusion))) {
    return invalid(`For 'properties/conclusion', ${JSON.stringify(conclusion)} is not one of ${JSON.stringify(CHECK_CONCLUSIONS)}.`);
  }
  if (status === 'completed' && conclusion === undefined) return invalid('"conclusion" wasn\'t supplied.');
  if (detailsUrl !== undefined && (typeof detailsUrl !== 'string' || !/^https?:\/\//.test(detailsUrl))) {
    return unprocessable('Validation Failed', [
      { resource: 'CheckRun', code: 'custom', field: 'details_url', message: 'details_url must be a valid URL' },
    ]);
  }
  if (externalId !== undefined && typeof externalId !== 'string') return invalid("For 'properties/external_id', it is not a string.");
  let fields: CheckRunFields['output'];
  if (output !== undefined) {
    if (!output || typeof output !== 'object') return invalid("For 'properties/output', it is not an object.");
    const { title, summary, text } = output as Record<string, unknown>;
    if (typeof title !== 'string') return invalid('"title" wasn\'t supplied.');
    if (typeof summary !== 'string') return invalid('"summary" wasn\'t supplied.');
    if (summary.length > MAX_CHECK_SUMMARY) {
      return unprocessable('Validation Failed', [
        {
          resource: 'CheckRun',
          code: 'custom',
          field: 'summary',
          message: `summary is too long (maximum is ${MAX_CHECK_SUMMARY} characters)`,
        },
      ]);
    }
    fields = { title, summary, ...(typeof text === 'string' ? { text } : {}) };
  }
  return {
    ...(typeof name === 'string' ? { name } : {}),
    ...(status === undefined ? {} : { status: status as CheckRunStatus }),
    ...(conclusion === undefined ? {} : { conclusion: conclusion as CheckRunConclusion }),
    ...(typeof detailsUrl === 'string' ? { detailsUrl } : {}),
    ...(typeof externalId === 'string' ? { externalId } : {}),
    ...(fields ? { output: fields } : {}),
  };
}

/** A reply made early (an error), as opposed to what the request carried (a check run's fields, the App of a JWT). */
const isReply = (value: unknown): value is Reply =>
  !!value && typeof value === 'object' && typeof (value as { status?: unknown }).status === 'number';

/** GitHub's legacy `permission` field knows only admin/write/read/none. */
const LEGACY_PERMISSION: Record<Permission, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

function combinedState(statuses: CommitStatus[]): StatusState {
  if (statuses.some((s) => s.state === 'failure' || s.state === 'error')) return 'failure';
  if (statuses.length === 0 || statuses.some((s) => s.state === 'pending')) return 'pending';
  return 'success';
}

/** One page of a list, with the Link header GitHub (and octokit.paginate) uses. */
function paged<T>(req: Request, items: T[], wrap?: (page: T[]) => unknown): Reply {
  const perPage = Math.min(Number(req.query.get('per_page') ?? 30) || 30, 100);
  const page = Math.max(Number(req.query.get('page') ?? 1) || 1, 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(p));
    return `${req.self}?${q}`;
  };
  const headers: Record<string, string> = {};
  if (page < last) headers.link = `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`;
  return json(200, wrap ? wrap(slice) : slice, headers);
}

// --- handlers ---

const full = (req: Request) => `${req.params.owner}/${req.params.repo}`;
const repoOf = (state: ForgeState, req: Request) => state.repo(full(req));

function withChange(fn: (state: ForgeState, req: Request, repo: FakeRepo, change: FakeChange) => Reply): Handler {
  return (state, req) => {
    const repo = repoOf(state, req);
    const change = repo.changes.get(Number(req.params.number));
    return change ? fn(state, req, repo, change) : notFound();
  };
}

/** Paths under `ref`, as a tree (directories too, as GitHub lists them with recursive=1). */
function treeEntries(state: ForgeState, req: Request, ref: string, recursive: boolean) {
  const files = state.tree(full(req), ref);
  const entries = new Map<string, { path: string; type: 'blob' | 'tree'; size?: number }>();
  for (const [path, content] of files) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      entries.set(dir, { path: dir, type: 'tree' });
    }
    entries.set(path, { path, type: 'blob', size: Buffer.byteLength(content) });
  }
  return [...entries.values()]
    .filter((e) => recursive || !e.path.includes('/'))
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((e) => ({ ...e, mode: e.type === 'blob' ? '100644' : '040000', sha: idOf(`${ref}:${e.path}`).toString(16).padStart(40, '0') }));
}

// --- GitHub Apps ---

/**
 * The App a JWT (Authorization: Bearer) claims to be, if it is one created from a manifest here:
 * `undefined` for any other issuer (tests that configure APP_ID 1 with a key of their own), else the
 * App, or a 401 if the signature is not the App's key.
 */
function appFromJwt(state: ForgeState, req: Request): FakeApp | Reply | undefined {
  const [header, payload, signature] = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.split('.') ?? [];
  if (!header || !payload || !signature) return undefined;
  let iss: unknown;
  try {
    iss = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown }).iss;
  } catch {
    return json(401, { message: 'A JSON web token could not be decoded' });
  }
  const app = state.apps.get(Number(iss));
  if (!app) return undefined;
  const valid = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey(app.pem), Buffer.from(signature, 'base64url'));
  return valid ? app : json(401, { message: 'A JSON web token could not be decoded' });
}

/** github.com/settings/apps/new: the browser posts the manifest; GitHub redirects with a code. */
function createAppFromManifest(state: ForgeState, form: URLSearchParams, query: URLSearchParams): Reply {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(form.get('manifest') ?? '') as Record<string, unknown>;
  } catch {
    return { status: 400, text: 'Invalid GitHub App configuration: the manifest is not JSON' };
  }
  const hook = manifest.hook_attributes as { url?: unknown } | undefined;
  if (typeof manifest.url !== 'string' || typeof hook?.url !== 'string' || typeof manifest.redirect_url !== 'string') {
    return { status: 422, text: 'Invalid GitHub App configuration: url, hook_attributes.url and redirect_url are required' };
  }
  const code = randomBytes(10).toString('hex');
  state.appManifests.set(code, manifest);
  const back = new URL(manifest.redirect_url);
  back.searchParams.set('code', code);
  const stateParam = query.get('state');
  if (stateParam) back.searchParams.set('state', stateParam);
  return { status: 302, headers: { location: back.toString() }, text: '' };
}

const routes: [method: string, pattern: string, handler: Handler][] = [
  // the last step of the App manifest flow: the code for the App's credentials, once
  [
    'POST',
    '/app-manifests/:code/conversions',
    (state, req) => {
      const manifest = state.appManifests.get(req.params.code!);
      if (!manifest) return notFound();
      state.appManifests.delete(req.params.code!);
      const id = 1000 + state.apps.size;
      const name = String(manifest.name ?? `app-${id}`);
      const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const app: FakeApp = {
        id,
        slug,
        name,
        manifest,
        pem: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        webhookSecret: randomBytes(20).toString('hex'),
        clientId: `Iv1.${randomBytes(8).toString('hex')}`,
        clientSecret: randomBytes(20).toString('hex'),
      };
      state.apps.set(id, app);
      state.botLogin = `${slug}[bot]`;
      return json(201, {
        id,
        slug,
        node_id: `A_${id}`,
        name,
        owner: userJson(state, 'acme'),
        description: manifest.description ?? '',
        external_url: manifest.url,
        html_url: `${WEB}/apps/${slug}`,
        created_at: '2024-01-01T00:00:00Z',
        updated_at: '2024-01-01T00:00:00Z',
        permissions: manifest.default_permissions ?? {},
        events: manifest.default_events ?? [],
        client_id: app.clientId,
        client_secret: app.clientSecret,
        webhook_secret: app.webhookSecret,
        pem: app.pem,
      });
    },
  ],
  // Probot's app authentication
  [
    'POST',
    '/app/installations/:id/access_tokens',
    (state, req) => {
      const app = appFromJwt(state, req);
      if (isReply(app)) return app;
      return json(201, {
        token: 'ghs_test',
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: { contents: 'read', issues: 'write', pull_requests: 'write', statuses: 'write', checks: 'write' },
        repository_selection: 'all',
      });
    },
  ],
  [
    'GET',
    '/app',
    (state, req) => {
      const app = appFromJwt(state, req);
      if (isReply(app)) return app;
      if (!app) return json(200, appJson(state, state.appId));
      return json(200, { ...appJson(state, app.id), slug: app.slug, name: app.name, html_url: `${WEB}/apps/${app.slug}` });
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/installation',
    (state, req) =>
      json(200, {
        id: 1,
        app_id: state.appId,
        app_slug: state.botLogin.replace(/\[bot\]$/, ''),
        target_type: 'Organization',
        account: userJson(state, req.params.owner!),
        permissions: {},
        events: [],
        repository_selection: 'all',
      }),
  ],

  ['GET', '/repos/:owner/:repo', (state, req) => json(200, repoJson(state, repoOf(state, req)))],

  // pull requests
  [
    'GET',
    '/repos/:owner/:repo/pulls',
    (state, req) => {
      const repo = repoOf(state, req);
      const want = req.query.get('state') ?? 'open';
      const base = req.query.get('base');
      const pulls = [...repo.changes.values()]
        .filter((c) => want === 'all' || (want === 'open') === (c.state === 'open'))
        .filter((c) => !base || c.baseRef === base)
        .sort((a, b) => b.number - a.number) // newest first, as GitHub does by default
        .map((c) => pullJson(state, repo, c, false));
      return paged(req, pulls);
    },
  ],
  ['GET', '/repos/:owner/:repo/pulls/:number', withChange((state, _req, repo, c) => json(200, pullJson(state, repo, c, true)))],
  [
    'GET',
    '/repos/:owner/:repo/pulls/:number/files',
    withChange((_state, req, repo, c) =>
      paged(
        req,
        c.files.map((filename) => ({
          sha: idOf(filename).toString(16).padStart(40, '0'),
          filename,
          status: 'modified',
          additions: 1,
          deletions: 0,
          changes: 1,
          blob_url: `${WEB}/${repo.owner}/${repo.name}/blob/${c.headSha}/${filename}`,
          patch: '',
        })),
      ),
    ),
  ],
  [
    'GET',
    '/repos/:owner/:repo/pulls/:number/reviews',
    withChange((state, req, repo, c) =>
      paged(
        req,
        repo.reviews
          .filter((r) => r.change === c.number)
          .map((r) => ({
            id: r.id,
            node_id: `PRR_${r.id}`,
            user: userJson(state, r.author),
            body: r.body,
            state: r.state.toUpperCase(),
            submitted_at: r.submittedAt,
            commit_id: r.commitSha ?? null,
            author_association: 'MEMBER',
            html_url: `${WEB}/${repo.owner}/${repo.name}/pull/${c.number}#pullrequestreview-${r.id}`,
          })),
      ),
    ),
  ],
  [
    'PUT',
    '/repos/:owner/:repo/pulls/:number/merge',
    withChange((state, req, _repo, c) => {
      const method = (req.body.merge_method ?? 'merge') as 'merge' | 'squash' | 'rebase';
      if (!['merge', 'squash', 'rebase'].includes(method)) return unprocessable('Invalid merge_method');
      const sha = typeof req.body.sha === 'string' ? req.body.sha : c.headSha;
      const result = state.merge(full(req), c.number, method, sha);
      if (result.ok) return json(200, { sha: result.sha, merged: true, message: 'Pull Request successfully merged' });
      switch (result.reason) {
        case 'head_moved':
          return json(409, { message: 'Head branch was modified. Review and try the merge again.' });
        case 'conflict':
          return json(405, { message: 'Pull Request is not mergeable' });
        case 'not_mergeable':
          return json(405, { message: 'Pull Request is not open' });
      }
    }),
  ],

  // labels
  [
    'POST',
    '/repos/:owner/:repo/labels',
    (state, req) => {
      const repo = repoOf(state, req);
      const { name, color } = req.body;
      if (typeof name !== 'string' || !name)
        return unprocessable('Validation Failed', [{ resource: 'Label', code: 'missing_field', field: 'name' }]);
      if (repo.labels.has(name)) {
        return unprocessable('Validation Failed', [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
      }
      if (typeof color !== 'string' || !/^[0-9a-fA-F]{6}$/.test(color)) {
        return unprocessable('Validation Failed', [{ resource: 'Label', code: 'invalid', field: 'color' }]);
      }
      repo.labels.set(name, color.toLowerCase());
      return json(201, labelJson(repo, name));
    },
  ],
  [
    'POST',
    '/repos/:owner/:repo/issues/:number/labels',
    withChange((state, req, repo, c) => {
      // { labels: [...] }, or the older bare array
      const body: unknown = Array.isArray(req.body) ? req.body : req.body.labels;
      if (!Array.isArray(body) || !body.every((l) => typeof l === 'string')) return unprocessable('Invalid request');
      // GitHub creates unknown labels with its default colour, as ForgeState.addLabel does. The
      // caller is the bot (its token), so the label history records the bot.
      for (const label of body) state.addLabel(full(req), c.number, label, undefined, state.botLogin);
      return json(
        200,
        c.labels.map((l) => labelJson(repo, l)),
      );
    }),
  ],
  [
    'DELETE',
    '/repos/:owner/:repo/issues/:number/labels/:name',
    withChange((state, req, repo, c) => {
      const name = req.params.name!;
      if (!c.labels.includes(name)) return notFound('Label does not exist');
      state.removeLabel(full(req), c.number, name, state.botLogin);
      return json(
        200,
        c.labels.map((l) => labelJson(repo, l)),
      );
    }),
  ],

  [
    'GET',
    '/repos/:owner/:repo/issues/:number/events',
    withChange((state, req, repo, c) =>
      paged(
        req,
        state.labelEvents(full(req), c.number).map((e) => ({
          id: e.id,
          node_id: `LE_${e.id}`,
          url: `${WEB}/api/v3/repos/${full(req)}/issues/events/${e.id}`,
          actor: userJson(state, e.by),
          event: e.action === 'added' ? 'labeled' : 'unlabeled',
          commit_id: null,
          commit_url: null,
          created_at: e.at,
          performed_via_github_app: null,
          label: { name: e.label, color: repo.labels.get(e.label) ?? 'ededed' },
        })),
      ),
    ),
  ],

  // comments
  [
    'GET',
    '/repos/:owner/:repo/issues/:number/comments',
    withChange((state, req, repo, c) =>
      paged(
        req,
        state.comments(full(req), c.number).map((cm) => commentJson(state, repo, cm)),
      ),
    ),
  ],
  [
    'POST',
    '/repos/:owner/:repo/issues/:number/comments',
    withChange((state, req, repo, c) => {
      if (typeof req.body.body !== 'string')
        return unprocessable('Validation Failed', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
      return json(201, commentJson(state, repo, state.addComment(full(req), c.number, state.botLogin, req.body.body)));
    }),
  ],
  [
    'PATCH',
    '/repos/:owner/:repo/issues/comments/:id',
    (state, req) => {
      const repo = repoOf(state, req);
      const comment = repo.comments.find((c) => c.id === Number(req.params.id));
      if (!comment) return notFound();
      if (typeof req.body.body !== 'string')
        return unprocessable('Validation Failed', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
      comment.body = req.body.body;
      comment.updatedAt = new Date().toISOString();
      return json(200, commentJson(state, repo, comment));
    },
  ],

  // statuses and checks
  [
    'POST',
    '/repos/:owner/:repo/statuses/:sha',
    (state, req) => {
      const { state: s, context = 'default', description, target_url: targetUrl } = req.body;
      if (!['pending', 'success', 'failure', 'error'].includes(s as string)) {
        return unprocessable('Validation Failed', [{ resource: 'Status', code: 'custom', field: 'state' }]);
      }
      if (typeof description === 'string' && description.length > 140) {
        return unprocessable('Validation Failed', [
          { resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' },
        ]);
      }
      const status: CommitStatus = {
        context: String(context),
        state: s as StatusState,
        ...(typeof description === 'string' ? { description } : {}),
        ...(typeof targetUrl === 'string' ? { targetUrl } : {}),
      };
      state.setStatus(full(req), req.params.sha!, status);
      const at = state.statusTime(status);
      return json(201, {
        id: idOf(`${req.params.sha}:${at}`),
        state: status.state,
        context: status.context,
        description: status.description ?? null,
        target_url: status.targetUrl ?? null,
        created_at: at,
        updated_at: at,
        creator: userJson(state, state.botLogin),
      });
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/commits/:ref/status',
    (state, req) => {
      const repo = repoOf(state, req);
      const statuses = state.statuses(full(req), req.params.ref!);
      return paged(
        req,
        statuses.map((s) => ({
          id: idOf(`${req.params.ref}:${s.context}`),
          state: s.state,
          context: s.context,
          description: s.description ?? null,
          target_url: s.targetUrl ?? null,
          created_at: state.statusTime(s),
          updated_at: state.statusTime(s),
        })),
        (page) => ({
          state: combinedState(statuses),
          statuses: page,
          sha: req.params.ref,
          total_count: statuses.length,
          repository: repoJson(state, repo),
          commit_url: `${WEB}/api/v3/repos/${full(req)}/commits/${req.params.ref}`,
          url: `${WEB}/api/v3/repos/${full(req)}/commits/${req.params.ref}/status`,
        }),
      );
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/commits/:ref/check-runs',
    (state, req) => {
      const repo = repoOf(state, req);
      // filter=latest (the default): the newest check run of each name, per App
      const all = req.query.get('filter') === 'all';
      const name = req.query.get('check_name');
      const appId = req.query.get('app_id');
      const runs = (all ? state.checkRuns(full(req), req.params.ref!) : state.latestCheckRuns(full(req), req.params.ref!))
        .filter((run) => name === null || run.name === name)
        .filter((run) => appId === null || run.appId === Number(appId))
        .map((run) => checkRunJson(state, repo, run));
      return paged(req, runs, (page) => ({ total_count: runs.length, check_runs: page }));
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/check-suites/:id/check-runs',
    (state, req) => {
      const repo = repoOf(state, req);
      const suite = repo.checkRuns.filter((run) => run.checkSuiteId === Number(req.params.id));
      if (suite.length === 0) return notFound();
      const latest = new Map(suite.map((run) => [run.name, run]));
      const runs = (req.query.get('filter') === 'all' ? suite : [...latest.values()]).map((run) => checkRunJson(state, repo, run));
      return paged(req, runs, (page) => ({ total_count: runs.length, check_runs: page }));
    },
  ],
  [
    'POST',
    '/repos/:owner/:repo/check-runs',
    (state, req) => {
      const fields = checkRunFields(req.body, true);
      if (isReply(fields)) return fields;
      const run = state.createCheckRun(full(req), String(req.body.head_sha), fields);
      return json(201, checkRunJson(state, repoOf(state, req), run));
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/check-runs/:id',
    (state, req) => {
      const repo = repoOf(state, req);
      const run = repo.checkRuns.find((r) => r.id === Number(req.params.id));
      return run ? json(200, checkRunJson(state, repo, run)) : notFound();
    },
  ],
  [
    'PATCH',
    '/repos/:owner/:repo/check-runs/:id',
    (state, req) => {
      const repo = repoOf(state, req);
      const run = repo.checkRuns.find((r) => r.id === Number(req.params.id));
      if (!run) return notFound();
      // Only the App that created a check run may change it.
      if (run.appId !== state.appId) return json(403, { message: 'Resource not accessible by integration' });
      const fields = checkRunFields(req.body, false);
      if (isReply(fields)) return fields;
      return json(200, checkRunJson(state, repo, state.updateCheckRun(full(req), run.id, fields)!));
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/branches/:branch/protection/required_status_checks',
    (state, req) => {
      const contexts = repoOf(state, req).requiredContexts.get(req.params.branch!);
      if (!contexts) return notFound('Branch not protected');
      return json(200, {
        url: `${WEB}/api/v3/repos/${full(req)}/branches/${req.params.branch}/protection/required_status_checks`,
        strict: false,
        contexts,
        checks: contexts.map((context) => ({ context, app_id: null })),
      });
    },
  ],

  // git data and contents
  [
    'GET',
    '/repos/:owner/:repo/branches/:branch',
    (state, req) => {
      const repo = repoOf(state, req);
      const branch = req.params.branch!;
      const sha = repo.branches.get(branch);
      if (!sha) return notFound('Branch not found');
      return json(200, {
        name: branch,
        commit: {
          sha,
          node_id: `C_${sha}`,
          url: `${WEB}/api/v3/repos/${full(req)}/commits/${sha}`,
          commit: { message: 'commit', tree: { sha: repo.trees.get(sha) ?? sha, url: '' } },
          parents: [],
        },
        protected: repo.requiredContexts.has(branch),
        _links: {
          self: `${WEB}/api/v3/repos/${full(req)}/branches/${encodeURIComponent(branch)}`,
          html: `${WEB}/${full(req)}/tree/${branch}`,
        },
      });
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/git/commits/:sha',
    (state, req) => {
      const tree = repoOf(state, req).trees.get(req.params.sha!);
      if (!tree) return notFound();
      return json(200, {
        sha: req.params.sha,
        node_id: `C_${req.params.sha}`,
        message: 'commit',
        tree: { sha: tree, url: `${WEB}/api/v3/repos/${full(req)}/git/trees/${tree}` },
        parents: [],
      });
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/git/trees/:ref',
    (state, req) => {
      const recursive = !['', '0', 'false', null].includes(req.query.get('recursive'));
      return json(200, { sha: req.params.ref, tree: treeEntries(state, req, req.params.ref!, recursive), truncated: false });
    },
  ],
  [
    'GET',
    '/repos/:owner/:repo/contents/*path',
    (state, req) => {
      const repo = repoOf(state, req);
      const ref = req.query.get('ref') ?? repo.defaultBranch;
      const path = req.params.path!;
      const content = state.tree(full(req), ref).get(path);
      if (content === undefined) {
        const listing = treeEntries(state, req, ref, true).filter(
          (e) => e.path.startsWith(`${path}/`) && !e.path.slice(path.length + 1).includes('/'),
        );
        if (listing.length === 0) return notFound();
        return json(
          200,
          listing.map((e) => ({ name: e.path.split('/').at(-1), path: e.path, sha: e.sha, type: e.type === 'blob' ? 'file' : 'dir' })),
        );
      }
      if (/\.raw\b|vnd\.github\.raw/.test(req.headers.accept ?? '')) {
        return { status: 200, text: content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
      }
      return json(200, {
        type: 'file',
        encoding: 'base64',
        content: Buffer.from(content).toString('base64'),
        size: Buffer.byteLength(content),
        name: path.split('/').at(-1),
        path,
        sha: idOf(`${ref}:${path}`).toString(16).padStart(40, '0'),
      });
    },
  ],

  // people
  [
    'GET',
    '/repos/:owner/:repo/collaborators/:username/permission',
    (state, req) => {
      const login = req.params.username!;
      const permission = repoOf(state, req).permissions.get(login.toLowerCase());
      if (!permission) return notFound(`${login} is not a collaborator`);
      return json(200, { permission: LEGACY_PERMISSION[permission], role_name: permission, user: userJson(state, login) });
    },
  ],
  [
    'GET',
    '/orgs/:org/members/:username',
    (state, req) =>
      state.orgMembers.has(`${req.params.org}/${req.params.username}`.toLowerCase())
        ? json(204)
        : notFound('User does not exist or is not a member of the organization'),
  ],
  [
    'GET',
    '/orgs/:org/teams/:team/memberships/:username',
    (state, req) => {
      const { org, team, username } = req.params;
      if (!state.teams.has(`${org}/${team}`.toLowerCase())) return notFound();
      if (!state.isTeamMember(`${org}/${team}`, username!)) return notFound();
      return json(200, {
        url: `${WEB}/api/v3/organizations/1/team/${idOf(`${org}/${team}`)}/memberships/${username}`,
        role: 'member',
        state: 'active',
      });
    },
  ],
];

// --- routing ---

/** Matches "/a/:b/*c" against a path; `*` takes the rest (one or more segments). */
function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith('*')) {
      if (i >= got.length) return undefined;
      params[w.slice(1)] = got.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const g = got[i];
    if (g === undefined) return undefined;
    if (w.startsWith(':') && g !== '') params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return want.length === got.length ? params : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  const headers = { 'x-github-media-type': 'github.v3; format=json', ...reply.headers };
  if (reply.text !== undefined) {
    res.writeHead(reply.status, headers).end(reply.text);
  } else if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
  } else {
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(reply.body));
  }
}

export async function startGitHubApi(state: ForgeState): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const method = req.method ?? 'GET';
    const path = url.pathname.startsWith(`${PREFIX}/`) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const text = await readBody(req);
    if (method === 'POST' && /^(\/organizations\/[^/]+)?\/settings\/apps\/new$/.test(url.pathname)) {
      state.calls.push({ method, path: url.pathname, body: text });
      return send(res, createAppFromManifest(state, new URLSearchParams(text), url.searchParams));
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      state.calls.push({ method, path, body: text });
      return send(res, json(400, { message: 'Problems parsing JSON' }));
    }
    // `path` is as sent (percent-encoded), without /api/v3 and the query.
    state.calls.push({ method, path, ...(body === undefined ? {} : { body }) });

    if (!url.pathname.startsWith(`${PREFIX}/`)) return send(res, notFound());
    for (const [m, pattern, handler] of routes) {
      if (m !== method) continue;
      const params = match(pattern, path);
      if (!params) continue;
      try {
        return send(
          res,
          handler(state, {
            params,
            query: url.searchParams,
            headers: req.headers,
            body: (body ?? {}) as Record<string, unknown>,
            self: `${url.origin}${url.pathname}`,
          }),
        );
      } catch (err) {
        return send(res, json(500, { message: err instanceof Error ? err.message : String(err) }));
      }
    }
    send(res, notFound());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // the client's keep-alive sockets would hold close() open
      }),
  };
}
