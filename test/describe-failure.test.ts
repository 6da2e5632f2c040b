// The one-line messages for routine failures, against real failures where the machine can make them.

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { describeFailure } from '../src/describe-failure.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('describeFailure', () => {
  it('names the address a fetch could not reach', async () => {
    const port = await closedPort();
    const err = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.match(describeFailure(err) ?? '', new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\)`));
  });

  it('names the forge, the status and the request for a forge refusal', () => {
    const github = Object.assign(new Error('Not Found - https://docs.github.com/rest'), {
      status: 404,
      request: { method: 'GET', url: 'https://api.github.com/repos/acme/widgets/pulls/7' },
    });
    assert.equal(
      describeFailure(github),
      'GitHub answered 404 to GET https://api.github.com/repos/acme/widgets/pulls/7: Not Found - https://docs.github.com/rest',
    );
    const gitlab = new Error('404 Not found', {
      cause: { request: { method: 'GET', url: 'https://gitlab.example/api/v4/projects/1/merge_requests/7' }, response: { status: 404 } },
    });
    gitlab.name = 'GitbeakerRequestError';
    assert.equal(
      describeFailure(gitlab),
      'GitLab answered 404 to GET https://gitlab.example/api/v4/projects/1/merge_requests/7: 404 Not found',
    );
  });

  it('leaves a bug to its stack trace', () => {
    assert.equal(describeFailure(new TypeError('x is not a function')), undefined);
    assert.equal(describeFailure('a string'), undefined);
  });
});
