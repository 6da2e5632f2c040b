// One suite for both task queues (BullMQ on the real Redis, memory), plus what only BullMQ does:
// a task whose worker dies is picked up by another worker.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { BullMqTaskQueue } from '../src/queue/bullmq-task-queue.js';
import { MemoryTaskQueue } from '../src/queue/memory-task-queue.js';
import { PostponeTask, type Task, type TaskQueue } from '../src/queue/task-queue.js';
import { REDIS_URL, testPrefix, until } from './helpers/redis.js';

const log = pino({ level: 'silent' });
const BACKOFF_MS = 20;

type Failed = Array<[Task, unknown]>;

function bullmq(failed: Failed, prefix = testPrefix(), lockDurationMs?: number): BullMqTaskQueue {
  return new BullMqTaskQueue({
    redisUrl: REDIS_URL,
    prefix,
    queueName: 'tasks',
    log,
    backoffMs: BACKOFF_MS,
    lockDurationMs,
    onFailed: (task, err) => failed.push([task, err]),
  });
}

const kinds: Array<[string, (failed: Failed) => Promise<TaskQueue>]> = [
  ['memory', async (failed) => new MemoryTaskQueue({ backoffMs: BACKOFF_MS, onFailed: (task, err) => failed.push([task, err]) })],
  [
    'bullmq',
    async (failed) => {
      const queue = bullmq(failed);
      await queue.ready();
      return queue;
    },
  ],
];

const task = (runId = `r${randomUUID().replaceAll('-', '').slice(0, 24)}`): Task => ({ name: 'dispatch', runId });

for (const [name, create] of kinds) {
  describe(`TaskQueue: ${name}`, () => {
    it('runs a task once while its id is queued', async () => {
      const queue = await create([]);
      const seen: string[] = [];
      const t = task();
      await queue.add(t, { id: 'same' });
      await queue.add(t, { id: 'same' });
      queue.work(
        async (x) => {
          seen.push(x.runId);
        },
        { concurrency: 4 },
      );
      await until(() => seen.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(seen, [t.runId]);
      await queue.close();
    });

    it('retries a failing task with backoff until it succeeds', async () => {
      const failed: Failed = [];
      const queue = await create(failed);
      const attempts: number[] = [];
      queue.work(
        async (_t, attempt) => {
          attempts.push(attempt.attempt);
          if (attempt.attempt < 3) throw new Error('runner down');
        },
        { concurrency: 1 },
      );
      await queue.add(task(), { id: 'retry', attempts: 5 });
      await until(() => attempts.length === 3);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.deepEqual(failed, []);
      await queue.close();
    });

    it('reports a task that failed its last try', async () => {
      const failed: Failed = [];
      const queue = await create(failed);
      queue.work(
        async () => {
          throw new Error('always');
        },
        { concurrency: 1 },
      );
      const t = task();
      await queue.add(t, { id: 'doomed', attempts: 2 });
      await until(() => failed.length === 1);
      assert.equal(failed[0]![0].runId, t.runId);
      assert.match(String(failed[0]![1]), /always/);
      await queue.close();
    });

    it('runs a postponed task again later without spending a try', async () => {
      const queue = await create([]);
      const attempts: number[] = [];
      queue.work(
        async (_t, attempt) => {
          attempts.push(attempt.attempt);
          if (attempts.length < 3) throw new PostponeTask(20);
        },
        { concurrency: 1 },
      );
      await queue.add(task(), { id: 'postponed', attempts: 1 });
      await until(() => attempts.length === 3);
      assert.deepEqual(attempts, [1, 1, 1]);
      await queue.close();
    });

    it('holds a delayed task back until its time, then runs it', async () => {
      const queue = await create([]);
      const ran: string[] = [];
      queue.work(
        async (t) => {
          ran.push(t.runId);
        },
        { concurrency: 1 },
      );
      // A delay no test run reaches: the task queued after it runs, it does not.
      const [held, now, soon] = [task(), task(), task()];
      await queue.add(held, { id: 'held', delayMs: 3_600_000 });
      await queue.add(now, { id: 'now' });
      await until(() => ran.length === 1);
      assert.deepEqual(ran, [now.runId]);
      // A short delay: it runs without anything else happening.
      await queue.add(soon, { id: 'soon', delayMs: 50 });
      await until(() => ran.length === 2);
      assert.deepEqual(ran, [now.runId, soon.runId]);
      await queue.close();
    });
  });
}

describe('TaskQueue: bullmq, a worker dies mid-task', () => {
  it("hands the task to another worker once the dead one's lock expires", async () => {
    const prefix = testPrefix();
    const first = bullmq([], prefix, 500);
    await first.ready();
    let startedOnFirst = false;
    first.work(
      async () => {
        startedOnFirst = true;
        await new Promise(() => {}); // hangs, like a process about to be killed
      },
      { concurrency: 1 },
    );
    await first.add(task(), { id: 'orphan' });
    await until(() => startedOnFirst);
    await first.crash();

    const second = bullmq([], prefix, 500);
    await second.ready();
    let finishedOnSecond = false;
    second.work(
      async () => {
        finishedOnSecond = true;
      },
      { concurrency: 1 },
    );
    await until(() => finishedOnSecond, 'the second worker to take the task');
    await second.close();
    await first.close().catch(() => {});
  });
});
