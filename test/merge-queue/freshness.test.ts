import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ContextResult, contextVerdict, freshnessOf, type PoolChange } from '../../src/merge-queue/index.js';
import { BASE, change, failed, ok, running, sha } from './fixtures.js';

const OLD = sha(0xabc);

describe('freshness: a success proves a change only against the base it ran on', () => {
  const cases: Array<[string, ContextResult | undefined, string]> = [
    ['BaseSHA equal to the current base', ok('ci/unit', BASE), 'fresh'],
    ['BaseSHA of another base', ok('ci/unit', OLD), 'stale'],
    ['no BaseSHA at all', { context: 'ci/unit', state: 'success', description: 'Job succeeded.' }, 'stale'],
    ['no description', { context: 'ci/unit', state: 'success' }, 'stale'],
    ['pending on this base', running('ci/unit', BASE), 'pending'],
    ['pending on another base (its result would be stale)', running('ci/unit', OLD), 'stale'],
    ['pending without a base', { context: 'ci/unit', state: 'pending' }, 'pending'],
    ['failure', failed('ci/unit'), 'failure'],
    ['error', { context: 'ci/unit', state: 'error' }, 'failure'],
    ['never reported', undefined, 'missing'],
  ];
  for (const [name, result, expected] of cases) {
    it(name, () => {
      assert.equal(contextVerdict(change(1, { contexts: result ? [result] : [] }), 'ci/unit', new Set([BASE])), expected);
    });
  }

  it('a base counted as current makes its results fresh', () => {
    assert.equal(contextVerdict(change(1, { contexts: [ok('ci/unit', OLD)] }), 'ci/unit', new Set([BASE, OLD])), 'fresh');
  });

  it('the base the queue merged from is not current: lineage carries tests, not head results', () => {
    // A head result comes from the change alone; the queue's merge made a different tree.
    const f = freshnessOf(change(1, { contexts: [ok('ci/unit', OLD)] }), BASE);
    assert.equal(f.overall, 'stale-or-missing');
    assert.deepEqual(f.needsRun, ['ci/unit']);
  });

  it('overall: failing > stale or missing > pending > fresh green; optional contexts ignored', () => {
    const req = ['a', 'b', 'c'];
    const of = (contexts: ContextResult[]) => freshnessOf(change(1, { requiredContexts: req, contexts }), BASE);
    assert.equal(of([ok('a'), ok('b'), ok('c'), failed('optional')]).overall, 'fresh-green');
    assert.equal(of([ok('a'), ok('b'), running('c')]).overall, 'pending');
    const stale = of([ok('a'), running('b'), ok('c', OLD)]);
    assert.equal(stale.overall, 'stale-or-missing');
    assert.deepEqual(stale.needsRun, ['c']);
    assert.deepEqual(stale.pending, ['b']);
    assert.deepEqual(of([ok('a')]).needsRun, ['b', 'c']);
    const failing = of([failed('a'), ok('b', OLD)]);
    assert.equal(failing.overall, 'failing');
    assert.deepEqual(failing.failing, ['a']);
  });

  it('no required contexts: fresh green', () => {
    assert.equal(freshnessOf(change(1, { requiredContexts: [] }), BASE).overall, 'fresh-green');
  });
});

describe('external contexts (no job of the queue produces them)', () => {
  const external = (state: 'success' | 'pending' | 'failure' | undefined): PoolChange => ({
    number: 1,
    headSha: 'h1',
    author: 'a',
    title: 't',
    labels: [],
    draft: false,
    approved: true,
    requiredContexts: ['ci/unit', 'travis'],
    externalContexts: ['travis'],
    contexts: [
      { context: 'ci/unit', state: 'success', description: `ok BaseSHA:${BASE}` },
      ...(state ? [{ context: 'travis', state }] : []),
    ],
  });

  it('a success counts on any base; pending or absent waits; a failure fails', () => {
    assert.equal(freshnessOf(external('success'), BASE).overall, 'fresh-green');
    assert.equal(freshnessOf(external('pending'), BASE).overall, 'pending');
    assert.equal(freshnessOf(external(undefined), BASE).overall, 'pending');
    assert.equal(freshnessOf(external('failure'), BASE).overall, 'failing');
  });

  it('is never asked of a run', () => {
    assert.deepEqual(freshnessOf(external(undefined), OLD).needsRun, ['ci/unit']);
  });
});
