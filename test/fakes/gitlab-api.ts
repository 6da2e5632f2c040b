// A fake of the GitLab REST API v4 over the shared ForgeState: the endpoints GitLabForge uses, with
// GitLab's shapes, status codes and offset pagination headers, so the real adapter (and gitbeaker
// under it) can be tested over HTTP. Projects are addressed by URL-encoded path or numeric id.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CommitStatus, Permission, StatusState } from '../../src/forge/types.js';
import type { FakeChange, FakeComment, FakeRepo, ForgeState } from './forge-state.js';

interface Ctx {
  url: URL;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** set for routes under /projects/:project */
  repo: FakeRepo;
  full: string;
}

interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

type Handler = (ctx: Ctx) => Reply;

const PREFIX = '/api/v4';

const json = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({ status, json: body, headers });
const notFound = (what = ''): Reply => json({ message: `404 ${what || 'Not found'}` }, 404);
const truthy = (v: unknown): boolean => v === true || v === 'true';

const accessLevel: Record<Permission, number> = { none: 0, read: 20, triage: 20, write: 30, maintain: 40, admin: 50 };
const toGitLabState: Record<StatusState, string> = { pending: 'pending', success: 'success', failure: 'failed', error: 'canceled' };
const fromGitLabState: Record<string, StatusState> = {
  pending: 'pending',
  running: 'pending',
  success: 'success',
  failed: 'failure',
  canceled: 'error',
};

/** A stable numeric user id per login (case-insensitive), independent of request order. */
function userId(login: string): number {
  let h = 0x811c9dc5;
  for (const ch of login.toLowerCase()) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return 1_000 + (h % 9_000_000);
}

export async function startGitLabApi(state: ForgeState): Promise<{ url: string; close(): Promise<void> }> {
  let base = '';

  /** Every login the fake knows as a GitLab user, lower-case -> spelling. */
  const knownUsers = (): Map<string, string> => {
    const users = new Map<string, string>();
    const add = (login: string) => {
      if (!users.has(login.toLowerCase())) users.set(login.toLowerCase(), login);
    };
    add(state.botLogin);
    for (const repo of state.repos.values()) {
      for (const c of repo.changes.values()) add(c.author);
      for (const c of repo.comments) add(c.author);
      for (const r of repo.reviews) add(r.author);
      for (const e of repo.labelEvents) add(e.by);
      for (const login of repo.permissions.keys()) add(login);
    }
    for (const entry of state.orgMembers) add(entry.slice(entry.indexOf('/') + 1));
    for (const members of state.teams.values()) for (const login of members) add(login);
    return users;
  };
  const userById = (id: number): string | undefined => [...knownUsers().values()].find((l) => userId(l) === id);
  const user = (login: string) => ({
    id: userId(login),
    username: login,
    name: login,
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${base}/${login}`,
  });

  const mrJson = (repo: FakeRepo, c: FakeChange, expanded = false) => {
    const full = `${repo.owner}/${repo.name}`;
    const now = new Date().toISOString();
    return {
      id: repo.id * 10_000 + c.number,
      iid: c.number,
      project_id: repo.id,
      title: c.title,
      description: c.body,
      state: c.state === 'open' ? 'opened' : c.state,
      created_at: now,
      updated_at: state.updatedAt(full, c.number),
      target_branch: c.baseRef,
      source_branch: c.headRef,
      source_project_id: repo.id,
      target_project_id: repo.id,
      author: user(c.author),
      assignees: [],
      reviewers: [],
      labels: [...c.labels],
      draft: c.draft,
      work_in_progress: c.draft,
      merge_status: c.mergeable ? 'can_be_merged' : 'cannot_be_merged',
      detailed_merge_status: c.state !== 'open' ? 'not_open' : c.mergeable ? 'mergeable' : 'conflict',
      has_conflicts: !c.mergeable,
      sha: c.headSha,
      merge_commit_sha: c.mergedWith?.sha ?? null,
      squash_commit_sha: c.mergedWith?.method === 'squash' ? c.mergedWith.sha : null,
      squash: c.mergedWith?.method === 'squash',
      web_url: `${base}/${full}/-/merge_requests/${c.number}`,
      references: { short: `!${c.number}`, full: `${full}!${c.number}` },
      // the list endpoint leaves these out, as GitLab's does
      ...(expanded ? { diff_refs: { base_sha: c.baseSha, head_sha: c.headSha, start_sha: c.baseSha } } : {}),
    };
  };

  const noteJson = (repo: FakeRepo, c: FakeComment) => ({
    id: c.id,
    type: null,
    body: c.body,
    attachment: null,
    author: user(c.author),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    system: false,
    noteable_id: repo.id * 10_000 + c.change,
    noteable_type: 'MergeRequest',
    noteable_iid: c.change,
    resolvable: false,
    confidential: false,
    internal: false,
  });

  const statusJson = (sha: string, s: CommitStatus, id: number) => ({
    id,
    sha,
    ref: null,
    status: toGitLabState[s.state],
    name: s.context,
    target_url: s.targetUrl ?? null,
    description: s.description ?? null,
    created_at: new Date().toISOString(),
    started_at: null,
    finished_at: null,
    allow_failure: false,
    coverage: null,
    author: user(state.botLogin),
  });

  /** GitLab's offset pagination: page/per_page in, x-* headers and a Link header out. */
  const paginate = (ctx: Ctx, items: unknown[]): Reply => {
    const perPage = Math.min(Math.max(Number(ctx.query.get('per_page')) || 20, 1), 100);
    const page = Math.max(Number(ctx.query.get('page')) || 1, 1);
    const totalPages = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p: number) => {
      const u = new URL(ctx.url);
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return u.toString();
    };
    const links = [
      ...(page > 1 ? [`<${link(page - 1)}>; rel="prev"`] : []),
      ...(page < totalPages ? [`<${link(page + 1)}>; rel="next"`] : []),
      `<${link(1)}>; rel="first"`,
      `<${link(totalPages)}>; rel="last"`,
    ];
    return json(items.slice((page - 1) * perPage, page * perPage), 200, {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      link: links.join(', '),
    });
  };

  /** Runs `fn` on the merge request named by :iid, or answers GitLab's 404. */
  const withMr =
    (fn: (ctx: Ctx, change: FakeChange) => Reply): Handler =>
    (ctx) => {
      const change = ctx.repo.changes.get(Number(ctx.params.iid));
      return change ? fn(ctx, change) : notFound();
    };

  const routes: Array<[method: string, path: string, handler: Handler]> = [
    ['GET', '/user', () => json(user(state.botLogin))],

    [
      'GET',
      '/users',
      (ctx) => {
        const users = knownUsers();
        const wanted = ctx.query.get('username');
        if (wanted === null) return paginate(ctx, [...users.values()].map(user));
        const login = users.get(wanted.toLowerCase());
        return json(login ? [user(login)] : []);
      },
    ],

    [
      'GET',
      '/projects/:project',
      (ctx) =>
        json({
          id: ctx.repo.id,
          path_with_namespace: `${ctx.repo.owner}/${ctx.repo.name}`,
          default_branch: ctx.repo.defaultBranch,
          http_url_to_repo: ctx.repo.cloneUrl ?? `http://gitlab.test/${ctx.repo.owner}/${ctx.repo.name}.git`,
        }),
    ],

    [
      'GET',
      '/projects/:project/merge_requests',
      (ctx) => {
        const stateParam = ctx.query.get('state') ?? 'all';
        const labels = (ctx.query.get('labels') ?? '')
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean);
        const target = ctx.query.get('target_branch');
        const mrs = [...ctx.repo.changes.values()]
          .filter((c) => stateParam === 'all' || mrJson(ctx.repo, c).state === stateParam)
          .filter((c) => !target || c.baseRef === target)
          .filter((c) => labels.every((l) => c.labels.includes(l)))
          .sort((a, b) => b.number - a.number) // GitLab lists newest first
          .map((c) => mrJson(ctx.repo, c));
        return paginate(ctx, mrs);
      },
    ],

    ['GET', '/projects/:project/merge_requests/:iid', withMr((ctx, c) => json(mrJson(ctx.repo, c, true)))],

    [
      'PUT',
      '/projects/:project/merge_requests/:iid',
      withMr((ctx, c) => {
        const list = (v: unknown) =>
          String(v ?? '')
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean);
        // the caller is the bot (its token), so the label history records the bot
        if (ctx.body.labels !== undefined) {
          // a replacement: labels left out are removed, the rest kept in the order given
          const wanted = list(ctx.body.labels);
          for (const l of c.labels.filter((l) => !wanted.includes(l))) state.removeLabel(ctx.full, c.number, l, state.botLogin);
          for (const l of wanted) state.addLabel(ctx.full, c.number, l, '6699cc', state.botLogin);
          c.labels = [...wanted];
        }
        // like GitLab, labels that do not exist yet are created (with GitLab's default colour)
        for (const l of list(ctx.body.add_labels)) state.addLabel(ctx.full, c.number, l, '6699cc', state.botLogin);
        for (const l of list(ctx.body.remove_labels)) state.removeLabel(ctx.full, c.number, l, state.botLogin);
        if (typeof ctx.body.title === 'string') c.title = ctx.body.title;
        if (typeof ctx.body.description === 'string') c.body = ctx.body.description;
        return json(mrJson(ctx.repo, c, true));
      }),
    ],

    [
      'GET',
      '/projects/:project/merge_requests/:iid/resource_label_events',
      withMr((ctx, c) =>
        paginate(
          ctx,
          state.labelEvents(ctx.full, c.number).map((e) => ({
            id: e.id,
            user: user(e.by),
            created_at: e.at,
            resource_type: 'MergeRequest',
            resource_id: ctx.repo.id * 10_000 + c.number,
            action: e.action === 'added' ? 'add' : 'remove',
            label: {
              id: ctx.repo.labels.size,
              name: e.label,
              color: `#${ctx.repo.labels.get(e.label) ?? '6699cc'}`,
              description: null,
            },
          })),
        ),
      ),
    ],

    [
      'GET',
      '/projects/:project/merge_requests/:iid/diffs',
      withMr((ctx, c) =>
        paginate(
          ctx,
          c.files.map((path) => ({
            old_path: path,
            new_path: path,
            a_mode: '100644',
            b_mode: '100644',
            diff: '',
            new_file: false,
            renamed_file: false,
            deleted_file: false,
          })),
        ),
      ),
    ],

    [
      'PUT',
      '/projects/:project/merge_requests/:iid/merge',
      withMr((ctx, c) => {
        const sha = typeof ctx.body.sha === 'string' ? ctx.body.sha : c.headSha;
        const result = state.merge(ctx.full, c.number, truthy(ctx.body.squash) ? 'squash' : 'merge', sha);
        if (result.ok) return json(mrJson(ctx.repo, c, true));
        if (result.reason === 'head_moved') return json({ message: `SHA does not match HEAD of source branch: ${c.headSha}` }, 409);
        if (result.reason === 'conflict') return json({ message: 'Branch cannot be merged' }, 406);
        return json({ message: '405 Method Not Allowed' }, 405);
      }),
    ],

    [
      'GET',
      '/projects/:project/merge_requests/:iid/approvals',
      withMr((ctx, c) => {
        // an approver is a user whose latest verdict on the MR is an approval
        const latest = new Map<string, string>();
        for (const r of ctx.repo.reviews) if (r.change === c.number && r.state !== 'commented') latest.set(r.author, r.state);
        const approvedBy = [...latest].filter(([, s]) => s === 'approved').map(([login]) => ({ user: user(login) }));
        const mr = mrJson(ctx.repo, c);
        return json({
          id: mr.id,
          iid: mr.iid,
          project_id: mr.project_id,
          title: mr.title,
          description: mr.description,
          state: mr.state,
          created_at: mr.created_at,
          updated_at: mr.updated_at,
          merge_status: mr.merge_status,
          approved: approvedBy.length > 0,
          approvals_required: 0,
          approvals_left: 0,
          approved_by: approvedBy,
        });
      }),
    ],

    [
      'GET',
      '/projects/:project/merge_requests/:iid/notes',
      withMr((ctx, c) => {
        const desc = (ctx.query.get('sort') ?? 'desc') === 'desc'; // GitLab's default: newest first
        const notes = state.comments(ctx.full, c.number).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
        if (desc) notes.reverse();
        return paginate(
          ctx,
          notes.map((n) => noteJson(ctx.repo, n)),
        );
      }),
    ],

    [
      'POST',
      '/projects/:project/merge_requests/:iid/notes',
      withMr((ctx, c) => {
        if (typeof ctx.body.body !== 'string' || !ctx.body.body) return json({ error: 'body is missing' }, 400);
        return json(noteJson(ctx.repo, state.addComment(ctx.full, c.number, state.botLogin, ctx.body.body)), 201);
      }),
    ],

    [
      'PUT',
      '/projects/:project/merge_requests/:iid/notes/:note',
      withMr((ctx, c) => {
        const note = state.comments(ctx.full, c.number).find((n) => n.id === Number(ctx.params.note));
        if (!note) return notFound('Note Not Found');
        if (note.author.toLowerCase() !== state.botLogin.toLowerCase()) return json({ message: '403 Forbidden' }, 403);
        if (typeof ctx.body.body !== 'string') return json({ error: 'body is missing' }, 400);
        note.body = ctx.body.body;
        note.updatedAt = new Date().toISOString();
        return json(noteJson(ctx.repo, note));
      }),
    ],

    [
      'GET',
      '/projects/:project/repository/files/:file/raw',
      (ctx) => {
        const ref = ctx.query.get('ref');
        if (!ref) return json({ error: 'ref is missing' }, 400);
        const content = ctx.repo.files.get(ref)?.get(ctx.params.file!);
        if (content === undefined) return notFound('File Not Found');
        return { status: 200, text: content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
      },
    ],

    [
      'GET',
      '/projects/:project/repository/branches/:branch',
      (ctx) => {
        const branch = ctx.params.branch!;
        const sha = ctx.repo.branches.get(branch);
        if (!sha) return notFound('Branch Not Found');
        return json({
          name: branch,
          merged: false,
          protected: ctx.repo.requiredContexts.has(branch),
          default: branch === ctx.repo.defaultBranch,
          developers_can_push: false,
          developers_can_merge: false,
          can_push: true,
          web_url: `${base}/${ctx.full}/-/tree/${encodeURIComponent(branch)}`,
          commit: {
            id: sha,
            short_id: sha.slice(0, 8),
            title: 'commit',
            message: 'commit',
            parent_ids: [],
            created_at: '2024-01-01T00:00:00Z',
            author_name: 'ci',
            author_email: 'ci@example.invalid',
            web_url: `${base}/${ctx.full}/-/commit/${sha}`,
          },
        });
      },
    ],

    [
      'GET',
      '/projects/:project/repository/tree',
      (ctx) => {
        const ref = ctx.query.get('ref') ?? ctx.repo.defaultBranch;
        const files = ctx.repo.files.get(ref);
        if (!files) return notFound('Tree Not Found');
        const under = (ctx.query.get('path') ?? '').replace(/\/$/, '');
        const recursive = truthy(ctx.query.get('recursive'));
        const entries = new Map<string, 'tree' | 'blob'>();
        for (const path of files.keys()) {
          const parts = path.split('/');
          parts.forEach((_, i) => entries.set(parts.slice(0, i + 1).join('/'), i === parts.length - 1 ? 'blob' : 'tree'));
        }
        const tree = [...entries]
          .filter(([path]) => !under || path.startsWith(`${under}/`))
          .filter(([path]) => recursive || !path.slice(under ? under.length + 1 : 0).includes('/'))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([path, type], i) => ({
            id: String(i + 1).padStart(40, '0'),
            name: path.split('/').at(-1),
            type,
            path,
            mode: type === 'tree' ? '040000' : '100644',
          }));
        return paginate(ctx, tree);
      },
    ],

    [
      'POST',
      '/projects/:project/labels',
      (ctx) => {
        const name = ctx.body.name;
        const color = String(ctx.body.color ?? '');
        if (typeof name !== 'string' || !name) return json({ error: 'name is missing' }, 400);
        if (!/^#[0-9a-f]{6}$/i.test(color)) return json({ message: { color: ['must be a valid color code'] } }, 400);
        if (ctx.repo.labels.has(name)) return json({ message: 'Label already exists' }, 409);
        ctx.repo.labels.set(name, color.slice(1).toLowerCase());
        return json(
          {
            id: ctx.repo.labels.size,
            name,
            color,
            text_color: '#FFFFFF',
            description: null,
            description_html: '',
            open_issues_count: 0,
            closed_issues_count: 0,
            open_merge_requests_count: 0,
            subscribed: false,
            priority: null,
            is_project_label: true,
          },
          201,
        );
      },
    ],

    [
      'POST',
      '/projects/:project/statuses/:sha',
      (ctx) => {
        const gitlabState = String(ctx.body.state ?? '');
        const statusState = fromGitLabState[gitlabState];
        if (!statusState) return json({ error: 'state does not have a valid value' }, 400);
        const context = String(ctx.body.name ?? ctx.body.context ?? 'default');
        const sha = ctx.params.sha!;
        const previous = state.statuses(ctx.full, sha).find((s) => s.context === context);
        // GitLab's commit status is a state machine: re-entering the pending state is refused
        if (previous?.state === 'pending' && gitlabState === 'pending') {
          return json(
            { message: 'Cannot transition status via :enqueue from :pending (Reason(s): Status cannot transition via "enqueue")' },
            400,
          );
        }
        const status: CommitStatus = {
          context,
          state: statusState,
          ...(typeof ctx.body.description === 'string' ? { description: ctx.body.description } : {}),
          ...(typeof ctx.body.target_url === 'string' ? { targetUrl: ctx.body.target_url } : {}),
        };
        state.setStatus(ctx.full, sha, status);
        return json({ ...statusJson(sha, status, ctx.repo.statuses.get(sha)!.length), status: gitlabState }, 201);
      },
    ],

    [
      'GET',
      '/projects/:project/repository/commits/:sha/statuses',
      (ctx) => {
        const sha = ctx.params.sha!;
        const list = truthy(ctx.query.get('all')) ? (ctx.repo.statuses.get(sha) ?? []) : state.statuses(ctx.full, sha);
        return paginate(
          ctx,
          list.map((s, i) => statusJson(sha, s, i + 1)),
        );
      },
    ],

    [
      'GET',
      '/projects/:project/external_status_checks',
      (ctx) => {
        const branchesByName = new Map<string, string[]>();
        for (const [branch, contexts] of ctx.repo.requiredContexts) {
          for (const name of contexts) branchesByName.set(name, [...(branchesByName.get(name) ?? []), branch]);
        }
        return paginate(
          ctx,
          [...branchesByName].map(([name, branches], i) => ({
            id: i + 1,
            name,
            project_id: ctx.repo.id,
            external_url: `https://checks.invalid/${encodeURIComponent(name)}`,
            hmac: false,
            protected_branches: branches.map((branch, j) => ({
              id: j + 1,
              project_id: ctx.repo.id,
              name: branch,
              created_at: '2024-01-01T00:00:00Z',
              updated_at: '2024-01-01T00:00:00Z',
              code_owner_approval_required: false,
            })),
          })),
        );
      },
    ],

    [
      'GET',
      '/projects/:project/members/all/:user',
      (ctx) => {
        const login = userById(Number(ctx.params.user));
        const permission = login && ctx.repo.permissions.get(login.toLowerCase());
        if (!login || !permission || permission === 'none') return notFound();
        return json({ ...user(login), access_level: accessLevel[permission], expires_at: null, membership_state: 'active' });
      },
    ],

    [
      'GET',
      '/groups/:group/members/all/:user',
      (ctx) => {
        const group = ctx.params.group!.toLowerCase();
        // top-level groups: repo owners and orgs; subgroups: team paths (and their ancestors)
        const groups = new Set([
          ...[...state.repos.values()].map((r) => r.owner.split('/')[0]!.toLowerCase()),
          ...[...state.orgMembers].map((m) => m.slice(0, m.indexOf('/'))),
          ...[...state.teams.keys()].flatMap((t) => t.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))),
        ]);
        if (!groups.has(group)) return notFound('Group Not Found');
        const login = userById(Number(ctx.params.user));
        // members/all: direct members and those inherited from ancestor groups
        if (!login || !state.isGroupMemberInherited(group, login)) return notFound();
        return json({ ...user(login), access_level: 30, expires_at: null, membership_state: 'active' });
      },
    ],
  ];

  const compiled = routes.map(([method, path, handler]) => ({ method, parts: path.split('/').slice(1), handler }));

  /** Matches raw (still encoded) path segments, so "acme%2Fwidgets" stays one segment. */
  const match = (method: string, segments: string[]) => {
    for (const route of compiled) {
      if (route.method !== method || route.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const ok = route.parts.every((part, i) => {
        if (part.startsWith(':')) return (params[part.slice(1)] = decodeURIComponent(segments[i]!)) !== '';
        return part === segments[i];
      });
      if (ok) return { handler: route.handler, params };
    }
    return undefined;
  };

  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown> | undefined> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (chunks.length === 0) return undefined;
    const raw = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    if (type.includes('application/json')) return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    if (type.includes('multipart/form-data') || type.includes('application/x-www-form-urlencoded')) {
      const form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
      return Object.fromEntries([...form.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : v.name]));
    }
    return { raw: raw.toString('utf8') };
  };

  const send = (res: ServerResponse, reply: Reply) => {
    const body = reply.text ?? JSON.stringify(reply.json ?? {});
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    // `path` as sent (percent-encoded), without /api/v4 and the query, like the GitHub fake's
    const path = url.pathname.startsWith(`${PREFIX}/`) ? url.pathname.slice(PREFIX.length) : url.pathname;
    state.calls.push({ method, path, ...(body !== undefined ? { body } : {}) });

    if (!url.pathname.startsWith(`${PREFIX}/`)) return send(res, json({ error: '404 Not Found' }, 404));
    if (!req.headers['private-token'] && !req.headers.authorization) return send(res, json({ message: '401 Unauthorized' }, 401));
    const found = match(method, path.split('/').slice(1));
    if (!found) return send(res, json({ error: '404 Not Found' }, 404));

    let repo: FakeRepo | undefined;
    if (found.params.project !== undefined) {
      const id = found.params.project;
      repo = /^\d+$/.test(id) ? state.findRepoById(Number(id)) : state.repos.get(id.toLowerCase());
      if (!repo) return send(res, notFound('Project Not Found'));
    }
    const ctx: Ctx = {
      url,
      params: found.params,
      query: url.searchParams,
      body: body ?? {},
      repo: repo!,
      full: repo ? `${repo.owner}/${repo.name}` : '',
    };
    send(res, found.handler(ctx));
  };

  const server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => send(res, json({ message: '500 Internal Server Error', error: String(err) }, 500)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
