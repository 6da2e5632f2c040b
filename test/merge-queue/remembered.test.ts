// membership.ts and freshness.ts remember answers per change object across plans: an answer is
// reused only while every input it came from is the same.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshnessOn } from '../../src/merge-queue/freshness.js';
import { type MembershipRules, membershipJudge, membershipOf } from '../../src/merge-queue/membership.js';
import { BASE, change, failed, ok, settings, sha } from './fixtures.js';

const plain: MembershipRules = { requirePresentContexts: false, queueOwnsFailures: false };

describe('remembered membership', () => {
  it('answers like membershipOf whatever was asked before', () => {
    const c = change(7, { contexts: [failed('ci/unit')] });
    const s = settings();
    const blame = { number: 7, headSha: c.headSha, contexts: ['ci/unit'] };
    const asks: Array<[MembershipRules, typeof blame | undefined]> = [
      [plain, undefined],
      [{ ...plain, queueOwnsFailures: true }, undefined],
      [plain, blame],
      [{ requirePresentContexts: true, queueOwnsFailures: true }, undefined],
      [plain, undefined],
    ];
    for (const [rules, blamed] of asks) {
      assert.deepEqual(membershipJudge(s)(c, blamed, rules), membershipOf(c, s, blamed ? [blamed] : [], rules));
    }
  });

  it('reads the settings again when they differ, even in the same object', () => {
    const c = change(7, { contexts: [ok('ci/unit')], labels: ['lgtm'] });
    const s = settings({ requiredLabels: ['lgtm'] });
    assert.deepEqual(membershipJudge(s)(c, undefined, plain), { inPool: true });
    s.requiredLabels = ['lgtm', 'approved'];
    assert.equal(membershipJudge(s)(c, undefined, plain).inPool, false);
    assert.equal(membershipJudge(settings({ missingLabels: ['lgtm'] }))(c, undefined, plain).inPool, false);
  });
});

describe('remembered freshness', () => {
  it('is worked out again on another base', () => {
    const c = change(1, { contexts: [ok('ci/unit', BASE)] });
    assert.equal(freshnessOn(c, BASE).overall, 'fresh-green');
    assert.equal(freshnessOn(c, sha(2)).overall, 'stale-or-missing');
    assert.equal(freshnessOn(c, BASE).overall, 'fresh-green');
  });

  it('belongs to one change object: new content is a new object', () => {
    const c = change(1, { contexts: [ok('ci/unit', BASE)] });
    assert.equal(freshnessOn(c, BASE).overall, 'fresh-green');
    assert.equal(freshnessOn({ ...c, contexts: [failed('ci/unit', BASE)] }, BASE).overall, 'failing');
  });
});
