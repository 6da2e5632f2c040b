import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyMemory, type PoolMemory, planPool, type TestRef } from '../../src/merge-queue/index.js';
import { BASE, cancelled, change, kinds, merged, numbers, ok, running, settings, sha, snapshot, tests } from './fixtures.js';

const tide = settings({ policy: 'tide', batchSize: 5 });
const STALE = sha(0x99);
const stale = (n: number, over = {}) => change(n, { contexts: [ok('ci/unit', STALE)], ...over });
const green = (n: number, over = {}) => change(n, { contexts: [ok('ci/unit', BASE)], ...over });
const batchOf = (id: string, ...ns: number[]): TestRef => ({
  id,
  baseSha: BASE,
  pulls: ns.map((n) => ({ number: n, headSha: `head${n}` })),
  prefix: 0,
  contexts: ['ci/unit'],
  startedAt: 0,
});
const remembering = (...t: TestRef[]): PoolMemory => ({ ...emptyMemory(), tests: t, seq: 10 });

describe("tide policy: Prow's decision order, one action per sync", () => {
  it('1. a passing batch merges whole, before an individually green change', () => {
    const plan = planPool(
      snapshot([stale(1), stale(2), green(3)], { tests: { b: { state: 'success' } } }),
      remembering(batchOf('b', 1, 2)),
      tide,
    );
    assert.deepEqual(plan.actions, [
      {
        kind: 'merge',
        testId: 'b',
        pulls: [
          { number: 1, headSha: 'head1', method: 'merge' },
          { number: 2, headSha: 'head2', method: 'merge' },
        ],
      },
    ]);
    assert.deepEqual(plan.statuses.get(1), { state: 'success', description: 'Merging.' });
    assert.deepEqual(plan.statuses.get(3), { state: 'success', description: 'In merge pool.' });
  });

  it('2. an individually green change merges when no batch is pending: priority first, then lowest number', () => {
    const s = settings({ policy: 'tide', priority: [['kind/urgent']] });
    const plan = planPool(
      snapshot([green(4), green(2), green(9, { labels: ['lgtm', 'approved', 'kind/urgent'] }), stale(1)]),
      emptyMemory(),
      s,
    );
    assert.deepEqual(merged(plan), [9]);
    assert.equal(plan.actions.length, 1);
  });

  it('2. ...but is deferred while a batch is pending, so as not to invalidate it', () => {
    const plan = planPool(snapshot([stale(1), stale(2), green(3)]), remembering(batchOf('b', 1, 2)), tide);
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.statuses.get(1), { state: 'pending', description: 'Batch testing #1 #2.' });
    assert.deepEqual(plan.statuses.get(3), { state: 'success', description: 'In merge pool.' });
    assert.deepEqual(
      plan.memory.tests.map((t) => t.id),
      ['b'],
    );
  });

  it('3. with no required contexts anywhere, greens still merge one per sync', () => {
    const plan = planPool(snapshot([change(5, { requiredContexts: [] }), change(6, { requiredContexts: [] })]), emptyMemory(), tide);
    assert.deepEqual(merged(plan), [5]);
  });

  it('4. a batch of candidates sorted by number, up to batchSize, with their required contexts', () => {
    const s = settings({ policy: 'tide', batchSize: 3, priority: [['kind/urgent']] });
    const changes = [
      stale(8, { labels: ['lgtm', 'approved', 'kind/urgent'] }),
      stale(3),
      stale(5, { requiredContexts: ['ci/unit', 'ci/e2e'], contexts: [ok('ci/unit', STALE), ok('ci/e2e', STALE)] }),
      stale(1),
      stale(2),
    ];
    const plan = planPool(snapshot(changes), emptyMemory(), s);
    assert.deepEqual(kinds(plan), ['test']);
    const [batch] = tests(plan);
    assert.deepEqual(numbers(batch), [1, 2, 3]);
    assert.equal(batch!.prefix, 0);
    assert.equal(batch!.baseSha, BASE);
    assert.deepEqual(batch!.contexts, ['ci/unit']);
    assert.equal(batch!.id, 'acme/widgets:main:0');
    assert.equal(plan.memory.seq, 1);
  });

  it('4. a change whose context is pending from a run tide did not start is no batch candidate', () => {
    const plan = planPool(snapshot([stale(1), change(2, { contexts: [running('ci/unit', BASE)] })]), emptyMemory(), tide);
    // only #1 is a candidate: no batch; #2 is pending, so no serial trigger either (step 5)
    assert.deepEqual(plan.actions, []);
  });

  it('4. batches need two changes: one stale change alone gets a serial retest of what it lacks (step 5)', () => {
    const plan = planPool(
      snapshot([change(1, { requiredContexts: ['ci/unit', 'ci/lint'], contexts: [ok('ci/unit', STALE), ok('ci/lint', BASE)] })]),
      emptyMemory(),
      tide,
    );
    assert.deepEqual(kinds(plan), ['test']);
    assert.deepEqual(numbers(tests(plan)[0]), [1]);
    assert.deepEqual(tests(plan)[0]!.contexts, ['ci/unit']);
    assert.deepEqual(plan.statuses.get(1), { state: 'pending', description: 'Testing.' });
  });

  it('4. batchSize 1 disables batching', () => {
    const plan = planPool(snapshot([stale(1), stale(2)]), emptyMemory(), settings({ policy: 'tide', batchSize: 1 }));
    assert.deepEqual(tests(plan).map(numbers), [[1]]);
  });

  it('5. a serial retest runs beside a pending batch, not beside another serial one', () => {
    const withBatch = planPool(snapshot([stale(1), stale(2), stale(3)]), remembering(batchOf('b', 1, 2, 3)), tide);
    assert.deepEqual(tests(withBatch).map(numbers), [[1]]);
    const serial = withBatch.memory;
    const again = planPool(snapshot([stale(1), stale(2), stale(3)]), serial, tide);
    assert.deepEqual(again.actions, []);
  });

  it('a failed batch is forgotten and the same candidates form it again (no bisection, no blame)', () => {
    const plan = planPool(
      snapshot([stale(1), stale(2), stale(3)], { tests: { b: { state: 'failure', failedContexts: ['ci/unit'] } } }),
      remembering(batchOf('b', 1, 2, 3)),
      tide,
    );
    assert.deepEqual(kinds(plan), ['test']);
    const [retry] = tests(plan);
    assert.deepEqual(numbers(retry), [1, 2, 3]);
    assert.notEqual(retry!.id, 'b');
    assert.deepEqual(
      plan.memory.tests.map((t) => t.id),
      [retry!.id],
    );
    assert.deepEqual(plan.memory.blamed, []);
    assert.deepEqual(plan.memory.failures, []);
  });

  it('a failed serial retest throws the change out through its failing context, as tide does', () => {
    const plan = planPool(
      snapshot([change(1, { contexts: [{ context: 'ci/unit', state: 'failure', description: `BaseSHA:${BASE}` }] })], {
        tests: { s: { state: 'failure' } },
      }),
      remembering(batchOf('s', 1)),
      tide,
    );
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.statuses.get(1), { state: 'pending', description: 'Not mergeable. Job ci/unit has not succeeded.' });
  });

  it('a passing serial retest merges the change', () => {
    const plan = planPool(snapshot([stale(1)], { tests: { s: { state: 'success' } } }), remembering(batchOf('s', 1)), tide);
    assert.deepEqual(plan.actions, [{ kind: 'merge', testId: 's', pulls: [{ number: 1, headSha: 'head1', method: 'merge' }] }]);
  });

  it('results it cannot use are ignored, not cancelled', () => {
    const plan = planPool(snapshot([stale(1), stale(2)], { baseSha: sha(0x777) }), remembering(batchOf('b', 1, 2)), tide);
    assert.deepEqual(cancelled(plan), []);
    assert.ok(!plan.memory.tests.some((t) => t.id === 'b'));
  });

  it('frozen: blocked, neither merges nor tests', () => {
    const s = settings({ policy: 'tide', frozen: true });
    const plan = planPool(
      snapshot([green(1), stale(2), stale(3)], { tests: { b: { state: 'success' } } }),
      remembering(batchOf('b', 2, 3)),
      s,
    );
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.statuses.get(1), { state: 'pending', description: 'In merge pool. Merging is frozen.' });
  });
});
