// Real-shaped webhook deliveries for the e2e tests, and posting them signed over HTTP.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Payload = Record<string, any>;
const require = createRequire(import.meta.url);
const catalogue: { name: string; examples: Payload[] }[] = require('@octokit/webhooks-examples/api.github.com/index.json');

/** GitHub's issue_comment.created example, turned into a comment on PR `number` of acme/widgets. */
export function githubPrComment(body: string, options: { login?: string; number?: number; labels?: string[] } = {}): Payload {
  const payload = structuredClone(catalogue.find((e) => e.name === 'issue_comment')!.examples.find((p) => p.action === 'created')!);
  const number = options.number ?? 7;
  payload.issue.number = number;
  payload.issue.pull_request = {
    url: `https://api.github.test/repos/acme/widgets/pulls/${number}`,
    html_url: `https://github.test/acme/widgets/pull/${number}`,
  };
  payload.issue.labels = (options.labels ?? []).map((name, id) => ({ id, name, color: 'ededed' }));
  payload.issue.user.login = 'alice';
  payload.comment.body = body;
  payload.comment.user.login = options.login ?? 'bob';
  payload.comment.user.type = 'User';
  payload.sender.login = options.login ?? 'bob';
  payload.sender.type = 'User';
  payload.repository.name = 'widgets';
  payload.repository.full_name = 'acme/widgets';
  payload.repository.owner.login = 'acme';
  payload.installation = { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' };
  return payload;
}

export function githubStar(): Payload {
  return structuredClone(catalogue.find((e) => e.name === 'star')!.examples[0]!);
}

export const signGitHub = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

type Headers = Record<string, string | undefined>;

/** Posts a webhook; `overrides` replace the defaults, and an undefined value removes a header. */
function post(url: string, defaults: Record<string, string>, overrides: Headers, body: string) {
  const headers = { 'content-type': 'application/json', ...defaults, ...overrides };
  const present = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
  return fetch(url, { method: 'POST', headers: present, body });
}

export const postGitHub = (url: string, event: string, body: string, headers: Headers = {}) =>
  post(`${url}/api/github/webhooks`, { 'x-github-event': event, 'x-github-delivery': randomUUID() }, headers, body);

/** GitLab's Note Hook (go-scm's captured payload) on MR `iid` of acme/widgets. */
export function gitlabMrNote(body: string, options: { username?: string; iid?: number } = {}): Payload {
  const payload = JSON.parse(readFileSync(new URL('../fixtures/gitlab/go-scm/pull_request_comment_create.json', import.meta.url), 'utf8'));
  payload.user.username = options.username ?? 'bob';
  payload.project.path_with_namespace = 'acme/widgets';
  payload.object_attributes.note = body;
  payload.merge_request.iid = options.iid ?? 7;
  return payload;
}

export const postGitLab = (url: string, event: string, body: string, headers: Headers = {}) =>
  post(`${url}/api/gitlab/webhooks`, { 'x-gitlab-event': event, 'x-gitlab-event-uuid': randomUUID() }, headers, body);

/** GitHub's pull_request example with `action`, turned into PR `number` of acme/widgets by alice. */
export function githubPullRequest(action: string, options: { number?: number; headSha?: string } = {}): Payload {
  const payload = structuredClone(catalogue.find((e) => e.name === 'pull_request')!.examples.find((p) => p.action === 'opened')!);
  payload.action = action;
  payload.number = options.number ?? 7;
  payload.pull_request.number = payload.number;
  payload.pull_request.user.login = 'alice';
  payload.pull_request.draft = false;
  if (options.headSha) payload.pull_request.head.sha = options.headSha;
  payload.sender.login = 'alice';
  payload.sender.type = 'User';
  payload.repository.name = 'widgets';
  payload.repository.full_name = 'acme/widgets';
  payload.repository.owner.login = 'acme';
  payload.installation = { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' };
  return payload;
}

/**
 * GitHub's check_run.rerequested example (someone pressed Re-run), turned into a check run of
 * acme/widgets: `name` and `externalId` as the bot wrote them, on `headSha`, linked to PR `number`.
 */
export function githubCheckRunRerequested(options: {
  name: string;
  externalId: string;
  headSha: string;
  number?: number;
  login?: string;
}): Payload {
  const payload = structuredClone(
    catalogue.find((e) => e.name === 'check_run')!.examples.find((p) => p.action === 'rerequested' && p.installation)!,
  );
  const number = options.number ?? 7;
  Object.assign(payload.check_run, {
    name: options.name,
    external_id: options.externalId,
    head_sha: options.headSha,
    status: 'completed',
    conclusion: 'failure',
    pull_requests: [{ url: `https://api.github.test/repos/acme/widgets/pulls/${number}`, id: number, number }],
  });
  payload.check_run.check_suite.head_sha = options.headSha;
  payload.sender.login = options.login ?? 'alice';
  payload.sender.type = 'User';
  payload.repository.name = 'widgets';
  payload.repository.full_name = 'acme/widgets';
  payload.repository.owner.login = 'acme';
  payload.installation = { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' };
  return payload;
}

/** GitLab's Merge Request Hook (opened, from GitLab's docs) on MR `iid` of acme/widgets by alice. */
export function gitlabMergeRequestOpened(options: { iid?: number } = {}): Payload {
  const payload = JSON.parse(readFileSync(new URL('../fixtures/gitlab/docs/merge_request_open.json', import.meta.url), 'utf8'));
  payload.project.path_with_namespace = 'acme/widgets';
  payload.object_attributes.iid = options.iid ?? 7;
  payload.user.username = 'alice';
  return payload;
}
