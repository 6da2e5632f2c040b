// GitLabPipelineRunner against a local fake of the three GitLab endpoints it uses: trigger a
// pipeline (trigger token in the form body), read a pipeline and cancel it (API token in
// PRIVATE-TOKEN), with GitLab's shapes and status codes.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { GitLabPipelineRunnerConfig } from '../../src/config/jobs-schema.js';
import { API_VERSION, type DispatchDocument } from '../../src/jobs/protocol.js';
import { GitLabPipelineRunner } from '../../src/runners/gitlab-pipeline-runner.js';
import { RunnerError } from '../../src/runners/runner.js';

const TRIGGER_TOKEN = 'glptt-trigger-canary';
const API_TOKEN = 'glpat-api-canary';
const log = pino({ level: 'silent' });
const BASE_SHA = 'a'.repeat(40);
const PR_SHA = 'b'.repeat(40);

const doc: DispatchDocument = {
  apiVersion: API_VERSION,
  job: {
    id: 'run-42',
    name: 'unit',
    type: 'presubmit',
    context: 'ci/unit',
    params: { SUITE: 'fast', CI_ORCHESTRATOR_JOB: 'spoofed' },
    timeout_seconds: 600,
  },
  refs: {
    forge: 'gitlab',
    repo: 'acme/platform/widgets',
    clone_url: 'https://gitlab.test/acme/platform/widgets.git',
    base_ref: 'main',
    base_sha: BASE_SHA,
    pulls: [
      { number: 7, sha: PR_SHA, author: 'alice' },
      { number: 9, sha: 'c'.repeat(40), author: 'bob' },
    ],
  },
  callback: { url: 'https://bot.test/api/v1/jobs/run-42/status', token: 'callback-token-canary' },
};

interface Pipeline {
  id: number;
  status: string;
  ref: string;
  project: string;
}
interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  privateToken?: string;
}

let base = '';
let calls: Call[] = [];
let pipelines = new Map<number, Pipeline>();
let nextId = 100;
/** set to make the trigger endpoint answer this instead */
let triggerFailure: { status: number; body: unknown } | undefined;

const webUrl = (p: Pipeline) => `${base}/${p.project}/-/pipelines/${p.id}`;
const pipelineJson = (p: Pipeline) => ({
  id: p.id,
  iid: p.id - 99,
  project_id: 1,
  sha: BASE_SHA,
  ref: p.ref,
  status: p.status,
  source: 'trigger',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  web_url: webUrl(p),
});

const server = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    // match on the raw path: GitLab takes the project path URL-encoded as one segment
    const url = new URL(req.url ?? '/', 'http://x');
    const call: Call = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      ...(req.headers['private-token'] ? { privateToken: String(req.headers['private-token']) } : {}),
    };
    calls.push(call);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && (m = /^\/api\/v4\/projects\/([^/]+)\/trigger\/pipeline$/.exec(url.pathname))) {
      if (triggerFailure) return send(triggerFailure.status, triggerFailure.body);
      if (call.form.get('token') !== TRIGGER_TOKEN) return send(404, { message: '404 Not Found' });
      const p = { id: nextId++, status: 'created', ref: call.form.get('ref') ?? '', project: decodeURIComponent(m[1]!) };
      pipelines.set(p.id, p);
      return send(201, pipelineJson(p));
    }
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/pipelines\/(\d+)(\/cancel)?$/.exec(url.pathname))) {
      if (call.privateToken !== API_TOKEN) return send(401, { message: '401 Unauthorized' });
      const p = pipelines.get(Number(m[2]));
      if (!p || p.project !== decodeURIComponent(m[1]!)) return send(404, { message: '404 Not found' });
      if (req.method === 'GET' && !m[3]) return send(200, pipelineJson(p));
      if (req.method === 'POST' && m[3]) {
        if (!['success', 'failed', 'canceled', 'skipped'].includes(p.status)) p.status = 'canceled';
        return send(200, pipelineJson(p));
      }
    }
    send(404, { error: '404 Not Found' });
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
beforeEach(() => {
  calls = [];
  pipelines = new Map();
  nextId = 100;
  triggerFailure = undefined;
});

function runner(config: Partial<GitLabPipelineRunnerConfig> = {}, options: { triggerToken?: string } = {}) {
  return new GitLabPipelineRunner(
    { type: 'gitlab-pipeline', trigger_token_env: 'TRIGGER', api_token_env: 'GITLAB_TOKEN', poll_interval: '30s', ...config },
    { gitlabUrl: `${base}/`, triggerToken: options.triggerToken ?? TRIGGER_TOKEN, apiToken: API_TOKEN, pollIntervalMs: 30_000 },
  );
}

async function refused(promise: Promise<unknown>): Promise<RunnerError> {
  const err = await promise.then(
    () => assert.fail('should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RunnerError, String(err));
  for (const secret of [TRIGGER_TOKEN, API_TOKEN, 'callback-token-canary'])
    assert.ok(!err.message.includes(secret), `message leaks ${secret}`);
  return err;
}

describe('GitLabPipelineRunner', () => {
  it("triggers a pipeline of the change's project on its base branch, the refs as variables", async () => {
    const receipt = await runner().dispatch(doc, log);
    assert.deepEqual(receipt, { externalId: '100', url: `${base}/acme/platform/widgets/-/pipelines/100` });

    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.equal(call!.path, '/api/v4/projects/acme%2Fplatform%2Fwidgets/trigger/pipeline');
    assert.equal(call!.query.size, 0, 'the trigger token is not in the URL');
    assert.equal(call!.form.get('token'), TRIGGER_TOKEN);
    assert.equal(call!.form.get('ref'), 'main');
    const variables = Object.fromEntries([...call!.form].filter(([k]) => k.startsWith('variables[')).map(([k, v]) => [k.slice(10, -1), v]));
    assert.deepEqual(variables, {
      SUITE: 'fast',
      CI_ORCHESTRATOR_RUN_ID: 'run-42',
      CI_ORCHESTRATOR_JOB: 'unit',
      CI_ORCHESTRATOR_JOB_TYPE: 'presubmit',
      CI_ORCHESTRATOR_REPO: 'acme/platform/widgets',
      CI_ORCHESTRATOR_CLONE_URL: 'https://gitlab.test/acme/platform/widgets.git',
      CI_ORCHESTRATOR_BASE_REF: 'main',
      CI_ORCHESTRATOR_BASE_SHA: BASE_SHA,
      CI_ORCHESTRATOR_PULLS: `7:${PR_SHA} 9:${'c'.repeat(40)}`,
    });
    assert.ok(![...call!.form.values()].includes('callback-token-canary'), 'no callback token');
  });

  it('uses the configured project and ref instead', async () => {
    const receipt = await runner({ project: 'acme/ci', ref: 'stable' }).dispatch(doc, log);
    assert.equal(receipt.externalId, '100');
    assert.equal(calls[0]!.path, '/api/v4/projects/acme%2Fci/trigger/pipeline');
    assert.equal(calls[0]!.form.get('ref'), 'stable');
  });

  it('a refused trigger (bad token, unknown ref) is not retryable and says why', async () => {
    let err = await refused(runner({}, { triggerToken: 'wrong' }).dispatch(doc, log));
    assert.equal(err.retryable, false);
    assert.match(err.message, /HTTP 404/);

    triggerFailure = { status: 400, body: { message: { base: ['Reference not found'] } } };
    err = await refused(runner().dispatch(doc, log));
    assert.equal(err.retryable, false);
    assert.match(err.message, /on main \(HTTP 400\): .*Reference not found/);
  });

  it('a trigger answered with 5xx or 429 is retryable', async () => {
    for (const status of [500, 503, 429]) {
      triggerFailure = { status, body: { message: 'busy' } };
      const err = await refused(runner().dispatch(doc, log));
      assert.equal(err.retryable, true, String(status));
    }
  });

  it('polls the pipeline with the API token and maps its status', async () => {
    const r = runner();
    const { externalId } = await r.dispatch(doc, log);
    const table: Array<[string, string]> = [
      ['created', 'pending'],
      ['waiting_for_resource', 'pending'],
      ['preparing', 'pending'],
      ['pending', 'pending'],
      ['scheduled', 'pending'],
      ['manual', 'pending'],
      ['running', 'running'],
      ['success', 'success'],
      ['failed', 'failure'],
      ['canceling', 'aborted'],
      ['canceled', 'aborted'],
      ['skipped', 'error'],
    ];
    for (const [status, state] of table) {
      pipelines.get(Number(externalId))!.status = status;
      const report = await r.poll(doc, externalId!);
      assert.deepEqual(report, { state, url: `${base}/acme/platform/widgets/-/pipelines/100`, description: `pipeline ${status}` }, status);
    }
    assert.ok(calls.slice(1).every((c) => c.privateToken === API_TOKEN && c.method === 'GET'));
  });

  it('polling a pipeline GitLab does not know is not retryable', async () => {
    const err = await refused(runner().poll(doc, '999'));
    assert.equal(err.retryable, false);
    assert.match(err.message, /HTTP 404/);
  });

  it('abort cancels the pipeline; without an id it does nothing', async () => {
    const r = runner();
    const { externalId } = await r.dispatch(doc, log);
    pipelines.get(Number(externalId))!.status = 'running';
    await r.abort(doc, externalId, log);
    assert.equal(pipelines.get(Number(externalId))!.status, 'canceled');
    assert.deepEqual(calls.at(-1)!.path, '/api/v4/projects/acme%2Fplatform%2Fwidgets/pipelines/100/cancel');

    const before = calls.length;
    await r.abort(doc, undefined, log);
    assert.equal(calls.length, before);
  });

  it('an unreachable GitLab is retryable', async () => {
    const r = new GitLabPipelineRunner(
      { type: 'gitlab-pipeline', trigger_token_env: 'T', api_token_env: 'A', poll_interval: '30s', url: 'http://127.0.0.1:1' },
      { gitlabUrl: base, triggerToken: TRIGGER_TOKEN, apiToken: API_TOKEN },
    );
    assert.equal((await refused(r.dispatch(doc, log))).retryable, true);
    assert.equal((await refused(r.poll(doc, '100'))).retryable, true);
  });

  it('exposes the poll interval', () => {
    assert.equal(runner().pollIntervalMs, 30_000);
  });
});
