// Real-shaped webhook deliveries for the e2e tests, and posting them signed over HTTP.
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

type Payload = Record<string, any>;
const require = createRequire(import.meta.url);
const catalogue: { name: string; examples: Payload[] }[] = require('@octokit/webhooks-examples/api.github.com/index.json');

/** GitHub's issue_comment.created example, turned into a comment on PR `number` of acme/widgets. */
export function githubPrComment(body: string, options: { login?: string; number?: number; labels?: string[] } = {}): Payload {
  const payload = structuredClone(catalogue.find((e) => e.name === 'issue_comment')!.examples.find((p) => p.action === 'created')!);
  const number = options.number ?? 7;
  payload.issue.number = number;
  payload.issue.pull_request = { url: `https://api.github.test/repos/acme/widgets/pulls/${number}`, html_url: `https://github.test/acme/widgets/pull/${number}` };
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

export const signGitHub = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export async function postGitHub(url: string, event: string, body: string, headers: Record<string, string | undefined> = {}) {
  const all: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': randomUUID() };
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete all[k];
    else all[k] = v;
  }
  return fetch(`${url}/api/github/webhooks`, { method: 'POST', headers: all, body });
}

/** GitLab's Note Hook (go-scm's captured payload) on MR `iid` of acme/widgets. */
export function gitlabMrNote(body: string, options: { username?: string; iid?: number } = {}): Payload {
  const payload = JSON.parse(readFileSync(new URL('../fixtures/gitlab/go-scm/pull_request_comment_create.json', import.meta.url), 'utf8'));
  payload.user.username = options.username ?? 'bob';
  payload.project.path_with_namespace = 'acme/widgets';
  payload.object_attributes.note = body;
  payload.merge_request.iid = options.iid ?? 7;
  return payload;
}

export async function postGitLab(url: string, event: string, body: string, headers: Record<string, string | undefined> = {}) {
  const all: Record<string, string> = { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-event-uuid': randomUUID() };
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete all[k];
    else all[k] = v;
  }
  return fetch(`${url}/api/gitlab/webhooks`, { method: 'POST', headers: all, body });
}
