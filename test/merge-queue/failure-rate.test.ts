import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchSizeFor, failureRate, learn } from '../../src/merge-queue/failure-rate.js';
import { emptyMemory, type PoolMemory } from '../../src/merge-queue/index.js';

const withOutcomes = (outcomes: PoolMemory['outcomes']): PoolMemory => ({ ...emptyMemory(), ...(outcomes ? { outcomes } : {}) });
const close = (actual: number, expected: number, within = 1e-9, message?: string) =>
  assert.ok(Math.abs(actual - expected) <= within, message ?? `${actual} is not within ${within} of ${expected}`);

describe('failureRate', () => {
  it('with no outcomes yet, the prior: one change in twenty fails', () => {
    close(failureRate(emptyMemory()), 0.05);
  });

  it('fits (1 − r)^n to the outcomes: large tests are not read as safer than they are', () => {
    // 10 tests of 8 changes, half of them failed: each change passes with 0.5^(1/8), not 1 − 0.5/8
    const r = failureRate(withOutcomes({ judged: 80, failed: 5, tests: 10 }));
    close(r, 1 - 0.5 ** (1 / 8));
    assert.ok(r > 5 / 80, `${r}: failures per change judged (${5 / 80}) reads the batches as safer`);
    // the fit gives back what was seen: tests of 8 pass half the time
    close((1 - r) ** 8, 0.5);
  });

  it('tests of one change each: the rate is the share of tests that failed', () => {
    close(failureRate(withOutcomes({ judged: 10, failed: 2, tests: 10 })), 0.2);
  });

  it('a record without `tests` (written before tests were counted) assumes one test per change', () => {
    assert.equal(failureRate(withOutcomes({ judged: 10, failed: 2 })), failureRate(withOutcomes({ judged: 10, failed: 2, tests: 10 })));
    close(failureRate(withOutcomes({ judged: 10, failed: 2 })), 0.2);
  });

  it('stays within [0.001, 0.95]', () => {
    assert.equal(failureRate(withOutcomes({ judged: 100, failed: 0, tests: 100 })), 0.001);
    assert.equal(failureRate(withOutcomes({ judged: 10, failed: 10, tests: 10 })), 0.95);
  });
});

describe('learn', () => {
  it('folds one test into decayed outcomes: changes judged, a failure or not, one more test', () => {
    const memory = emptyMemory();
    learn(memory, 4, true);
    // from the prior {judged: 20, failed: 1, tests: 20}, decayed by 0.97
    const { judged, failed, tests } = memory.outcomes!;
    close(judged, 20 * 0.97 + 4);
    close(failed, 1 * 0.97 + 1);
    close(tests!, 20 * 0.97 + 1);
  });

  it('a record without `tests` is read as one test per change judged', () => {
    const memory = withOutcomes({ judged: 10, failed: 2 });
    learn(memory, 3, false);
    const { judged, failed, tests } = memory.outcomes!;
    close(judged, 10 * 0.97 + 3);
    close(failed, 2 * 0.97);
    close(tests!, 10 * 0.97 + 1);
  });

  it('a failure raises the estimate, a pass lowers it', () => {
    const failing = emptyMemory();
    learn(failing, 1, true);
    assert.ok(failureRate(failing) > 0.05);
    const passing = emptyMemory();
    learn(passing, 1, false);
    assert.ok(failureRate(passing) < 0.05);
  });

  it('learning tests of 8 that pass half the time converges on r = 1 − 0.5^(1/8), not 0.5/8', () => {
    const memory = emptyMemory();
    for (let i = 0; i < 400; i++) learn(memory, 8, i % 2 === 0);
    // alternating outcomes under decay leave the share of failures within 0.49..0.51
    close(failureRate(memory), 1 - 0.5 ** (1 / 8), 0.003);
    assert.ok(failureRate(memory) > 0.07);
  });
});

describe('batchSizeFor', () => {
  it('as many changes as still pass about `target` of the time', () => {
    // prior r = 0.05: 0.95^6 ≈ 0.735 ≥ 0.7 > 0.95^7 ≈ 0.698
    assert.equal(batchSizeFor(emptyMemory(), 10, 0.7), 6);
    // screens take more risk: 0.95^17 ≈ 0.418 ≥ 0.4 > 0.95^18 ≈ 0.397
    assert.equal(batchSizeFor(emptyMemory(), 50, 0.4), 17);
    // one change in five fails: 0.8^1 ≥ 0.7 > 0.8^2
    assert.equal(batchSizeFor(withOutcomes({ judged: 10, failed: 2, tests: 10 }), 10, 0.7), 1);
  });

  it('within the limit; a limit of 0 means no limit', () => {
    assert.equal(batchSizeFor(emptyMemory(), 5, 0.7), 5);
    assert.equal(batchSizeFor(emptyMemory(), 6, 0.7), 6);
    assert.equal(batchSizeFor(emptyMemory(), 0, 0.7), 6);
  });

  it('at least 1, even when no batch would pass often enough', () => {
    const failing = withOutcomes({ judged: 10, failed: 10, tests: 10 });
    assert.equal(batchSizeFor(failing, 5, 0.7), 1);
    assert.equal(batchSizeFor(failing, 0, 0.7), 1);
    assert.equal(batchSizeFor(emptyMemory(), 1, 0.7), 1);
  });
});
