// Without Redis, `serve` and `worker` stop at once with one line that says where they looked,
// instead of retrying forever: ioredis reconnects without end, so ready() has to give up itself.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { BullMqQueue, RedisUnavailableError, redisUrlForLog } from '../src/queue/bullmq-queue.js';

const log = pino({ level: 'silent' });
const BIN = new URL('../bin/ci-orchestrator.js', import.meta.url).pathname;

/** A port nothing listens on: one the system gave out, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Runs the installed command in an empty directory (no config.yaml, no .env); answers its exit code
 * and output. The test's signal kills it if the test is cancelled (a hang times out).
 */
function runCli(
  args: string[],
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    signal,
    cwd: mkdtempSync(`${tmpdir()}/ci-orchestrator-no-redis-`),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('no Redis at start', () => {
  let port: number;
  /** Takes connections and never answers, like a Redis behind a dropped route or a stuck one. */
  let silent: Server;
  const sockets: Socket[] = [];
  let silentUrl = '';

  before(async () => {
    port = await closedPort();
    silent = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `redis://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  for (const command of ['serve', 'worker']) {
    it(`${command} exits 1 with one line naming the URL (without its password) when Redis refuses`, async (t) => {
      const { code, stdout, stderr } = await runCli([command], { REDIS_URL: `redis://bot:hunter2@127.0.0.1:${port}` }, t.signal);
      assert.equal(code, 1);
      const output = `${stdout}${stderr}`;
      const lines = output.split('\n').filter((line) => /redis/i.test(line));
      assert.equal(lines.length, 1, `one line about Redis, not one per reconnect:\n${output}`);
      const entry = JSON.parse(lines[0]!) as { level: number; msg: string };
      assert.equal(entry.level, 50, 'an error');
      assert.equal(entry.msg, `cannot reach Redis at redis://127.0.0.1:${port} (REDIS_URL): connect ECONNREFUSED 127.0.0.1:${port}`);
      assert.doesNotMatch(output, /hunter2/);
      assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
    });
  }

  it('ready() rejects when Redis refuses', async () => {
    const queue = new BullMqQueue({ redisUrl: `redis://127.0.0.1:${port}`, log });
    await assert.rejects(queue.ready(), (err: unknown) => {
      assert.ok(err instanceof RedisUnavailableError);
      assert.match(err.message, new RegExp(`^cannot reach Redis at redis://127.0.0.1:${port} \\(REDIS_URL\\): connect ECONNREFUSED`));
      return true;
    });
    await queue.close();
  });

  it('ready() gives up on a Redis that takes the connection but never answers', async () => {
    // The server never answers, so the deadline is the only way out: its length races nothing.
    const queue = new BullMqQueue({ redisUrl: silentUrl, log, readyTimeoutMs: 100 });
    await assert.rejects(queue.ready(), (err: unknown) => {
      assert.ok(err instanceof RedisUnavailableError);
      assert.equal(err.message, `Redis at ${silentUrl} (REDIS_URL) did not answer within 0.1 s`);
      return true;
    });
    await queue.close();
  });

  it('names a URL without its credentials', () => {
    assert.equal(redisUrlForLog('redis://bot:hunter2@redis.internal:6380/2'), 'redis://redis.internal:6380/2');
    assert.equal(redisUrlForLog('rediss://:hunter2@redis.internal'), 'rediss://redis.internal');
    assert.equal(redisUrlForLog('not a url'), 'REDIS_URL (not a URL)');
  });
});
