import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyMemory, type PoolMemory, planPool, recordMerge, type TestRef } from '../../src/merge-queue/index.js';
import {
  BASE,
  cancelled,
  change,
  failed,
  kinds,
  merged,
  numbers,
  ok,
  settings,
  sha,
  snapshot,
  tests,
  type Verdict,
  World,
} from './fixtures.js';

const ours = settings({ policy: 'ours', batchSize: 3, maxTestsInFlight: 2 });
const STALE = sha(0x99);
const stale = (n: number, over = {}) => change(n, { contexts: [ok('ci/unit', STALE)], ...over });
const green = (n: number, over = {}) => change(n, { contexts: [ok('ci/unit', BASE)], ...over });
const pulls = (...ns: number[]) => ns.map((n) => ({ number: n, headSha: `head${n}` }));
const testOf = (id: string, prefix: number, ns: number[], baseSha = BASE): TestRef => ({
  id,
  baseSha,
  pulls: pulls(...ns),
  prefix,
  contexts: ['ci/unit'],
  startedAt: 0,
});
const remembering = (...t: TestRef[]): PoolMemory => ({ ...emptyMemory(), tests: t, seq: 10 });
/** A change is bad on its own: any tree containing it fails. */
const badIf =
  (...bad: number[]): Verdict =>
  (tree) =>
    tree.some((n) => bad.includes(n)) ? 'failure' : 'success';

describe('ours: merging what is proven', () => {
  it('(a) a fresh-green change merges at once, and the next batch is tested on top of it', () => {
    const plan = planPool(snapshot([green(1), stale(2), stale(3)]), emptyMemory(), ours);
    assert.deepEqual(kinds(plan), ['merge', 'test']);
    assert.deepEqual(merged(plan), [1]);
    assert.deepEqual(
      plan.actions[0],
      { kind: 'merge', pulls: [{ number: 1, headSha: 'head1', method: 'merge' }] },
      'no test proved it: its own results did',
    );
    const [t] = tests(plan);
    assert.deepEqual(numbers(t), [1, 2, 3]);
    assert.equal(t!.prefix, 1);
    assert.deepEqual(plan.statuses.get(1), { state: 'success', description: 'Merging.' });
    assert.deepEqual(plan.statuses.get(2), { state: 'pending', description: 'Batch testing #2 #3 on top of #1.' });

    // After the merge, the test on top of #1 is a test of #2 #3 on the new base.
    const X = sha(0x100);
    const memory = recordMerge(plan.memory, { kind: 'merged', from: BASE, pulls: pulls(1), newBaseSha: X });
    const next = planPool(snapshot([stale(2), stale(3)], { baseSha: X, tests: { [t!.id]: { state: 'success' } } }), memory, ours);
    assert.deepEqual(next.actions, [
      {
        kind: 'merge',
        testId: t!.id,
        pulls: [
          { number: 2, headSha: 'head2', method: 'merge' },
          { number: 3, headSha: 'head3', method: 'merge' },
        ],
      },
    ]);
  });

  it('(a) while a chain is in flight, a fresh-green change waits in line instead of voiding it', () => {
    const plan = planPool(snapshot([stale(1), stale(2), green(3)]), remembering(testOf('t1', 0, [1, 2])), ours);
    assert.deepEqual(merged(plan), []);
    assert.deepEqual(cancelled(plan), []);
    assert.deepEqual(
      tests(plan).map((t) => [numbers(t), t.prefix]),
      [[[1, 2, 3], 2]],
    );
  });

  it('(b) with nothing green, the next batch in priority order is tested; (c) speculation fills maxTestsInFlight', () => {
    const s = settings({ policy: 'ours', batchSize: 3, maxTestsInFlight: 2, priority: [['kind/urgent']] });
    const changes = [stale(1), stale(2), stale(3), stale(4), stale(5), stale(6, { labels: ['lgtm', 'approved', 'kind/urgent'] }), stale(7)];
    const plan = planPool(snapshot(changes), emptyMemory(), s);
    assert.deepEqual(
      tests(plan).map((t) => [numbers(t), t.prefix, t.baseSha]),
      [
        [[6, 1, 2], 0, BASE],
        [[6, 1, 2, 3, 4, 5], 3, BASE],
      ],
    );
    assert.deepEqual(plan.statuses.get(3), { state: 'pending', description: 'Batch testing #3 #4 #5 on top of #6 #1 #2.' });
    assert.deepEqual(plan.statuses.get(7), { state: 'success', description: 'In merge pool.' });
    // full: nothing more until one finishes
    const again = planPool(snapshot(changes), plan.memory, s);
    assert.deepEqual(again.actions, []);
  });

  it('(d) a green speculative test waits for its prefix, which merges first; then it merges through lineage', () => {
    const memory = remembering(testOf('t1', 0, [1, 2]), testOf('t2', 2, [1, 2, 3, 4]));
    const changes = [stale(1), stale(2), stale(3), stale(4)];
    const waiting = planPool(snapshot(changes, { tests: { t2: { state: 'success' } } }), memory, ours);
    assert.deepEqual(merged(waiting), []);
    assert.deepEqual(waiting.statuses.get(3), { state: 'success', description: 'In merge pool.' });

    const first = planPool(snapshot(changes, { tests: { t1: { state: 'success' } } }), memory, ours);
    assert.deepEqual(
      first.actions.filter((a) => a.kind === 'merge'),
      [
        {
          kind: 'merge',
          testId: 't1',
          pulls: [
            { number: 1, headSha: 'head1', method: 'merge' },
            { number: 2, headSha: 'head2', method: 'merge' },
          ],
        },
      ],
    );
    const X = sha(0x200);
    const after = recordMerge(first.memory, { kind: 'merged', from: BASE, pulls: pulls(1, 2), newBaseSha: X });
    const second = planPool(
      snapshot([stale(3), stale(4)], { baseSha: X, tests: { t1: { state: 'success' }, t2: { state: 'success' } } }),
      after,
      ours,
    );
    assert.deepEqual(
      second.actions.filter((a) => a.kind === 'merge'),
      [
        {
          kind: 'merge',
          testId: 't2',
          pulls: [
            { number: 3, headSha: 'head3', method: 'merge' },
            { number: 4, headSha: 'head4', method: 'merge' },
          ],
        },
      ],
    );
    assert.deepEqual(cancelled(second), []);
  });

  it('(d) consecutive passed tests merge together: each intermediate tree was tested', () => {
    const memory = remembering(testOf('t1', 0, [1, 2]), testOf('t2', 2, [1, 2, 3]));
    const plan = planPool(
      snapshot([stale(1), stale(2), stale(3)], { tests: { t1: { state: 'success' }, t2: { state: 'success' } } }),
      memory,
      ours,
    );
    assert.deepEqual(merged(plan), [1, 2, 3]);
    assert.deepEqual(
      plan.actions.flatMap((a) => (a.kind === 'merge' ? [a.testId] : [])),
      ['t2'],
      'named by the test of the final tree',
    );
  });

  it('a test on top of a prefix that merged some other way is not used', () => {
    // #1 merged, but as part of [1, 9]: the tree differs from what t2 tested.
    const memory = { ...remembering(testOf('t2', 1, [1, 2])), lineage: [{ sha: sha(0x300), from: BASE, pulls: pulls(1, 9) }] };
    const plan = planPool(snapshot([stale(2)], { baseSha: sha(0x300), tests: { t2: { state: 'success' } } }), memory, ours);
    assert.deepEqual(merged(plan), []);
    assert.deepEqual(tests(plan).map(numbers), [[2]]);
  });
});

describe('ours: failures', () => {
  it('(e) one bad change: the good ones merge, it is blamed, main stays green', () => {
    for (let bad = 1; bad <= 8; bad++) {
      const world = new World(
        Array.from({ length: 8 }, (_, i) => stale(i + 1)),
        settings({ batchSize: 8, maxTestsInFlight: 3 }),
        badIf(bad),
      );
      world.settle();
      assert.deepEqual(
        world.branch.slice().sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8].filter((n) => n !== bad),
        `bad #${bad}`,
      );
      assert.deepEqual(world.redMerges, []);
      assert.deepEqual(
        world.memory.blamed.map((b) => b.number),
        [bad],
      );
    }
  });

  it('(e) what one bad change costs is bounded by its segment (O(log b) probes), not by the length of the line', () => {
    const runs = (n: number, bad: number) => {
      const world = new World(
        Array.from({ length: n }, (_, i) => stale(i + 1)),
        settings({ batchSize: 8, maxTestsInFlight: 3 }),
        badIf(bad),
      );
      world.settle(200);
      assert.equal(world.branch.length, bad === 0 ? n : n - 1);
      assert.deepEqual(world.redMerges, []);
      return world.started.length;
    };
    const extra = (n: number) => Math.max(...Array.from({ length: n }, (_, i) => runs(n, i + 1))) - runs(n, 0);
    const [e16, e64] = [extra(16), extra(64)];
    // probes: 2 per halving of a segment of at most 8, the culprit's flake re-run; plus the
    // speculation it voided and one test of the changes it cleared
    assert.ok(e16 <= 2 * 3 + 1 + 6, `n=16: ${e16} extra tests`);
    assert.ok(e64 <= e16 + 2, `n=64: ${e64} extra tests against ${e16} for n=16`);
  });

  it('(e) a segment that fails on the base leaves the line and is bisected one half at a time; the line goes on without it', () => {
    const s = settings({ batchSize: 4, maxTestsInFlight: 4 });
    const changes = [stale(1), stale(2), stale(3), stale(4), stale(5)];
    const memory = { ...remembering(testOf('t', 0, [1, 2, 3, 4])), line: [pulls(1, 2, 3, 4), pulls(5)] };
    const plan = planPool(snapshot(changes, { tests: { t: { state: 'failure' } } }), memory, s);
    assert.deepEqual(
      tests(plan).map((t) => [numbers(t), t.prefix, t.probe]),
      [
        [[1, 2], 0, true],
        [[5], 0, undefined],
      ],
    );
    assert.deepEqual(plan.memory.heldBack, [{ pulls: pulls(3, 4), sibling: pulls(1, 2) }], '#3 #4 wait for the answer about #1 #2');
    assert.deepEqual(plan.memory.failures, [], 'a batch failure counts against no one');
    assert.deepEqual(plan.memory.line, [pulls(5)]);
    assert.deepEqual(plan.statuses.get(1), { state: 'pending', description: 'A batch failed: testing #1 #2 to find which change failed.' });
    // #1 #2 pass their probe: cleared, back in line; the failure is in #3 #4, split at once
    const [p1, t5] = tests(plan);
    const next = planPool(snapshot(changes, { tests: { [p1!.id]: { state: 'success' }, [t5!.id]: { state: 'pending' } } }), plan.memory, s);
    assert.deepEqual(next.memory.line, [pulls(5), pulls(1, 2)]);
    assert.deepEqual(
      tests(next).map((t) => [numbers(t), t.prefix, t.probe]),
      [
        [[3], 0, true],
        [[5, 1, 2], 1, undefined],
      ],
    );
    assert.deepEqual(next.memory.heldBack, [{ pulls: pulls(4), sibling: pulls(3) }]);
  });

  it('(e) when the probed half fails, that explains the failure: the held half goes back to the pool untested', () => {
    const s = settings({ batchSize: 4, maxTestsInFlight: 4 });
    const memory = {
      ...remembering(testOf('p', 0, [1, 2]), testOf('t5', 0, [5])),
      line: [pulls(5)],
      heldBack: [{ pulls: pulls(3, 4), sibling: pulls(1, 2) }],
    };
    memory.tests[0]!.probe = true;
    const plan = planPool(snapshot([stale(1), stale(2), stale(3), stale(4), stale(5)], { tests: { p: { state: 'failure' } } }), memory, s);
    assert.deepEqual(
      plan.memory.heldBack,
      [{ pulls: pulls(2), sibling: pulls(1) }],
      'the pair that failed is bisected in turn; #3 #4 are no longer held',
    );
    assert.deepEqual(
      tests(plan).map((t) => [numbers(t), t.prefix, t.probe]),
      [[[1], 0, true]],
    );
    // a quiet pool: #3 #4 join the line like any new change, and wait behind #5 for company
    assert.deepEqual(plan.memory.line, [pulls(5), pulls(3, 4)]);
  });

  it('(e) a test that assumed a segment would pass which then failed is cancelled; the failure waits for its own prefix', () => {
    // #5 passed a screen (cleared), so it does not wait in line for company
    const memory = {
      ...remembering(testOf('t1', 0, [1, 2]), testOf('t2', 2, [1, 2, 3, 4]), testOf('t3', 4, [1, 2, 3, 4, 5])),
      cleared: pulls(5),
    };
    const plan = planPool(
      snapshot([stale(1), stale(2), stale(3), stale(4), stale(5)], { tests: { t2: { state: 'failure' } } }),
      memory,
      ours,
    );
    assert.deepEqual(cancelled(plan), ['t3']);
    assert.deepEqual(merged(plan), []);
    // t2 is kept: once #1 #2 merge it judges #3 #4. Meanwhile #5 goes on top of #1 #2 without them.
    assert.ok(plan.memory.tests.some((t) => t.id === 't2'));
    assert.deepEqual(
      tests(plan).map((t) => [numbers(t), t.prefix]),
      [[[1, 2, 5], 2]],
    );
  });

  it('(c) best first: when segments often fail, the next one is also tested without the one ahead', () => {
    const s = settings({ batchSize: 1, maxTestsInFlight: 4 });
    // half of all changes fail; these passed a screen, so they go straight into the line
    const memory = { ...emptyMemory(), outcomes: { judged: 10, failed: 5 }, cleared: pulls(1, 2, 3) };
    const plan = planPool(snapshot([stale(1), stale(2), stale(3)]), memory, s);
    assert.deepEqual(
      tests(plan).map((t) => [numbers(t), t.prefix]),
      [
        [[1], 0],
        [[1, 2], 1],
        [[2], 0],
      ],
    );
  });

  it('(f) a flake (fail once, then pass) is re-run and merges, unblamed', () => {
    let runs = 0;
    const world = new World([stale(3)], ours, (tree) => (tree.includes(3) && ++runs === 1 ? 'failure' : 'success'));
    world.sync();
    world.finish();
    const rerun = world.sync();
    assert.deepEqual(tests(rerun).map(numbers), [[3]]);
    assert.deepEqual(rerun.statuses.get(3), { state: 'pending', description: 'Testing again after a failure.' });
    world.settle();
    assert.deepEqual(world.branch, [3]);
    assert.deepEqual(world.memory.blamed, []);
  });

  it('(f) a change failing twice alone is blamed, says why, and stays out until its head changes', () => {
    const world = new World([stale(3), stale(4)], settings({ batchSize: 1, maxTestsInFlight: 1 }), badIf(3));
    world.settle();
    assert.deepEqual(world.branch, [4]);
    assert.deepEqual(world.memory.blamed, [{ number: 3, headSha: 'head3', contexts: ['ci/unit'] }]);
    const last = world.sync();
    assert.deepEqual(last.statuses.get(3), { state: 'error', description: 'Failed on its own: job ci/unit. Push a fix to retry.' });
    assert.deepEqual(last.actions, []);
    // a push: new head, forgiven
    world.changes = [stale(3, { headSha: 'head3b' })];
    const after = world.sync();
    assert.deepEqual(after.memory.blamed, []);
    assert.deepEqual(tests(after).map(numbers), [[3]]);
  });
});

describe('ours: screening', () => {
  const s = settings({ policy: 'ours', batchSize: 3, maxTestsInFlight: 3 });
  /** one change in five fails: a line segment of one new change passes 0.8 of the time, of two 0.64 */
  const oneInFive = { judged: 10, failed: 2, tests: 10 };
  const staleUpTo = (n: number) => Array.from({ length: n }, (_, i) => stale(i + 1));
  const screenOf = (id: string, ns: number[]): TestRef => ({ ...testOf(id, 0, ns), probe: true, screen: true });
  const bisectionOf = (id: string, ns: number[]): TestRef => ({ ...testOf(id, 0, ns), probe: true });
  const shape = (t: TestRef) => ({ pulls: numbers(t), prefix: t.prefix, baseSha: t.baseSha, probe: t.probe, screen: t.screen });
  const screening = (ns: number[]) => ({ pulls: ns, prefix: 0, baseSha: BASE, probe: true, screen: true });
  const inLine = (ns: number[], prefix: number) => ({ pulls: ns, prefix, baseSha: BASE, probe: undefined, screen: undefined });
  const line = (plan: { memory: PoolMemory }) => plan.memory.line?.map((segment) => segment.map((p) => p.number));
  /** #1 #2 under test in a line where one change in five fails: the likeliest outcome of that test, a pass, has chance 0.64 < 0.8 */
  const busy = (): PoolMemory => ({ ...remembering(testOf('t1', 0, [1, 2])), line: [pulls(1, 2)], outcomes: oneInFive });

  it('on a busy pool new changes are screened: tested on the current base with their peers, outside the line', () => {
    const rows = [
      { name: 'failures are common', memory: busy(), changes: staleUpTo(5), screened: [3, 4, 5] },
      {
        name: 'two segments in flight (0.95^3 · 0.95^3 ≈ 0.74 < 0.8)',
        memory: { ...remembering(testOf('t1', 0, [1, 2, 3]), testOf('t2', 3, [1, 2, 3, 4, 5, 6])), line: [pulls(1, 2, 3), pulls(4, 5, 6)] },
        changes: staleUpTo(9),
        screened: [7, 8, 9],
      },
    ];
    for (const { name, memory, changes, screened } of rows) {
      const plan = planPool(snapshot(changes), memory, s);
      assert.deepEqual(tests(plan).map(shape), [screening(screened)], name);
      assert.deepEqual(
        line(plan),
        memory.line!.map((segment) => segment.map((p) => p.number)),
        `${name}: the line is unchanged`,
      );
      assert.deepEqual(cancelled(plan), [], name);
      for (const n of screened)
        assert.deepEqual(
          plan.statuses.get(n),
          { state: 'pending', description: `Pre-testing ${screened.map((x) => `#${x}`).join(' ')} before the merge line.` },
          name,
        );
    }
  });

  it('a partial screen waits for peers while another screen runs', () => {
    // a runner is free, but #6 alone would be a screen of one: it waits for the one in flight
    const plan = planPool(snapshot(staleUpTo(6)), busy(), s);
    assert.deepEqual(tests(plan).map(numbers), [[3, 4, 5]]);
    assert.deepEqual(plan.statuses.get(6), { state: 'success', description: 'In merge pool.' });
  });

  it('a passing screen clears its changes: they join the line as one segment of up to batchSize, whatever the failure rate', () => {
    // at this failure rate, changes not tested yet join the line one by one
    const direct = planPool(snapshot(staleUpTo(3)), { ...emptyMemory(), outcomes: oneInFive }, s);
    assert.deepEqual(line(direct), [[1], [2]]);

    const first = planPool(snapshot(staleUpTo(6)), busy(), s);
    const [screen] = tests(first);
    const plan = planPool(snapshot(staleUpTo(6), { tests: { [screen!.id]: { state: 'success' } } }), first.memory, s);
    assert.deepEqual(plan.memory.cleared, pulls(3, 4, 5));
    assert.deepEqual(line(plan), [
      [1, 2],
      [3, 4, 5],
    ]);
    // a full segment does not wait for company: it is tested on top of the segment ahead
    assert.deepEqual(tests(plan).map(shape).slice(0, 1), [inLine([1, 2, 3, 4, 5], 2)]);
    assert.deepEqual(plan.statuses.get(3), { state: 'pending', description: 'Batch testing #3 #4 #5 on top of #1 #2.' });
    // and #6, no longer waiting for a screen in flight, is screened
    assert.deepEqual(tests(plan).map(shape).slice(1), [screening([6])]);
  });

  it('a failing screen of several changes is bisected: the first half (the larger) is probed, the other held back for its answer', () => {
    const rows = [
      { screened: [3, 4], halves: [[3], [4]] },
      { screened: [3, 4, 5], halves: [[3, 4], [5]] },
      {
        screened: [3, 4, 5, 6, 7],
        halves: [
          [3, 4, 5],
          [6, 7],
        ],
      },
    ];
    for (const { screened, halves } of rows) {
      const memory = { ...busy(), tests: [testOf('t1', 0, [1, 2]), screenOf('sc', screened)] };
      const plan = planPool(
        snapshot(staleUpTo(Math.max(...screened)), { tests: { sc: { state: 'failure', failedContexts: ['ci/unit'] } } }),
        memory,
        s,
      );
      assert.deepEqual(
        tests(plan).map(shape),
        [{ pulls: halves[0], prefix: 0, baseSha: BASE, probe: true, screen: undefined }],
        `screen of ${screened}`,
      );
      assert.deepEqual(plan.memory.heldBack, [{ pulls: pulls(...halves[1]!), sibling: pulls(...halves[0]!) }], `screen of ${screened}`);
      assert.deepEqual(plan.memory.failures, [], 'a batch failure counts against no one');
      assert.deepEqual(plan.memory.blamed, []);
      assert.deepEqual(line(plan), [[1, 2]], 'the changes stay out of the line');
    }
  });

  it('a probe that finds no runner waits its turn, still out of the line, and is started when one frees', () => {
    const one = settings({ policy: 'ours', batchSize: 3, maxTestsInFlight: 1 });
    const memory = { ...busy(), tests: [testOf('t1', 0, [1, 2]), screenOf('sc', [3, 4, 5])] };
    const plan = planPool(snapshot(staleUpTo(5), { tests: { sc: { state: 'failure', failedContexts: ['ci/unit'] } } }), memory, one);
    assert.deepEqual(tests(plan), []);
    assert.deepEqual(plan.memory.probing, [{ pulls: pulls(3, 4) }]);
    assert.deepEqual(plan.memory.heldBack, [{ pulls: pulls(5), sibling: pulls(3, 4) }], 'held while its sibling waits');
    assert.deepEqual(line(plan), [[1, 2]]);
    // #1 #2 pass and merge; the freed runner probes #3 #4
    const next = planPool(snapshot(staleUpTo(5), { tests: { t1: { state: 'success' } } }), plan.memory, one);
    assert.deepEqual(tests(next).map(shape), [{ pulls: [3, 4], prefix: 0, baseSha: BASE, probe: true, screen: undefined }]);
    assert.equal(next.memory.probing, undefined);
    assert.deepEqual(next.memory.heldBack, [{ pulls: pulls(5), sibling: pulls(3, 4) }]);
  });

  it('one change a failed batch was narrowed to (its other half passed) is blamed when its probe fails; any other single failure is re-run first', () => {
    const failing = { state: 'failure' as const, failedContexts: ['ci/unit'] };
    const changes = [stale(1), stale(2), stale(5)];
    // the failure was narrowed to #5: failing alone repeats it
    const narrowed = planPool(
      snapshot(changes, { tests: { p: failing } }),
      { ...busy(), tests: [testOf('t1', 0, [1, 2]), { ...bisectionOf('p', [5]), suspect: true }] },
      s,
    );
    assert.deepEqual(narrowed.memory.blamed, [{ number: 5, headSha: 'head5', contexts: ['ci/unit'] }]);
    assert.deepEqual(tests(narrowed), []);
    assert.deepEqual(narrowed.statuses.get(5), { state: 'error', description: 'Failed on its own: job ci/unit. Push a fix to retry.' });

    // a screen of one, or the first half of a failed pair (the other half may be the bad one): the
    // failure counts once (the flake rule), and the change is tested again
    for (const first of [screenOf('sc', [5]), bisectionOf('sc', [5])]) {
      const once = planPool(snapshot(changes, { tests: { sc: failing } }), { ...busy(), tests: [testOf('t1', 0, [1, 2]), first] }, s);
      assert.deepEqual(once.memory.blamed, []);
      assert.deepEqual(once.memory.failures, [{ number: 5, headSha: 'head5', count: 1 }]);
      assert.deepEqual(tests(once).map(shape), [{ pulls: [5], prefix: 0, baseSha: BASE, probe: true, screen: undefined }]);
      assert.deepEqual(once.statuses.get(5), { state: 'pending', description: 'Testing again after a failure.' });
      // failing the re-run too, it is blamed
      const [rerun] = tests(once);
      const again = planPool(snapshot(changes, { tests: { [rerun!.id]: failing } }), once.memory, s);
      assert.deepEqual(again.memory.blamed, [{ number: 5, headSha: 'head5', contexts: ['ci/unit'] }]);
    }
  });

  it('a held half of one change whose sibling passed is probed as a suspect', () => {
    const memory = {
      ...busy(),
      tests: [testOf('t1', 0, [1, 2]), bisectionOf('p', [3])],
      heldBack: [{ pulls: pulls(4), sibling: pulls(3) }],
    };
    const plan = planPool(snapshot(staleUpTo(4), { tests: { p: { state: 'success' } } }), memory, s);
    assert.deepEqual(
      tests(plan)
        .filter((t) => t.probe)
        .map((t) => [numbers(t), t.suspect]),
      [[[4], true]],
    );
    assert.deepEqual(plan.memory.cleared, pulls(3), 'the passing half is cleared');
  });

  it('a cleared segment that fails on the base met a flake: it stays in the line, loses its clearance and is tested again; the test stacked on it goes on', () => {
    const memory = {
      ...remembering(testOf('t1', 0, [1, 2, 3]), testOf('t2', 3, [1, 2, 3, 4])),
      line: [pulls(1, 2, 3), pulls(4)],
      cleared: pulls(1, 2, 3, 4),
    };
    const plan = planPool(snapshot(staleUpTo(4), { tests: { t1: { state: 'failure', failedContexts: ['ci/unit'] } } }), memory, s);
    assert.deepEqual(cancelled(plan), []);
    assert.deepEqual(tests(plan).map(shape), [inLine([1, 2, 3], 0)]);
    assert.deepEqual(line(plan), [[1, 2, 3], [4]]);
    assert.deepEqual(plan.memory.cleared, pulls(4));
    assert.ok(
      plan.memory.tests.some((t) => t.id === 't2'),
      'the test of #4 on top of #1 #2 #3 is kept',
    );
    assert.deepEqual(plan.memory.failures, []);
    assert.deepEqual(plan.memory.blamed, []);
  });

  it('a cleared segment that fails with nothing stacked on it keeps its place too, even when failures are common', () => {
    const memory = {
      ...remembering(testOf('t1', 0, [1, 2, 3])),
      line: [pulls(1, 2, 3)],
      cleared: pulls(1, 2, 3),
      outcomes: { judged: 10, failed: 2, tests: 10 },
    };
    const plan = planPool(snapshot(staleUpTo(3), { tests: { t1: { state: 'failure', failedContexts: ['ci/unit'] } } }), memory, s);
    assert.deepEqual(tests(plan).map(shape), [inLine([1, 2, 3], 0)], 'tested again as it was, not cut up or screened');
    assert.deepEqual(line(plan), [[1, 2, 3]]);
  });

  it('on a quiet pool new changes join the line at once: one test both screens and proves them', () => {
    const rows = [
      {
        name: 'empty pool, nothing in flight',
        memory: emptyMemory(),
        changes: staleUpTo(3),
        expected: [inLine([1, 2, 3], 0)],
        line: [[1, 2, 3]],
      },
      {
        name: 'one segment in flight, likely to pass (0.95^3 ≈ 0.86 ≥ 0.8)',
        memory: { ...remembering(testOf('t1', 0, [1, 2, 3])), line: [pulls(1, 2, 3)] },
        changes: staleUpTo(6),
        expected: [inLine([1, 2, 3, 4, 5, 6], 3)],
        line: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      },
    ];
    for (const row of rows) {
      const plan = planPool(snapshot(row.changes), row.memory, s);
      assert.deepEqual(tests(plan).map(shape), row.expected, row.name);
      assert.deepEqual(line(plan), row.line, row.name);
    }
  });

  it('the last segment waits for company while the one ahead is under test; when that finishes it is tested', () => {
    const memory = { ...remembering(testOf('t1', 0, [1])), line: [pulls(1)] };
    const plan = planPool(snapshot([stale(1), stale(2)]), memory, s);
    assert.deepEqual(line(plan), [[1], [2]], '#2 joins the line');
    assert.deepEqual(plan.actions, [], 'but gets no run of its own yet');
    assert.deepEqual(plan.statuses.get(2), { state: 'success', description: 'In merge pool.' });

    const done = planPool(snapshot([stale(1), stale(2)], { tests: { t1: { state: 'success' } } }), plan.memory, s);
    assert.deepEqual(merged(done), [1]);
    assert.deepEqual(tests(done).map(shape), [inLine([1, 2], 1)]);
  });

  it('a cleared last segment that could take more waits only while two tests are in flight', () => {
    const one = planPool(
      snapshot([stale(1), stale(2)]),
      { ...remembering(testOf('t1', 0, [1])), line: [pulls(1)], cleared: pulls(1, 2) },
      s,
    );
    assert.deepEqual(tests(one).map(shape), [inLine([1, 2], 1)]);

    const memory = { ...remembering(testOf('t1', 0, [1]), testOf('t2', 1, [1, 2])), line: [pulls(1), pulls(2)], cleared: pulls(1, 2, 3) };
    const two = planPool(snapshot(staleUpTo(3)), memory, s);
    assert.deepEqual(line(two), [[1], [2], [3]]);
    assert.deepEqual(two.actions, []);
  });
});

describe('ours: invalidation', () => {
  it('(g) a moved head cancels every test including it; what is left is re-planned on the new head', () => {
    const memory = remembering(testOf('t1', 0, [1, 2]), testOf('t2', 2, [1, 2, 3]));
    const plan = planPool(snapshot([stale(1), stale(2), stale(3, { headSha: 'head3b' })]), memory, ours);
    assert.deepEqual(cancelled(plan), ['t2']);
    // a quiet pool: #3 at its new head waits behind #1 #2 for company rather than a run of its own
    assert.deepEqual(tests(plan), []);
    assert.deepEqual(plan.memory.line, [pulls(1, 2), [{ number: 3, headSha: 'head3b' }]]);

    const moved = planPool(snapshot([stale(1, { headSha: 'head1b' }), stale(2), stale(3)]), memory, ours);
    assert.deepEqual(cancelled(moved).sort(), ['t1', 't2']);
  });

  it('(g) a change leaving the pool (a hold) cancels the tests including it', () => {
    const memory = remembering(testOf('t1', 0, [1, 2]), testOf('t2', 2, [1, 2, 3]));
    const plan = planPool(snapshot([stale(1), stale(2, { labels: ['lgtm', 'approved', 'do-not-merge/hold'] }), stale(3)]), memory, ours);
    assert.deepEqual(cancelled(plan).sort(), ['t1', 't2']);
    assert.deepEqual(plan.statuses.get(2), { state: 'pending', description: 'Not mergeable. Should not have do-not-merge/hold label.' });
    assert.deepEqual(tests(plan).map(numbers), [[1, 3]]);
  });

  it("(g) a batch member whose own presubmit fails leaves the pool (only a test of it alone is the queue's to judge)", () => {
    const plan = planPool(snapshot([stale(1), change(2, { contexts: [failed('ci/unit')] })]), remembering(testOf('t1', 0, [1, 2])), ours);
    assert.deepEqual(cancelled(plan), ['t1']);
    assert.deepEqual(plan.statuses.get(2), { state: 'pending', description: 'Not mergeable. Job ci/unit has not succeeded.' });
    assert.deepEqual(tests(plan).map(numbers), [[1]]);
  });

  it('(g) an outside push (a base not in lineage) cancels everything; tests restart on the new base', () => {
    const memory = remembering(testOf('t1', 0, [1, 2]), testOf('t2', 2, [1, 2, 3]));
    const pushed = sha(0x555);
    const plan = planPool(snapshot([stale(1), stale(2), stale(3)], { baseSha: pushed, tests: { t1: { state: 'success' } } }), memory, ours);
    assert.deepEqual(cancelled(plan), ['t2'], 't1 already finished: nothing to cancel');
    assert.deepEqual(merged(plan), []);
    assert.deepEqual(
      tests(plan).map((t) => [numbers(t), t.baseSha]),
      [[[1, 2, 3], pushed]],
    );
  });
});

describe('ours: aborted runs', () => {
  it('a change whose run the queue aborted (shown as failed on its head) stays in the pool and is tested again', () => {
    const world = new World([stale(1)], settings({ batchSize: 2, maxTestsInFlight: 1 }), () => 'success');
    assert.deepEqual(tests(world.sync()).map(numbers), [[1]]);
    world.push(); // someone pushes: the test is void
    world.changes = [...world.changes, stale(2)];
    const afterPush = world.sync();
    assert.equal(cancelled(afterPush).length, 1);
    assert.deepEqual(
      world.changes[0]!.contexts.map((c) => c.state),
      ['failure'],
      'the forge shows the abort as a failure',
    );
    assert.deepEqual(tests(afterPush).map(numbers), [[1, 2]], 'tested again on the new base, with #2');
    assert.notEqual(afterPush.statuses.get(1)?.state, 'error');
    world.settle();
    assert.deepEqual(world.branch, [1, 2]);
    assert.deepEqual(world.memory.blamed, []);
  });
});

describe('ours: freezing and statuses', () => {
  it('(h) frozen: keeps testing, never merges, and says so', () => {
    const s = settings({ batchSize: 3, maxTestsInFlight: 2, frozen: true });
    const plan = planPool(snapshot([green(1), stale(2), stale(3)]), emptyMemory(), s);
    assert.deepEqual(kinds(plan), ['test']);
    assert.deepEqual(plan.statuses.get(1), { state: 'pending', description: 'In merge pool. Merging is frozen.' });
    assert.deepEqual(plan.statuses.get(2), { state: 'pending', description: 'Batch testing #2 #3 on top of #1. Merging is frozen.' });
    const [t] = tests(plan);
    const later = planPool(snapshot([green(1), stale(2), stale(3)], { tests: { [t!.id]: { state: 'success' } } }), plan.memory, s);
    assert.deepEqual(later.actions, []);
    const thawed = planPool(snapshot([green(1), stale(2), stale(3)], { tests: { [t!.id]: { state: 'success' } } }), plan.memory, {
      ...s,
      frozen: false,
    });
    assert.deepEqual(merged(thawed), [1, 2, 3]);
  });

  it('every open change gets a status', () => {
    const changes = [green(1), stale(2), stale(3, { draft: true }), stale(4, { mergeable: false }), stale(5, { labels: ['approved'] })];
    const plan = planPool(snapshot(changes), emptyMemory(), ours);
    assert.deepEqual(Object.fromEntries(plan.statuses), {
      1: { state: 'success', description: 'Merging.' },
      2: { state: 'pending', description: 'Testing on top of #1.' },
      3: { state: 'pending', description: 'Not mergeable. PR is a draft.' },
      4: { state: 'error', description: 'Not mergeable. PR has a merge conflict.' },
      5: { state: 'pending', description: 'Not mergeable. Needs lgtm label.' },
    });
  });

  it('planning is deterministic and does not touch its input', () => {
    const memory = remembering(testOf('t1', 0, [1, 2]));
    const frozenCopy = structuredClone(memory);
    const snap = snapshot([stale(1), stale(2), stale(3), stale(4)], { tests: { t1: { state: 'failure' } } });
    assert.deepEqual(planPool(snap, memory, ours), planPool(snap, memory, ours));
    assert.deepEqual(memory, frozenCopy);
  });
});

describe('recordMerge', () => {
  it('a merge extends the lineage once; merged changes drop out of failures and blame', () => {
    const memory = { ...emptyMemory(), failures: [{ number: 1, headSha: 'head1', count: 1 }] };
    const outcome = { kind: 'merged' as const, from: BASE, pulls: pulls(1, 2), newBaseSha: sha(0x10) };
    const once = recordMerge(memory, outcome);
    assert.deepEqual(once.lineage, [{ sha: sha(0x10), from: BASE, pulls: pulls(1, 2) }]);
    assert.deepEqual(once.failures, []);
    assert.deepEqual(recordMerge(once, outcome).lineage, once.lineage);
    assert.deepEqual(memory.lineage, [], 'input untouched');
  });

  it('a refused merge voids the tests that would merge it again; refused twice at one head, it is blamed with the reason', () => {
    const memory = remembering(testOf('t1', 0, [1, 2]), testOf('t2', 2, [1, 2, 3]));
    const refused = recordMerge(memory, { kind: 'not-merged', number: 1, reason: 'not_mergeable', message: 'Required review missing' });
    const plan = planPool(snapshot([stale(1), stale(2), stale(3)], { tests: { t1: { state: 'success' } } }), refused, ours);
    assert.deepEqual(merged(plan), []);
    assert.deepEqual(cancelled(plan), ['t2']);
    assert.deepEqual(plan.memory.refusals, []);
    assert.deepEqual(plan.memory.failures, [{ number: 1, headSha: 'head1', count: 1 }]);

    const again = recordMerge(plan.memory, { kind: 'not-merged', number: 1, reason: 'not_mergeable', message: 'Required review missing' });
    const blamed = planPool(snapshot([stale(1), stale(2), stale(3)]), again, ours);
    assert.deepEqual(blamed.statuses.get(1), {
      state: 'error',
      description: 'Not mergeable. The forge refused the merge: Required review missing',
    });
    assert.ok(!tests(blamed).some((t) => numbers(t).includes(1)));
  });
});
