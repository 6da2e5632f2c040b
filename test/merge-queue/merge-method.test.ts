import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseMergeMethod } from '../../src/merge-queue/index.js';
import { settings } from './fixtures.js';

describe('merge method: pool default, one override label, two labels refused', () => {
  const s = settings({ mergeMethod: 'squash' });
  const cases: Array<[string, string[], ReturnType<typeof chooseMergeMethod>]> = [
    ['no label: the default', ['lgtm'], { ok: true, method: 'squash' }],
    ['one override label', ['tide/merge-method-rebase'], { ok: true, method: 'rebase' }],
    ['override labels compare case-insensitively', ['Tide/Merge-Method-Merge'], { ok: true, method: 'merge' }],
    ['the label of the default method is no conflict', ['tide/merge-method-squash'], { ok: true, method: 'squash' }],
    [
      'two override labels',
      ['tide/merge-method-merge', 'tide/merge-method-rebase'],
      { ok: false, description: 'Not mergeable. PR has conflicting merge method override labels.' },
    ],
  ];
  for (const [name, labels, expected] of cases) it(name, () => assert.deepEqual(chooseMergeMethod(labels, s), expected));

  it('an unset override label matches nothing', () => {
    const none = settings({ methodLabels: { merge: '', squash: '', rebase: 'rebase-me' } });
    assert.deepEqual(chooseMergeMethod(['', 'lgtm'], none), { ok: true, method: 'merge' });
  });
});
