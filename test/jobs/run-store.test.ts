// One suite for both run stores (Redis, memory), so they behave alike behind RunStore.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RepoRef } from '../../src/forge/types.js';
import { MemoryRunStore } from '../../src/jobs/memory-run-store.js';
import { RedisRunStore } from '../../src/jobs/redis-run-store.js';
import { activeKey, newRunId, type RunRecord, slotKey } from '../../src/jobs/run-record.js';
import type { RunStore } from '../../src/jobs/run-store.js';
import { redisClient, testPrefix } from '../helpers/redis.js';

const repo: RepoRef = { forge: 'github', owner: 'acme', name: 'widgets' };
const SHA = 'a'.repeat(40);

function run(overrides: Partial<RunRecord> = {}): RunRecord {
  const id = newRunId();
  return {
    id,
    job: 'unit',
    context: 'ci/unit',
    type: 'presubmit',
    runner: 'local',
    repo,
    change: 7,
    sha: SHA,
    refs: {
      forge: 'github',
      repo: 'acme/widgets',
      clone_url: 'https://forge.test/acme/widgets.git',
      base_ref: 'main',
      base_sha: 'b'.repeat(40),
      pulls: [{ number: 7, sha: SHA, author: 'alice' }],
    },
    params: {},
    timeoutSeconds: 600,
    maxConcurrency: 0,
    activeKey: activeKey(repo, { change: 7 }, SHA, 'unit'),
    reason: 'test',
    state: 'queued',
    description: 'Job triggered.',
    attempts: 0,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

const stores: Array<[string, () => RunStore]> = [
  ['memory', () => new MemoryRunStore()],
  ['redis', () => new RedisRunStore(redisClient(), testPrefix())],
];

for (const [name, create] of stores) {
  describe(`RunStore: ${name}`, () => {
    it('creates one unfinished run per active key, and another once it finished', async () => {
      const store = create();
      const first = run();
      assert.deepEqual(await store.create(first), { created: true });
      assert.deepEqual(await store.create(run()), { created: false, existing: first.id });
      await store.finish(first);
      assert.deepEqual(await store.create(run()), { created: true });
    });

    it('reads back what it stored', async () => {
      const store = create();
      const r = run();
      await store.create(r);
      assert.deepEqual(await store.get(r.id), r);
      assert.equal(await store.get(newRunId()), undefined);
    });

    it('reads many runs at once, in the order asked', async () => {
      const store = create();
      const [a, b] = [run(), run({ job: 'lint', activeKey: activeKey(repo, { change: 7 }, SHA, 'lint') })];
      await store.create(a);
      await store.create(b);
      await store.update(b.id, (x) => ({ ...x, state: 'running' }));
      const missing = newRunId();
      const many = await store.getMany([b.id, missing, a.id, b.id]);
      assert.deepEqual(
        many.map((r) => r && [r.id, r.state]),
        [[b.id, 'running'], undefined, [a.id, 'queued'], [b.id, 'running']],
      );
      assert.deepEqual(many[2], a);
      assert.deepEqual(await store.getMany([]), []);
    });

    it('keeps one unfinished batch run per (test, job), whatever its sha', async () => {
      const store = create();
      const key = (test: string, job = 'unit') => activeKey(repo, { test }, 'b'.repeat(40), job);
      assert.equal(key('acme/widgets:main:3'), 'github/acme/widgets/batch/acme/widgets:main:3/unit');
      assert.equal(activeKey(repo, { test: 't' }, SHA, 'unit'), key('t'), 'the test names its commits');
      const first = run({ type: 'batch', change: undefined, testId: 't', activeKey: key('t') });
      assert.deepEqual(await store.create(first), { created: true });
      assert.deepEqual(await store.create(run({ type: 'batch', change: undefined, testId: 't', activeKey: key('t') })), {
        created: false,
        existing: first.id,
      });
      assert.deepEqual(await store.create(run({ type: 'batch', change: undefined, testId: 't', activeKey: key('t', 'lint') })), {
        created: true,
      });
      assert.deepEqual(await store.create(run({ type: 'batch', change: undefined, testId: 'u', activeKey: key('u') })), { created: true });
      assert.deepEqual(await store.unfinishedForChange(repo, 7), [], "a batch is no change's run");
      await store.finish(first);
      assert.deepEqual(await store.create(run({ type: 'batch', change: undefined, testId: 't', activeKey: key('t') })), { created: true });
    });

    it('updates atomically, bumping the version; a declined mutation changes nothing', async () => {
      const store = create();
      const r = run();
      await store.create(r);
      const updated = await store.update(r.id, (x) => ({ ...x, state: 'pending' }));
      assert.equal(updated?.changed, true);
      assert.equal(updated?.after.version, 2);
      assert.equal((await store.get(r.id))?.state, 'pending');
      const declined = await store.update(r.id, () => undefined);
      assert.equal(declined?.changed, false);
      assert.equal((await store.get(r.id))?.version, 2);
      assert.equal(await store.update(newRunId(), (x) => x), undefined);
    });

    it('loses no update when many race on one run', async () => {
      const store = create();
      const r = run();
      await store.create(r);
      await Promise.all(Array.from({ length: 20 }, () => store.update(r.id, (x) => ({ ...x, attempts: x.attempts + 1 }))));
      assert.equal((await store.get(r.id))?.attempts, 20);
    });

    it('indexes unfinished runs by change until they finish', async () => {
      const store = create();
      const a = run();
      const b = run({ job: 'lint', activeKey: activeKey(repo, { change: 7 }, SHA, 'lint') });
      await store.create(a);
      await store.create(b);
      assert.deepEqual((await store.unfinishedForChange(repo, 7)).sort(), [a.id, b.id].sort());
      await store.finish(a);
      assert.deepEqual(await store.unfinishedForChange(repo, 7), [b.id]);
      assert.deepEqual(await store.unfinishedForChange(repo, 8), []);
    });

    it('hands out at most max slots; finishing a run frees its slot', async () => {
      const store = create();
      const [a, b, c] = [run(), run(), run()];
      const key = slotKey(a);
      assert.equal(await store.acquireSlot(key, 2, a.id, 60_000), true);
      assert.equal(await store.acquireSlot(key, 2, b.id, 60_000), true);
      assert.equal(await store.acquireSlot(key, 2, c.id, 60_000), false);
      assert.equal(await store.acquireSlot(key, 2, a.id, 60_000), true, 'a holder asking again keeps its slot');
      await store.finish(a);
      assert.equal(await store.acquireSlot(key, 2, c.id, 60_000), true);
    });

    it('lets an expired slot go', async () => {
      const store = create();
      const [a, b] = [run(), run()];
      assert.equal(await store.acquireSlot('k', 1, a.id, 20), true);
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.equal(await store.acquireSlot('k', 1, b.id, 60_000), true);
    });

    it('maps external ids to runs', async () => {
      const store = create();
      await store.linkExternal('gitlab-pipeline', '42', 'r1');
      assert.equal(await store.findExternal('gitlab-pipeline', '42'), 'r1');
      assert.equal(await store.findExternal('github-actions', '42'), undefined);
    });

    it('keeps the tail of a long log', async () => {
      const store = create();
      await store.appendLog('r1', 'hello ');
      await store.appendLog('r1', 'world\n');
      assert.equal(await store.readLog('r1'), 'hello world\n');
      await store.appendLog('r2', 'x'.repeat(1024 * 1024));
      await store.appendLog('r2', 'END');
      const log = (await store.readLog('r2'))!;
      assert.equal(log.length, 1024 * 1024);
      assert.ok(log.endsWith('xEND'));
      assert.equal(await store.readLog('r3'), undefined);
    });
  });
}
