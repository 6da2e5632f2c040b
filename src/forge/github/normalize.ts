// GitHub webhook payloads -> NormalizedEvents. Events and actions we do not act on give []; a payload
// we do act on but which lacks a field we read throws, naming the field.
import { z } from 'zod';
import type {
  ChangeInfo,
  CommentEvent,
  NormalizedEvent,
  PullRequestAction,
  PullRequestEvent,
  PushEvent,
  RerunRequestEvent,
  ReviewEvent,
  RunnerEvent,
  StatusEvent,
} from '../../core/events.js';
import type { ReportedState } from '../../jobs/protocol.js';
import { pushedFiles } from '../pushed-files.js';
import type { ReviewState, StatusState } from '../types.js';

const ZERO_SHA = /^0+$/;

/** A check run's status/conclusion as a commit status state. */
export function checkRunState(status: string, conclusion: string | null | undefined): StatusState {
  if (status !== 'completed') return 'pending';
  switch (conclusion) {
    case 'success':
    case 'neutral':
    case 'skipped':
      return 'success';
    case 'failure':
    case 'timed_out':
      return 'failure';
    default:
      return 'error'; // cancelled, action_required, stale, or anything new
  }
}

/**
 * A workflow run's status/conclusion as a run state. Unlike a check run, a skipped or neutral run
 * did not test anything, so it is an error; cancelled is the run being stopped.
 */
export function workflowRunState(status: string, conclusion: string | null | undefined): ReportedState {
  if (status === 'in_progress') return 'running';
  if (status !== 'completed') return 'pending'; // requested, queued, waiting, pending
  switch (conclusion) {
    case 'success':
      return 'success';
    case 'failure':
    case 'timed_out':
      return 'failure';
    case 'cancelled':
      return 'aborted';
    default:
      return 'error'; // startup_failure, action_required, stale, skipped, neutral, or anything new
  }
}

// --- the few payload fields we read ---

const user = z.object({ login: z.string() });
const labels = z.array(z.object({ name: z.string() }));

const envelope = z.object({
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  sender: z.object({ login: z.string(), type: z.string() }),
  installation: z.object({ id: z.number() }).nullish(),
});

const pullRequest = z.object({
  number: z.number(),
  title: z.string(),
  user: user.nullable(),
  state: z.enum(['open', 'closed']),
  draft: z.boolean().optional(),
  merged: z.boolean().nullish(),
  merged_at: z.string().nullish(),
  labels: labels.optional(),
  html_url: z.string(),
  base: z.object({ ref: z.string(), sha: z.string() }),
  head: z.object({ ref: z.string(), sha: z.string() }),
});

const comment = z.object({ id: z.number(), body: z.string().nullish(), user: user.nullable(), html_url: z.string() });

const schemas = {
  issue_comment: envelope.extend({
    issue: z.object({
      number: z.number(),
      title: z.string(),
      user: user.nullable(),
      state: z.enum(['open', 'closed']),
      draft: z.boolean().optional(),
      labels: labels.optional(),
      html_url: z.string(),
      pull_request: z.object({ merged_at: z.string().nullish() }).optional(),
    }),
    comment,
  }),
  pull_request: envelope.extend({ pull_request: pullRequest, label: z.object({ name: z.string() }).optional() }),
  pull_request_review: envelope.extend({
    pull_request: pullRequest,
    review: z.object({ id: z.number(), body: z.string().nullish(), user: user.nullable(), state: z.string() }),
  }),
  pull_request_review_comment: envelope.extend({ pull_request: pullRequest, comment }),
  push: envelope.extend({
    ref: z.string(),
    before: z.string(),
    after: z.string(),
    deleted: z.boolean().optional(),
    commits: z
      .array(
        z.object({
          added: z.array(z.string()).nullish(),
          removed: z.array(z.string()).nullish(),
          modified: z.array(z.string()).nullish(),
        }),
      )
      .nullish(),
  }),
  status: envelope.extend({
    sha: z.string(),
    context: z.string(),
    state: z.enum(['pending', 'success', 'failure', 'error']),
    description: z.string().nullish(),
    target_url: z.string().nullish(),
  }),
  check_run: envelope.extend({
    check_run: z.object({
      name: z.string(),
      head_sha: z.string(),
      status: z.string(),
      conclusion: z.string().nullish(),
      details_url: z.string().nullish(),
      html_url: z.string().nullish(),
      external_id: z.string().nullish(),
      output: z.object({ title: z.string().nullish() }).nullish(),
      pull_requests: z.array(z.object({ number: z.number() })).nullish(),
    }),
  }),
  check_suite: envelope.extend({
    check_suite: z.object({
      id: z.number(),
      head_sha: z.string(),
      pull_requests: z.array(z.object({ number: z.number() })).nullish(),
    }),
  }),
  workflow_run: envelope.extend({
    workflow_run: z.object({
      id: z.number(),
      display_title: z.string().nullish(), // absent before 2022
      head_sha: z.string(),
      status: z.string(),
      conclusion: z.string().nullish(),
      html_url: z.string(),
    }),
  }),
};

function parse<K extends keyof typeof schemas>(name: K, payload: unknown): z.infer<(typeof schemas)[K]> {
  const result = schemas[name].safeParse(payload);
  if (result.success) return result.data as z.infer<(typeof schemas)[K]>;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  throw new Error(`malformed GitHub ${name} payload: ${problems.join('; ')}`);
}

const PR_ACTIONS = new Set<string>([
  'opened',
  'synchronize',
  'reopened',
  'closed',
  'labeled',
  'unlabeled',
  'edited',
  'ready_for_review',
] satisfies PullRequestAction[]);
const COMMENT_ACTIONS = new Set(['created', 'edited', 'deleted']);
const WORKFLOW_RUN_ACTIONS = new Set(['requested', 'in_progress', 'completed']);
const SUBMITTED_REVIEW_STATES = new Set<string>(['approved', 'changes_requested', 'commented'] satisfies ReviewState[]);

function base(e: z.infer<typeof envelope>, deliveryId: string) {
  return {
    forge: 'github' as const,
    deliveryId,
    repo: { forge: 'github' as const, owner: e.repository.owner.login, name: e.repository.name },
    sender: { login: e.sender.login, isBot: e.sender.type === 'Bot' },
    ...(e.installation ? { installationId: e.installation.id } : {}),
  };
}

function changeFromPull(pr: z.infer<typeof pullRequest>): ChangeInfo {
  return {
    number: pr.number,
    title: pr.title,
    ...(pr.user ? { author: pr.user.login } : {}),
    state: pr.merged || pr.merged_at ? 'merged' : pr.state,
    draft: pr.draft ?? false,
    labels: (pr.labels ?? []).map((l) => l.name),
    url: pr.html_url,
    baseRef: pr.base.ref,
    baseSha: pr.base.sha,
    headRef: pr.head.ref,
    headSha: pr.head.sha,
  };
}

function toComment(c: z.infer<typeof comment>): CommentEvent['comment'] {
  return { id: c.id, body: c.body ?? '', author: c.user?.login ?? 'ghost', url: c.html_url };
}

const action = (payload: unknown): string | undefined =>
  payload && typeof payload === 'object' && 'action' in payload && typeof payload.action === 'string' ? payload.action : undefined;

export function normalizeGitHubEvent(name: string, payload: unknown, deliveryId: string): NormalizedEvent[] {
  const act = action(payload);
  switch (name) {
    case 'issue_comment': {
      if (!act || !COMMENT_ACTIONS.has(act)) return [];
      const p = parse(name, payload);
      const { issue } = p;
      if (!issue.pull_request) return []; // a comment on a plain issue
      const change: ChangeInfo = {
        number: issue.number,
        title: issue.title,
        ...(issue.user ? { author: issue.user.login } : {}),
        // the issue view of a PR only says closed; pull_request.merged_at tells merged apart
        state: issue.pull_request.merged_at ? 'merged' : issue.state,
        draft: issue.draft ?? false,
        labels: (issue.labels ?? []).map((l) => l.name),
        url: issue.html_url,
      };
      const event: CommentEvent = {
        ...base(p, deliveryId),
        kind: 'comment',
        action: act as CommentEvent['action'],
        change,
        comment: toComment(p.comment),
      };
      return [event];
    }

    case 'pull_request': {
      if (!act || !PR_ACTIONS.has(act)) return [];
      const p = parse(name, payload);
      const event: PullRequestEvent = {
        ...base(p, deliveryId),
        kind: 'pull_request',
        action: act as PullRequestAction,
        change: changeFromPull(p.pull_request),
        ...((act === 'labeled' || act === 'unlabeled') && p.label ? { label: p.label.name } : {}),
      };
      return [event];
    }

    case 'pull_request_review': {
      if (act !== 'submitted' && act !== 'dismissed') return [];
      const p = parse(name, payload);
      const state = act === 'dismissed' ? 'dismissed' : p.review.state.toLowerCase();
      if (!SUBMITTED_REVIEW_STATES.has(state) && state !== 'dismissed') return [];
      const event: ReviewEvent = {
        ...base(p, deliveryId),
        kind: 'review',
        action: state as ReviewState,
        change: changeFromPull(p.pull_request),
        review: { id: p.review.id, body: p.review.body ?? '', author: p.review.user?.login ?? 'ghost' },
      };
      return [event];
    }

    case 'pull_request_review_comment': {
      if (!act || !COMMENT_ACTIONS.has(act)) return [];
      const p = parse(name, payload);
      const event: CommentEvent = {
        ...base(p, deliveryId),
        kind: 'comment',
        action: act as CommentEvent['action'],
        change: changeFromPull(p.pull_request),
        comment: toComment(p.comment),
      };
      return [event];
    }

    case 'push': {
      const p = parse(name, payload);
      if (!p.ref.startsWith('refs/heads/')) return []; // tags
      const event: PushEvent = {
        ...base(p, deliveryId),
        kind: 'push',
        branch: p.ref.slice('refs/heads/'.length),
        before: p.before,
        after: p.after,
        deleted: p.deleted === true || ZERO_SHA.test(p.after),
        changedFiles: pushedFiles(p.commits ?? []),
      };
      return [event];
    }

    case 'status': {
      const p = parse(name, payload);
      const event: StatusEvent = {
        ...base(p, deliveryId),
        kind: 'status',
        sha: p.sha,
        context: p.context,
        state: p.state,
        ...(p.description == null ? {} : { description: p.description }),
        ...(p.target_url == null ? {} : { targetUrl: p.target_url }),
      };
      return [event];
    }

    case 'check_run': {
      const p = parse(name, payload);
      const run = p.check_run;
      if (act === 'rerequested') {
        const event: RerunRequestEvent = {
          ...base(p, deliveryId),
          kind: 'rerun_request',
          sha: run.head_sha,
          checkRun: { name: run.name, ...(run.external_id ? { externalId: run.external_id } : {}) },
          changeNumbers: (run.pull_requests ?? []).map((pr) => pr.number),
        };
        return [event];
      }
      const targetUrl = run.details_url ?? run.html_url;
      const event: StatusEvent = {
        ...base(p, deliveryId),
        kind: 'status',
        sha: run.head_sha,
        context: run.name,
        state: checkRunState(run.status, run.conclusion),
        ...(run.output?.title ? { description: run.output.title } : {}),
        ...(targetUrl ? { targetUrl } : {}),
      };
      return [event];
    }

    case 'check_suite': {
      if (act !== 'rerequested') return [];
      const p = parse(name, payload);
      const suite = p.check_suite;
      const event: RerunRequestEvent = {
        ...base(p, deliveryId),
        kind: 'rerun_request',
        sha: suite.head_sha,
        checkSuiteId: suite.id,
        changeNumbers: (suite.pull_requests ?? []).map((pr) => pr.number),
      };
      return [event];
    }

    case 'workflow_run': {
      if (!act || !WORKFLOW_RUN_ACTIONS.has(act)) return [];
      const p = parse(name, payload);
      const run = p.workflow_run;
      const event: RunnerEvent = {
        ...base(p, deliveryId),
        kind: 'runner',
        system: 'github-actions',
        externalId: String(run.id),
        ...(run.display_title ? { title: run.display_title } : {}),
        sha: run.head_sha,
        state: workflowRunState(run.status, run.conclusion),
        url: run.html_url,
        description: `workflow run ${run.status === 'completed' ? (run.conclusion ?? 'completed') : run.status}`,
      };
      return [event];
    }

    default:
      return [];
  }
}
