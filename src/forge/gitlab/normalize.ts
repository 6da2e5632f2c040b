// GitLab webhook payloads -> NormalizedEvents. The schemas below name only the fields we read, and
// mark optional what older GitLab versions leave out (object_attributes.action on notes, draft,
// labels on a note's merge request), so both the 2017-era and current payloads parse.
import { z } from 'zod';
import type {
  Actor,
  ChangeInfo,
  NormalizedEvent,
  PullRequestAction,
  PullRequestEvent,
  PushEvent,
  RunnerEvent,
  StatusEvent,
} from '../../core/events.js';
import type { ReportedState } from '../../jobs/protocol.js';
import { pushedFiles } from '../pushed-files.js';
import { type ChangeState, parseRepoFullName, type RepoRef, type StatusState } from '../types.js';

const ZERO_SHA = /^0+$/;

const label = z.object({ title: z.string() });
const user = z.object({ id: z.number().nullish(), username: z.string(), bot: z.boolean().nullish() });
const project = z.object({ path_with_namespace: z.string(), web_url: z.string().nullish() });

const mrFields = {
  iid: z.number(),
  title: z.string(),
  state: z.string(),
  author_id: z.number().nullish(),
  draft: z.boolean().nullish(),
  work_in_progress: z.boolean().nullish(),
  url: z.string().nullish(),
  source_branch: z.string(),
  target_branch: z.string(),
  last_commit: z.object({ id: z.string() }).nullish(),
  labels: z.array(label).nullish(),
};

const noteEnvelope = z.object({
  object_attributes: z.object({ noteable_type: z.string(), system: z.boolean().nullish() }),
});
const mergeRequestNote = z.object({
  user,
  project,
  object_attributes: z.object({
    id: z.number(),
    note: z.string(),
    url: z.string().nullish(),
    action: z.string().nullish(),
  }),
  merge_request: z.object(mrFields),
});

const flag = z.object({ previous: z.boolean().nullish(), current: z.boolean().nullish() });
const labelChange = z.object({ previous: z.array(label).nullish(), current: z.array(label).nullish() });
const mergeRequestHook = z.object({
  user,
  project,
  object_attributes: z.object({ ...mrFields, action: z.string().nullish(), oldrev: z.string().nullish() }),
  labels: z.array(label).nullish(),
  changes: z
    .object({
      labels: labelChange.optional(),
      draft: flag.optional(),
      work_in_progress: flag.optional(), // before GitLab 14 renamed WIP to draft
      title: z.object({}).optional(),
      description: z.object({}).optional(),
    })
    .nullish(),
});

const pushHook = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  user_username: z.string(),
  project,
  commits: z
    .array(
      z.object({
        added: z.array(z.string()).nullish(),
        removed: z.array(z.string()).nullish(),
        modified: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

const pipelineHook = z.object({
  user,
  project: project.extend({ web_url: z.string() }),
  object_attributes: z.object({
    id: z.number(),
    sha: z.string(),
    status: z.string(),
    name: z.string().nullish(),
    url: z.string().nullish(),
    detailed_status: z.string().nullish(),
  }),
  merge_request: z.object({ iid: z.number() }).nullish(),
});

/** Parses, or throws an Error naming the first broken field ("merge_request.iid: ..."). */
function parse<S extends z.ZodType>(schema: S, payload: unknown, event: string): z.infer<S> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : '(payload)';
  throw new Error(`GitLab ${event} payload: ${field}: ${issue.message}`);
}

/** Project and group access token users, and users GitLab flags as bots. */
const isBotUser = (username: string, bot?: boolean | null): boolean => bot === true || /^(project|group)_\d+_bot/.test(username);
const actor = (u: { username: string; bot?: boolean | null | undefined }): Actor => ({
  login: u.username,
  isBot: isBotUser(u.username, u.bot),
});

const changeState = (state: string): ChangeState => (state === 'opened' ? 'open' : state === 'merged' ? 'merged' : 'closed'); // closed, locked

type Mr = z.infer<z.ZodObject<typeof mrFields>>;

function changeInfo(mr: Mr, labels: Array<{ title: string }> | null | undefined, url: string, author?: string): ChangeInfo {
  return {
    number: mr.iid,
    title: mr.title,
    ...(author ? { author } : {}),
    state: changeState(mr.state),
    draft: mr.draft ?? mr.work_in_progress ?? false,
    labels: (labels ?? []).map((l) => l.title),
    url,
    baseRef: mr.target_branch,
    headRef: mr.source_branch,
    ...(mr.last_commit ? { headSha: mr.last_commit.id } : {}),
  };
}

/**
 * The payloads name the MR author by id only; `user` is whoever acted. When the actor's id is the
 * author's id, the actor's username is the author's.
 */
const authorIfActor = (u: { id?: number | null | undefined; username: string }, authorId: number | null | undefined): string | undefined =>
  u.id != null && u.id === authorId ? u.username : undefined;

const copy = (change: ChangeInfo): ChangeInfo => ({ ...change, labels: [...change.labels] });

const mrUrl = (repo: { web_url?: string | null | undefined }, iid: number, url?: string | null): string =>
  url || `${repo.web_url ?? ''}/-/merge_requests/${iid}`;

function noteEvents(payload: unknown, deliveryId: string): NormalizedEvent[] {
  const envelope = parse(noteEnvelope, payload, 'Note Hook');
  if (envelope.object_attributes.noteable_type !== 'MergeRequest' || envelope.object_attributes.system) return [];
  const p = parse(mergeRequestNote, payload, 'Note Hook');
  const note = p.object_attributes;
  const action = note.action == null || note.action === 'create' ? 'created' : note.action === 'update' ? 'edited' : undefined;
  if (!action) return [];
  const mr = p.merge_request;
  return [
    {
      kind: 'comment',
      action,
      forge: 'gitlab',
      deliveryId,
      repo: parseRepoFullName('gitlab', p.project.path_with_namespace),
      sender: actor(p.user),
      change: changeInfo(mr, mr.labels, mrUrl(p.project, mr.iid, mr.url), authorIfActor(p.user, mr.author_id)),
      comment: { id: note.id, body: note.note, author: p.user.username, url: note.url ?? '' },
    },
  ];
}

function mergeRequestEvents(payload: unknown, deliveryId: string): NormalizedEvent[] {
  const p = parse(mergeRequestHook, payload, 'Merge Request Hook');
  const mr = p.object_attributes;
  const base = {
    forge: 'gitlab' as const,
    deliveryId,
    repo: parseRepoFullName('gitlab', p.project.path_with_namespace),
    sender: actor(p.user),
  };
  const change = changeInfo(mr, p.labels ?? mr.labels, mrUrl(p.project, mr.iid, mr.url), authorIfActor(p.user, mr.author_id));
  const pr = (action: PullRequestAction, label?: string): PullRequestEvent => ({
    kind: 'pull_request',
    action,
    ...base,
    change: copy(change),
    ...(label !== undefined ? { label } : {}),
  });
  // GitLab has no approval id; the approver's user id stands in, as in GitLabForge.listReviews
  const review = (action: 'approved' | 'dismissed'): NormalizedEvent => ({
    kind: 'review',
    action,
    ...base,
    change: copy(change),
    review: { id: p.user.id ?? 0, body: '', author: p.user.username },
  });

  switch (mr.action) {
    case 'open':
      return [pr('opened')];
    case 'reopen':
      return [pr('reopened')];
    case 'close':
      return [pr('closed')];
    case 'merge':
      change.state = 'merged';
      return [pr('closed')];
    case 'approved':
    case 'approval':
      return [review('approved')];
    case 'unapproved':
    case 'unapproval':
      return [review('dismissed')];
    case 'update':
      break;
    default:
      return [];
  }

  // One update delivery may carry several changes at once.
  const changes = p.changes ?? {};
  const events: PullRequestEvent[] = [];
  if (mr.oldrev) events.push(pr('synchronize'));
  const draft = changes.draft ?? changes.work_in_progress;
  if (draft?.previous === true && draft.current === false) events.push(pr('ready_for_review'));
  if (changes.title || changes.description) events.push(pr('edited'));
  if (changes.labels) {
    const before = new Set((changes.labels.previous ?? []).map((l) => l.title));
    const after = new Set((changes.labels.current ?? []).map((l) => l.title));
    for (const l of before) if (!after.has(l)) events.push(pr('unlabeled', l));
    for (const l of after) if (!before.has(l)) events.push(pr('labeled', l));
  }
  return events;
}

function pushEvents(payload: unknown, deliveryId: string): NormalizedEvent[] {
  const p = parse(pushHook, payload, 'Push Hook');
  if (!p.ref.startsWith('refs/heads/')) return [];
  const event: PushEvent = {
    kind: 'push',
    forge: 'gitlab',
    deliveryId,
    repo: parseRepoFullName('gitlab', p.project.path_with_namespace),
    sender: { login: p.user_username, isBot: isBotUser(p.user_username) },
    branch: p.ref.slice('refs/heads/'.length),
    before: p.before,
    after: p.after,
    deleted: ZERO_SHA.test(p.after),
    changedFiles: pushedFiles(p.commits ?? []),
  };
  return [event];
}

// Pipeline statuses onto commit-status states: canceled did not produce a verdict (GitHub's
// 'error'), skipped is not a failure; created, running, manual and the rest are still pending.
const pipelineState = (status: string): StatusState =>
  status === 'success' || status === 'skipped' ? 'success' : status === 'failed' ? 'failure' : status === 'canceled' ? 'error' : 'pending';

/**
 * A pipeline's status as a run state (Pipeline Hook events, and polling a pipeline a
 * gitlab-pipeline runner started). Statuses GitLab may add later count as not finished.
 */
export function pipelineRunState(status: string): ReportedState {
  switch (status) {
    case 'running':
      return 'running';
    case 'success':
      return 'success';
    case 'failed':
      return 'failure';
    case 'canceled':
    case 'canceling':
      return 'aborted';
    case 'skipped':
      return 'error'; // nothing was tested
    default:
      return 'pending'; // created, waiting_for_resource, preparing, pending, scheduled, manual
  }
}

/**
 * A pipeline gives two events: a commit status (what plugins and the merge queue read) and a
 * runner event (what the job service matches to a pipeline it triggered).
 */
function pipelineEvents(payload: unknown, deliveryId: string): NormalizedEvent[] {
  const p = parse(pipelineHook, payload, 'Pipeline Hook');
  const pl = p.object_attributes;
  const repo: RepoRef = parseRepoFullName('gitlab', p.project.path_with_namespace);
  const url = pl.url || `${p.project.web_url}/-/pipelines/${pl.id}`;
  const status: StatusEvent = {
    kind: 'status',
    forge: 'gitlab',
    deliveryId,
    repo,
    sender: actor(p.user),
    sha: pl.sha,
    context: pl.name || 'gitlab-pipeline',
    state: pipelineState(pl.status),
    ...(pl.detailed_status ? { description: pl.detailed_status } : {}),
    targetUrl: url,
    ...(p.merge_request ? { changeNumber: p.merge_request.iid } : {}),
  };
  const runner: RunnerEvent = {
    kind: 'runner',
    forge: 'gitlab',
    deliveryId,
    repo,
    sender: actor(p.user),
    system: 'gitlab-pipeline',
    externalId: String(pl.id),
    ...(pl.name ? { title: pl.name } : {}),
    sha: pl.sha,
    state: pipelineRunState(pl.status),
    url,
    description: `pipeline ${pl.status}`,
  };
  return [status, runner];
}

const handlers: Record<string, (payload: unknown, deliveryId: string) => NormalizedEvent[]> = {
  'Note Hook': noteEvents,
  'Merge Request Hook': mergeRequestEvents,
  'Push Hook': pushEvents,
  'Pipeline Hook': pipelineEvents,
};

/**
 * Converts one GitLab delivery (by its X-Gitlab-Event header) into zero or more events, all with
 * the delivery's id. Kinds we do not handle (Tag Push Hook, Issue Hook, ...) give []; a payload of
 * a handled kind that lacks a field we need throws, naming the field.
 */
export function normalizeGitLabEvent(eventHeader: string, payload: unknown, deliveryId: string): NormalizedEvent[] {
  const handler = Object.hasOwn(handlers, eventHeader) ? handlers[eventHeader] : undefined;
  return handler ? handler(payload, deliveryId) : [];
}
