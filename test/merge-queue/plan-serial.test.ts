import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyMemory, type PoolMemory, planPool, type TestRef } from '../../src/merge-queue/index.js';
import { BASE, change, failed, merged, numbers, ok, settings, sha, snapshot, tests, World } from './fixtures.js';

const serial = settings({ policy: 'serial', batchSize: 5, maxTestsInFlight: 3 });
const stale = (n: number, over = {}) => change(n, { contexts: [ok('ci/unit', sha(0x99))], ...over });
const green = (n: number) => change(n, { contexts: [ok('ci/unit', BASE)] });
const alone = (id: string, n: number): TestRef => ({
  id,
  baseSha: BASE,
  pulls: [{ number: n, headSha: `head${n}` }],
  prefix: 0,
  contexts: ['ci/unit'],
  startedAt: 0,
});
const remembering = (...t: TestRef[]): PoolMemory => ({ ...emptyMemory(), tests: t, seq: 10 });

describe('serial policy: one change alone at a time, FIFO by priority then number', () => {
  it('tests the first change lacking fresh results, and only it', () => {
    const plan = planPool(snapshot([stale(3), stale(1), stale(2)]), emptyMemory(), serial);
    assert.deepEqual(
      tests(plan).map((t) => [numbers(t), t.prefix, t.contexts]),
      [[[1], 0, ['ci/unit']]],
    );
    assert.deepEqual(plan.statuses.get(1), { state: 'pending', description: 'Testing.' });
    assert.deepEqual(plan.statuses.get(2), { state: 'success', description: 'In merge pool.' });
  });

  it('while a test runs, nothing merges (a green change would void it)', () => {
    const plan = planPool(snapshot([stale(1), green(2)]), remembering(alone('t', 1)), serial);
    assert.deepEqual(plan.actions, []);
  });

  it('a passing test merges its change; a green change merges when nothing runs', () => {
    const passed = planPool(snapshot([stale(1), green(2)], { tests: { t: { state: 'success' } } }), remembering(alone('t', 1)), serial);
    assert.deepEqual(passed.actions, [{ kind: 'merge', testId: 't', pulls: [{ number: 1, headSha: 'head1', method: 'merge' }] }]);
    const idle = planPool(snapshot([stale(1), green(2)]), emptyMemory(), serial);
    assert.deepEqual(merged(idle), [2]);
  });

  it('a failure is re-run once, then blamed; the next change goes on', () => {
    const head = [failed('ci/unit')];
    const first = planPool(
      snapshot([change(1, { contexts: head }), stale(2)], { tests: { t: { state: 'failure', failedContexts: ['ci/unit'] } } }),
      remembering(alone('t', 1)),
      serial,
    );
    assert.deepEqual(tests(first).map(numbers), [[1]]);
    assert.deepEqual(first.statuses.get(1), { state: 'pending', description: 'Testing again after a failure.' });
    const rerun = tests(first)[0]!;
    const second = planPool(
      snapshot([change(1, { contexts: head }), stale(2)], { tests: { [rerun.id]: { state: 'failure', failedContexts: ['ci/unit'] } } }),
      first.memory,
      serial,
    );
    assert.deepEqual(second.memory.blamed, [{ number: 1, headSha: 'head1', contexts: ['ci/unit'] }]);
    assert.deepEqual(second.statuses.get(1), { state: 'error', description: 'Failed on its own: job ci/unit. Push a fix to retry.' });
    assert.deepEqual(tests(second).map(numbers), [[2]]);
  });

  it('frozen: keeps testing, never merges', () => {
    const world = new World([stale(1), stale(2)], settings({ policy: 'serial', frozen: true }), () => 'success');
    world.settle();
    assert.deepEqual(world.branch, []);
    assert.deepEqual(world.started.map(numbers), [[1], [2]]);
  });

  it('drains a pool in order, the bad change blamed', () => {
    const world = new World([stale(1), stale(2), stale(3)], serial, (tree) => (tree.includes(2) ? 'failure' : 'success'));
    world.settle();
    assert.deepEqual(world.branch, [1, 3]);
    assert.deepEqual(
      world.memory.blamed.map((b) => b.number),
      [2],
    );
    assert.deepEqual(world.redMerges, []);
  });
});
