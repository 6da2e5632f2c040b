import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priorityRank, sortByPriority } from '../../src/merge-queue/index.js';

const priority = [['kind/urgent', 'approved'], ['kind/bug,kind/regression']];
const pr = (number: number, ...labels: string[]) => ({ number, labels });

describe('priority: the first label set fully carried, then the lowest number', () => {
  it('ranks by the first set every label of which is present', () => {
    assert.equal(priorityRank(['kind/urgent', 'approved'], priority), 0);
    assert.equal(priorityRank(['kind/urgent'], priority), 2, 'a partial set does not count');
    assert.equal(priorityRank(['Kind/Regression'], priority), 1, 'alternatives, case-insensitive');
    assert.equal(priorityRank([], priority), 2);
    assert.equal(priorityRank(['x'], []), 0);
  });

  it('orders candidates', () => {
    const sorted = sortByPriority(
      [pr(9), pr(4), pr(12, 'kind/bug'), pr(30, 'kind/urgent', 'approved'), pr(2, 'kind/urgent'), pr(11, 'kind/regression')],
      priority,
    );
    assert.deepEqual(
      sorted.map((c) => c.number),
      [30, 11, 12, 2, 4, 9],
    );
  });
});
