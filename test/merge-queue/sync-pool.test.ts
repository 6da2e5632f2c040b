// One pool's sync end to end in-process: the forge (memory fake over ForgeState), OWNERS-derived
// approval, the engine, batch tests through CiJobs (recording fake: a test moves its runs), merges
// at the expected head, and the `merge-queue` statuses.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { presubmitSchema } from '../../src/config/jobs-schema.js';
import type { RepoMergeQueueConfig } from '../../src/config/merge-queue-schema.js';
import { repoMergeQueueSchema } from '../../src/config/merge-queue-schema.js';
import { type RepoConfig, repoEntrySchema } from '../../src/config/schema.js';
import type { RepoRef } from '../../src/forge/types.js';
import type { BatchStart } from '../../src/jobs/ci-jobs.js';
import { MemoryPoolStore } from '../../src/merge-queue/memory-pool-store.js';
import type { PoolStore } from '../../src/merge-queue/pool-store.js';
import { RedisPoolStore } from '../../src/merge-queue/redis-pool-store.js';
import { poolKey, syncPool } from '../../src/merge-queue/sync-pool.js';
import { OwnersResolver } from '../../src/owners/owners-resolver.js';
import { ForgeState } from '../fakes/forge-state.js';
import { MemoryForge } from '../fakes/memory-forge.js';
import { RecordingCi } from '../fakes/recording-ci.js';
import { REDIS_URL, testPrefix } from '../helpers/redis.js';

const FULL = 'acme/widgets';
const REPO: RepoRef = { forge: 'github', owner: 'acme', name: 'widgets' };
const BASE = 'e'.repeat(40);
const head = (n: number) => n.toString(16).padStart(40, 'a');

function rig(options: { mergeQueue?: Partial<RepoMergeQueueConfig> } = {}) {
  const state = new ForgeState();
  state.setBranch(FULL, 'main', BASE);
  state.setFile(FULL, BASE, 'OWNERS', 'approvers:\n- carol\n');
  const entry = repoEntrySchema.parse({ plugins: [], presubmits: [{ name: 'unit', runner: 'hook', always_run: true }] });
  const config: RepoConfig & { mergeQueue: RepoMergeQueueConfig } = {
    plugins: [],
    replyToUnknownCommands: false,
    approve: entry.approve,
    lgtm: entry.lgtm,
    owners: entry.owners,
    trigger: entry.trigger,
    presubmits: [presubmitSchema.parse({ name: 'unit', runner: 'hook', always_run: true })],
    postsubmits: [],
    mergeQueue: repoMergeQueueSchema.parse(options.mergeQueue ?? {}),
  };
  const forge = new MemoryForge(state);
  const ci = new RecordingCi();
  const store = new MemoryPoolStore();
  const owners = new OwnersResolver();
  let clock = 1_000_000;
  const syncWith = (poolStore: PoolStore) =>
    syncPool({
      forge,
      owners,
      ci,
      store: poolStore,
      repo: REPO,
      branch: 'main',
      config,
      log: pino({ level: 'silent' }),
      now: () => (clock += 1000),
    });
  const sync = () => syncWith(store);
  /** An approved, lgtm'd change whose own `unit` run passed against `base`. */
  const ready = (n: number, base = BASE, state_: 'success' | 'failure' = 'success') => {
    state.addChange(FULL, { number: n, headSha: head(n), author: 'alice', labels: ['lgtm', 'approved'], files: ['a.txt'] });
    state.addComment(FULL, n, 'carol', '/approve');
    state.setStatus(FULL, head(n), { context: 'unit', state: state_, description: `Job done. BaseSHA:${base}` });
  };
  const queueStatus = (n: number) =>
    state
      .statuses(FULL, head(n))
      .filter((s) => s.context === 'merge-queue')
      .at(-1);
  const batches = () => ci.started.filter((r): r is BatchStart => r.type === 'batch');
  /** Ends the runs of the last batch started, as its runner would. */
  const finishLast = (result: 'success' | 'failure') => {
    const last = [...ci.runs.values()].at(-1)!;
    ci.setState(last.id, result);
  };
  return { state, forge, ci, store, sync, syncWith, ready, queueStatus, batches, finishLast };
}

describe('syncPool', () => {
  it('merges a change whose results are fresh and green, at its head sha, and says so', async () => {
    const r = rig();
    r.ready(1);
    assert.equal(await r.sync(), 'merged');
    assert.equal(r.state.change(FULL, 1).state, 'merged');
    assert.deepEqual(r.state.change(FULL, 1).mergedWith?.method, 'merge');
    assert.equal(r.queueStatus(1)?.description, 'Merging.');
    assert.equal(r.batches().length, 0, 'no test needed');
    const record = await r.store.load(poolKey(REPO, 'main'));
    assert.equal(record?.history[0]?.action, 'merge');
  });

  it('tests stale changes together as a batch, then merges the batch when it passes', async () => {
    const r = rig();
    const old = 'f'.repeat(40);
    r.ready(1, old);
    r.ready(2, old);
    await r.sync();
    assert.equal(r.batches().length, 1);
    assert.deepEqual(
      r.batches()[0]!.pulls.map((p) => p.number),
      [1, 2],
    );
    assert.equal(r.batches()[0]!.baseSha, BASE);
    assert.match(r.queueStatus(1)?.description ?? '', /Batch testing #1 #2/);
    const view = (await r.store.load(poolKey(REPO, 'main')))?.view;
    assert.deepEqual(
      view?.tests.map((t) => [t.pulls, t.kind, t.state]),
      [[[1, 2], 'line', 'pending']],
      'the dashboard says what the test is for',
    );
    await r.sync();
    assert.equal(r.state.change(FULL, 1).state, 'open', 'nothing merges while the test runs');
    r.finishLast('success');
    await r.sync();
    assert.equal(r.state.change(FULL, 1).state, 'merged');
    assert.equal(r.state.change(FULL, 2).state, 'merged');
  });

  it('does not merge a change whose head moved after its test: the test is void', async () => {
    const r = rig();
    const old = 'f'.repeat(40);
    r.ready(1, old);
    await r.sync();
    assert.equal(r.batches().length, 1);
    r.state.change(FULL, 1).headSha = 'b'.repeat(40); // a push after approval
    r.finishLast('success');
    await r.sync();
    assert.equal(r.state.change(FULL, 1).state, 'open');
  });

  it('a head that moves between the read and the merge is refused by the forge, not merged', async () => {
    const r = rig();
    r.ready(1);
    const merge = r.forge.merge.bind(r.forge);
    r.forge.merge = async (ref, opts) => {
      r.state.change(FULL, ref.number).headSha = 'b'.repeat(40); // a push lands just before the call
      return merge(ref, opts);
    };
    await r.sync();
    assert.equal(r.state.change(FULL, 1).state, 'open');
    const record = await r.store.load(poolKey(REPO, 'main'));
    assert.equal(record?.history[0]?.action, 'refused');
    assert.match(record?.history[0]?.detail ?? '', /head_moved/);
  });

  it('a merge refused for a conflict: needs-rebase and a comment, once; a push lifts the label', async () => {
    const r = rig();
    r.ready(1);
    r.forge.merge = async () => ({ merged: false, reason: 'conflict', message: 'Merge conflict' });
    await r.sync();
    assert.ok(r.state.change(FULL, 1).labels.includes('needs-rebase'));
    const comments = () => r.state.comments(FULL, 1).filter((c) => c.body.includes('could not merge'));
    assert.equal(comments().length, 1);
    await r.sync();
    assert.equal(comments().length, 1, 'the label keeps it out: no second try, no second comment');
    assert.equal(r.queueStatus(1)?.description, 'Not mergeable. Should not have needs-rebase label.');
    r.state.change(FULL, 1).headSha = 'c'.repeat(40); // the author rebases
    await r.sync();
    assert.ok(!r.state.change(FULL, 1).labels.includes('needs-rebase'));
  });

  it('a sync that fails leaves the record as it was and says why on the dashboard', async () => {
    const r = rig();
    r.ready(1, 'f'.repeat(40));
    await r.sync();
    const before = await r.store.load(poolKey(REPO, 'main'));
    r.forge.listStatuses = async () => {
      throw new Error('GitHub is down');
    };
    await assert.rejects(r.sync(), /GitHub is down/);
    const after = await r.store.load(poolKey(REPO, 'main'));
    assert.equal(after?.view?.error, 'GitHub is down');
    assert.deepEqual(after?.memory, before?.memory);
  });

  it('keeps out a change whose approved label nobody earned', async () => {
    const r = rig();
    r.state.addChange(FULL, { number: 3, headSha: head(3), labels: ['lgtm', 'approved'], files: ['a.txt'] });
    r.state.setStatus(FULL, head(3), { context: 'unit', state: 'success', description: `ok BaseSHA:${BASE}` });
    await r.sync();
    assert.equal(r.state.change(FULL, 3).state, 'open');
    assert.match(r.queueStatus(3)?.description ?? '', /Approval is not earned/);
  });

  it('re-derives approval only when the change, its discussion or the base moved', async () => {
    const r = rig();
    let reads = 0;
    const listComments = r.forge.listComments.bind(r.forge);
    r.forge.listComments = (ref) => {
      reads++;
      return listComments(ref);
    };
    r.state.addChange(FULL, { number: 3, headSha: head(3), labels: ['lgtm', 'approved'], files: ['a.txt'] });
    r.state.setStatus(FULL, head(3), { context: 'unit', state: 'success', description: `ok BaseSHA:${'f'.repeat(40)}` });
    await r.sync();
    assert.match(r.queueStatus(3)?.description ?? '', /Approval is not earned/);
    assert.equal(reads, 1);
    await r.sync();
    assert.equal(reads, 1, 'nothing moved: the verdict is remembered');
    r.state.addComment(FULL, 3, 'carol', '/approve');
    await r.sync();
    assert.equal(reads, 2, 'a new comment moves updated_at');
    assert.doesNotMatch(r.queueStatus(3)?.description ?? '', /Approval is not earned/);
  });

  it('tells a change missing a label what it needs, and writes an unchanged status once', async () => {
    const r = rig();
    r.state.addChange(FULL, { number: 4, headSha: head(4), labels: ['approved'], files: ['a.txt'] });
    await r.sync();
    await r.sync();
    const written = r.state.statuses(FULL, head(4)).filter((s) => s.context === 'merge-queue');
    assert.equal(written.length, 1);
    assert.equal(written[0]!.description, 'Not mergeable. Needs lgtm label.');
  });

  it('frozen by label: tests, never merges', async () => {
    const r = rig();
    r.ready(1);
    r.state.addChange(FULL, { number: 9, headSha: head(9), labels: ['merge-queue/freeze'] });
    await r.sync();
    assert.equal(r.state.change(FULL, 1).state, 'open');
    assert.match(r.queueStatus(1)?.description ?? '', /frozen/i);
  });

  it('another process holding the pool: this sync does nothing', async () => {
    const r = rig();
    r.ready(1);
    const lock = await r.store.lock(poolKey(REPO, 'main'), 10_000);
    assert.equal(await r.sync(), 'busy');
    assert.equal(r.state.change(FULL, 1).state, 'open');
    await lock!.release();
    await r.sync();
    assert.equal(r.state.change(FULL, 1).state, 'merged');
  });
});

describe('syncPool: jobs shown as GitHub check runs (reporting.github: checks)', () => {
  /** An approved change whose `unit` result is a check run (title and conclusion as the bot writes them). */
  const readyChecked = (r: ReturnType<typeof rig>, n: number, base: string, conclusion: 'success' | 'failure') => {
    r.state.addChange(FULL, { number: n, headSha: head(n), author: 'alice', labels: ['lgtm', 'approved'], files: ['a.txt'] });
    r.state.addComment(FULL, n, 'carol', '/approve');
    r.state.createCheckRun(FULL, head(n), {
      name: 'unit',
      externalId: `run-${n}`,
      conclusion,
      output: { title: `Job done. BaseSHA:${base}`, summary: '' },
    });
  };

  it('a check run counts for its context as a status did: fresh and green merges, stale is tested first', async () => {
    const fresh = rig();
    readyChecked(fresh, 1, BASE, 'success');
    assert.equal(await fresh.sync(), 'merged');
    assert.equal(fresh.state.change(FULL, 1).state, 'merged');
    assert.equal(fresh.batches().length, 0, 'no test needed');

    const stale = rig();
    readyChecked(stale, 2, 'f'.repeat(40), 'success');
    await stale.sync();
    assert.equal(stale.state.change(FULL, 2).state, 'open');
    assert.deepEqual(
      stale.batches().map((b) => b.pulls.map((p) => p.number)),
      [[2]],
      'tested on the current base first',
    );
  });

  it('a context carried by both a status and a check run counts once, the newer deciding', async () => {
    const r = rig();
    // #1: a failed status from before the switch, then a passing check run: mergeable.
    r.state.addChange(FULL, { number: 1, headSha: head(1), author: 'alice', labels: ['lgtm', 'approved'], files: ['a.txt'] });
    r.state.addComment(FULL, 1, 'carol', '/approve');
    r.state.setStatus(FULL, head(1), { context: 'unit', state: 'failure', description: `Job failed. BaseSHA:${BASE}` });
    r.state.createCheckRun(FULL, head(1), {
      name: 'unit',
      externalId: 'run-1',
      conclusion: 'success',
      output: { title: `Job done. BaseSHA:${BASE}`, summary: '' },
    });
    // #2: a passing check run, then a failed status: failing.
    readyChecked(r, 2, BASE, 'success');
    r.state.setStatus(FULL, head(2), { context: 'unit', state: 'failure', description: `Job failed. BaseSHA:${BASE}` });
    assert.deepEqual(
      (await r.forge.listStatuses(REPO, head(1))).map((c) => [c.context, c.state]),
      [['unit', 'success']],
    );
    assert.equal(await r.sync(), 'merged');
    assert.equal(r.state.change(FULL, 1).state, 'merged');
    await r.sync();
    assert.equal(r.state.change(FULL, 2).state, 'open');
    assert.match(r.queueStatus(2)?.description ?? '', /unit/);
  });
});

describe('syncPool: two processes on one Redis', () => {
  // Each test its own prefix (test/helpers/redis.ts deletes their keys after the file).

  it('never merge the same change twice: one holds the pool, the other finds it busy', async () => {
    const r = rig();
    r.ready(1);
    r.ready(2);
    let merges = 0;
    const merge = r.forge.merge.bind(r.forge);
    r.forge.merge = async (ref, opts) => {
      merges += 1;
      await new Promise((resolve) => setTimeout(resolve, 50)); // a slow forge widens the race
      return merge(ref, opts);
    };
    const prefix = testPrefix();
    const [a, b] = [new RedisPoolStore(REDIS_URL, prefix), new RedisPoolStore(REDIS_URL, prefix)];
    try {
      const results = await Promise.all([r.syncWith(a), r.syncWith(b)]);
      assert.deepEqual(results.sort(), ['busy', 'merged']);
      assert.equal(merges, 1, 'one merge action, by the holder');
      // the holder merged #1 (green); the next sync, by either, tests #2 on the new base
      await r.syncWith(b);
      assert.equal(merges, 1);
      assert.equal(r.state.change(FULL, 2).state, 'open');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a process that dies after merging, before saving: the next sync, anywhere, makes no wrong merge', async () => {
    const r = rig({ mergeQueue: { batch_size: 1 } });
    const old = 'f'.repeat(40);
    for (const n of [1, 2, 3]) r.ready(n, old);
    const store = new RedisPoolStore(REDIS_URL, testPrefix());
    try {
      await r.syncWith(store);
      // #1 alone, #2 on top of #1, #3 on top of both
      assert.deepEqual(
        r.batches().map((b) => b.pulls.map((p) => p.number)),
        [[1], [1, 2], [1, 2, 3]],
      );
      const [first, second, third] = [...r.ci.runs.keys()];
      r.ci.setState(first!, 'success');
      // #1 merges, then the process dies before it can save what it did
      const dying: PoolStore = {
        lock: (pool, ttl) => store.lock(pool, ttl),
        load: (pool) => store.load(pool),
        pools: () => store.pools(),
        close: async () => {},
        save: async () => {
          throw new Error('process killed');
        },
      };
      await assert.rejects(r.syncWith(dying), /process killed/);
      assert.equal(r.state.change(FULL, 1).state, 'merged');
      // #2's test on top of #1 passes, but the restarted process cannot know that #1 merged alone
      // onto that base (its record says nothing of it): the branch moved unexpectedly, every old
      // test is void, and #2 is tested again on the branch as it is
      r.ci.setState(second!, 'success');
      await r.syncWith(store);
      assert.equal(r.state.change(FULL, 2).state, 'open', 'not merged on a test the record cannot vouch for');
      const branch = r.state.repo(FULL).branches.get('main');
      assert.ok(
        r.batches().some((b) => b.baseSha === branch && b.pulls.map((p) => p.number).join() === '2'),
        'a new test of #2 alone on the branch',
      );
      assert.ok(
        r.ci.abortedRuns.some((a) => a.ids.includes(third!)),
        'the void test still running is cancelled',
      );
    } finally {
      await store.close();
    }
  });
});
