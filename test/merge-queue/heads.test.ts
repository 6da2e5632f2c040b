import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadMap } from '../../src/merge-queue/heads.js';

describe('HeadMap: lookups by change head', () => {
  it('tells heads of the same change apart, and finds nothing at an unknown head', () => {
    const map = new HeadMap<string>();
    map.add({ number: 7, headSha: 'a' }, 'first push');
    map.add({ number: 7, headSha: 'b' }, 'second push');
    map.add({ number: 8, headSha: 'a' }, 'other change');
    assert.equal(map.get({ number: 7, headSha: 'a' }), 'first push');
    assert.equal(map.get({ number: 7, headSha: 'b' }), 'second push');
    assert.equal(map.get({ number: 8, headSha: 'a' }), 'other change');
    assert.equal(map.get({ number: 7, headSha: 'c' }), undefined);
    assert.equal(map.has({ number: 9, headSha: 'a' }), false);
    assert.equal(map.has({ number: 7, headSha: 'b' }), true);
  });

  it('keeps the first value added for a head, as Array.find would', () => {
    const map = new HeadMap<number>();
    for (const [i, headSha] of ['a', 'b', 'a', 'b', 'c'].entries()) map.add({ number: 1, headSha }, i);
    assert.deepEqual(
      ['a', 'b', 'c'].map((headSha) => map.get({ number: 1, headSha })),
      [0, 1, 4],
    );
  });
});
