// WebhookRunner against a local HTTP server that plays the receiving end.

import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { API_VERSION, type DispatchDocument } from '../../src/jobs/protocol.js';
import { RunnerError } from '../../src/runners/runner.js';
import { WebhookRunner } from '../../src/runners/webhook-runner.js';

const SECRET = 'webhook-secret-canary';
const TOKEN = 'callback-token-canary';
const log = pino({ level: 'silent' });

const doc: DispatchDocument = {
  apiVersion: API_VERSION,
  job: { id: 'run-42', name: 'unit', type: 'presubmit', context: 'ci/unit', params: { SUITE: 'fast' }, timeout_seconds: 600 },
  refs: {
    forge: 'github',
    repo: 'acme/widgets',
    clone_url: 'https://github.com/acme/widgets.git',
    base_ref: 'main',
    base_sha: 'a'.repeat(40),
    pulls: [{ number: 7, sha: 'b'.repeat(40), author: 'alice' }],
  },
  callback: { url: 'https://bot.test/api/v1/jobs/run-42/status', token: TOKEN },
};

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
  url: string;
}
type Reply = (req: IncomingMessage, res: ServerResponse) => void;

let base = '';
let received: Received[] = [];
let reply: Reply;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks), url: req.url ?? '' });
    reply(req, res);
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
  received = [];
});

const runner = (path = '/hooks/ci?token=url-token-canary', timeoutMs?: number) =>
  new WebhookRunner(
    { type: 'webhook', url: `${base}${path}`, secret_env: 'CI_WEBHOOK_SECRET' },
    { secret: SECRET, ...(timeoutMs ? { timeoutMs } : {}) },
  );

const answer =
  (status: number, body = '', type = 'text/plain'): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

/** Dispatches expecting a RunnerError; answers it. */
async function refused(r: WebhookRunner): Promise<RunnerError> {
  const err = await r.dispatch(doc, log).then(
    () => assert.fail('dispatch should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RunnerError, String(err));
  for (const secret of [SECRET, TOKEN, 'url-token-canary'])
    assert.ok(!err.message.includes(secret), `message leaks ${secret}: ${err.message}`);
  return err;
}

describe('WebhookRunner', () => {
  it('POSTs the document, signed with the secret over the exact bytes sent', async () => {
    reply = answer(202, JSON.stringify({ url: 'https://jenkins.test/job/unit/9/' }), 'application/json');
    const receipt = await runner().dispatch(doc, log);
    assert.deepEqual(receipt, { url: 'https://jenkins.test/job/unit/9/' });

    assert.equal(received.length, 1);
    const [req] = received;
    assert.equal(req!.url, '/hooks/ci?token=url-token-canary');
    assert.equal(req!.headers['content-type'], 'application/json');
    assert.equal(req!.headers['user-agent'], 'ci-orchestrator');
    assert.equal(req!.headers['x-ci-orchestrator-run'], 'run-42');
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(req!.body).digest('hex')}`);
    const signature = Buffer.from(String(req!.headers['x-ci-orchestrator-signature-256']));
    assert.ok(signature.length === expected.length && timingSafeEqual(signature, expected), 'the signature verifies');
    assert.deepEqual(JSON.parse(req!.body.toString('utf8')), doc);
  });

  it('accepts any 2xx; a body without a usable url gives no url', async () => {
    for (const [status, body] of [
      [200, 'ok'],
      [204, ''],
      [201, '{"url":"javascript:alert(1)"}'],
      [200, '{"url":42}'],
    ] as const) {
      reply = answer(status, body, 'application/json');
      assert.deepEqual(await runner().dispatch(doc, log), {}, `${status} ${body}`);
    }
  });

  for (const status of [500, 502, 503, 408, 429]) {
    it(`HTTP ${status} is retryable`, async () => {
      reply = answer(status, 'try later');
      const err = await refused(runner());
      assert.equal(err.retryable, true);
      assert.match(err.message, new RegExp(`HTTP ${status}: try later`));
    });
  }

  it('another 4xx is not retryable and names the status and the start of the body', async () => {
    reply = answer(400, `unknown job ${'x'.repeat(500)}`);
    const err = await refused(runner());
    assert.equal(err.retryable, false);
    assert.match(err.message, /refused the job with HTTP 400: unknown job x+$/);
    assert.ok(err.message.length < 300, 'only the first 200 characters of the body');
  });

  it('cuts the secret and the callback token out of an echoed body', async () => {
    reply = (_req, res) => {
      res.writeHead(403);
      res.end(`${TOKEN} ${SECRET} denied`);
    };
    const err = await refused(runner());
    assert.equal(err.retryable, false);
    assert.match(err.message, /\[redacted\] \[redacted\] denied/);
  });

  it('does not follow a redirect, and does not retry it', async () => {
    reply = (_req, res) => {
      res.writeHead(307, { location: `${base}/elsewhere` });
      res.end();
    };
    const err = await refused(runner());
    assert.equal(err.retryable, false);
    assert.match(err.message, /redirect/);
    assert.deepEqual(
      received.map((r) => r.url),
      ['/hooks/ci?token=url-token-canary'],
    );
  });

  it('gives up on a slow server, retryably', async () => {
    reply = () => {}; // never answers (the server drops the connection at the end): only the runner's timeout ends this
    const err = await refused(runner('/slow', 200));
    assert.equal(err.retryable, true);
    assert.match(err.message, /did not answer within 0.2s/);
  });

  it('a refused connection is retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = new WebhookRunner({ type: 'webhook', url: `http://127.0.0.1:${port}/`, secret_env: 'S' }, { secret: SECRET });
    const err = await refused(r);
    assert.equal(err.retryable, true);
    assert.match(err.message, /could not be reached: .*ECONNREFUSED/);
  });

  it('reads at most 64 KiB of an answer', async () => {
    let sent = 0;
    reply = (_req, res) => {
      res.writeHead(500);
      // an endless body: the runner must stop reading, not wait for its end
      const write = () => {
        while (sent < 10 * 1024 * 1024 && res.write(Buffer.alloc(16 * 1024, 'y'))) sent += 16 * 1024;
        if (sent < 10 * 1024 * 1024) res.once('drain', write);
      };
      write();
    };
    const err = await refused(runner());
    assert.equal(err.retryable, true);
    assert.ok(sent < 10 * 1024 * 1024, 'the runner stopped reading early');
  });
});
