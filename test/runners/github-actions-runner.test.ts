// GitHubActionsRunner against a local fake of GitHub's workflow_dispatch, run-cancel and repo
// installation endpoints, through a real (Probot) Octokit pointed at it with baseUrl.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import type { GitHubActionsRunnerConfig } from '../../src/config/jobs-schema.js';
import type { Octokit } from '../../src/forge/github/github-forge.js';
import { API_VERSION, type DispatchDocument } from '../../src/jobs/protocol.js';
import { GitHubActionsRunner, installationOctokits } from '../../src/runners/github-actions-runner.js';
import { RunnerError } from '../../src/runners/runner.js';

const log = pino({ level: 'silent' });

const doc: DispatchDocument = {
  apiVersion: API_VERSION,
  job: { id: 'run-42', name: 'unit', type: 'presubmit', context: 'ci/unit', params: { suite: 'fast' }, timeout_seconds: 600 },
  refs: {
    forge: 'github',
    repo: 'acme/widgets',
    clone_url: 'https://github.com/acme/widgets.git',
    base_ref: 'main',
    base_sha: 'a'.repeat(40),
    pulls: [{ number: 7, sha: 'b'.repeat(40), author: 'alice' }],
  },
  callback: { url: 'https://bot.test/api/v1/jobs/run-42/status', token: 'callback-token-canary' },
};

interface Call {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization?: string;
}
/** What the dispatch endpoint answers: GitHub today (200 + run details), older GitHub (204), or an error. */
type DispatchMode = 'details' | 'no-content' | { status: number; message: string };

let base = '';
let calls: Call[] = [];
let mode: DispatchMode = 'details';
const API = '/api/v3';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(API.length);
    const text = Buffer.concat(chunks).toString('utf8');
    calls.push({
      method: req.method ?? '',
      path,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const error = (status: number, message: string) =>
      send(status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path))) {
      return m[1] === 'acme' ? send(200, { id: 77, app_id: 1, account: { login: 'acme' } }) : error(404, 'Not Found');
    }
    if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/dispatches$/.test(path)) {
      if (mode === 'no-content') return send(204);
      if (mode === 'details') {
        return send(200, {
          workflow_run_id: 9001,
          run_url: `${base}${API}/repos/acme/widgets/actions/runs/9001`,
          html_url: 'https://github.com/acme/widgets/actions/runs/9001',
        });
      }
      return error(mode.status, mode.message);
    }
    if (req.method === 'POST' && (m = /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/cancel$/.exec(path))) {
      return m[1] === '9001' ? send(202, {}) : error(409, 'Cannot cancel a workflow run that is completed.');
    }
    error(404, 'Not Found');
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
  mode = 'details';
});

const TestOctokit = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });
const asked: string[] = [];
const octokitFor = async (owner: string, repo: string): Promise<Octokit> => {
  asked.push(`${owner}/${repo}`);
  return new TestOctokit({ auth: { token: 'installation-token' }, baseUrl: `${base}${API}` });
};

const runner = (config: Partial<GitHubActionsRunnerConfig> = {}) =>
  new GitHubActionsRunner({ type: 'github-actions', workflow: 'ci.yml', ...config }, { octokitFor });

async function refused(promise: Promise<unknown>): Promise<RunnerError> {
  const err = await promise.then(
    () => assert.fail('should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RunnerError, String(err));
  assert.ok(!err.message.includes('callback-token-canary'));
  return err;
}

describe('GitHubActionsRunner', () => {
  it('dispatches the workflow from the base branch with the run and the refs as inputs', async () => {
    const receipt = await runner().dispatch(doc, log);
    assert.deepEqual(receipt, { externalId: '9001', url: 'https://github.com/acme/widgets/actions/runs/9001' });
    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.equal(call!.path, '/repos/acme/widgets/actions/workflows/ci.yml/dispatches');
    assert.deepEqual(call!.body, {
      ref: 'main',
      inputs: { suite: 'fast', ci_orchestrator_run: 'run-42', ci_orchestrator_refs: JSON.stringify(doc.refs) },
      return_run_details: true,
    });
    assert.equal(call!.authorization, 'token installation-token');
    assert.ok(!JSON.stringify(call!.body).includes('callback-token-canary'), 'no callback token');
    assert.equal(asked.at(-1), 'acme/widgets');
  });

  it('uses the configured repository, workflow id and ref instead', async () => {
    await runner({ repo: 'acme/ci', workflow: 1234, ref: 'stable' }).dispatch(doc, log);
    assert.equal(calls[0]!.path, '/repos/acme/ci/actions/workflows/1234/dispatches');
    assert.equal(calls[0]!.body.ref, 'stable');
    assert.equal(asked.at(-1), 'acme/ci');
  });

  it('on a 204 (GitHub without return_run_details) the receipt names no run', async () => {
    mode = 'no-content';
    assert.deepEqual(await runner().dispatch(doc, log), {});
  });

  it("a 422 is not retryable and carries GitHub's message", async () => {
    mode = { status: 422, message: 'Unexpected inputs provided: ["ci_orchestrator_refs"]' };
    const err = await refused(runner().dispatch(doc, log));
    assert.equal(err.retryable, false);
    assert.match(err.message, /\(HTTP 422\): Unexpected inputs provided: \["ci_orchestrator_refs"\]/);
  });

  it('a missing workflow (404) is not retryable', async () => {
    mode = { status: 404, message: 'Not Found' };
    assert.equal((await refused(runner().dispatch(doc, log))).retryable, false);
  });

  it('5xx and an unreachable GitHub are retryable', async () => {
    mode = { status: 502, message: 'Server Error' };
    assert.equal((await refused(runner().dispatch(doc, log))).retryable, true);

    const unreachable = new GitHubActionsRunner(
      { type: 'github-actions', workflow: 'ci.yml' },
      {
        octokitFor: async () => new TestOctokit({ auth: { token: 't' }, baseUrl: 'http://127.0.0.1:1' }),
      },
    );
    assert.equal((await refused(unreachable.dispatch(doc, log))).retryable, true);
  });

  it('abort cancels the run; without an id it does nothing', async () => {
    await runner().abort(doc, '9001', log);
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.path}`),
      ['POST /repos/acme/widgets/actions/runs/9001/cancel'],
    );
    await runner().abort(doc, undefined, log);
    assert.equal(calls.length, 1);
  });

  it('abort of a finished run fails as a RunnerError (the caller logs it and carries on)', async () => {
    const err = await refused(runner().abort(doc, '5', log));
    assert.equal(err.retryable, false);
    assert.match(err.message, /HTTP 409/);
  });
});

describe('installationOctokits', () => {
  // A token instead of App credentials: Probot then authenticates every Octokit with it, as the
  // conformance harness does; what is under test is finding the installation and caching it.
  const testProbot = () =>
    new Probot({
      githubToken: 'app-token',
      log: pino({ level: 'silent' }) as never,
      Octokit: ProbotOctokit.defaults({ baseUrl: `${base}${API}`, retry: { enabled: false }, throttle: { enabled: false } }),
    });

  it("asks GitHub for the repository's installation once, then reuses its Octokit", async () => {
    const octokitsFor = installationOctokits(testProbot());
    const first = await octokitsFor('acme', 'widgets');
    const again = await octokitsFor('ACME', 'Widgets');
    assert.equal(first, again);
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.path}`),
      ['GET /repos/acme/widgets/installation'],
    );

    const r = new GitHubActionsRunner({ type: 'github-actions', workflow: 'ci.yml' }, { octokitFor: octokitsFor });
    assert.equal((await r.dispatch(doc, log)).externalId, '9001');
  });

  it('forgets a failed lookup, so the next dispatch asks again', async () => {
    const octokitsFor = installationOctokits(testProbot());
    await assert.rejects(octokitsFor('stranger', 'repo'));
    await assert.rejects(octokitsFor('stranger', 'repo'));
    assert.equal(calls.filter((c) => c.path === '/repos/stranger/repo/installation').length, 2);
  });
});
