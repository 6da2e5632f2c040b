import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capDescription, truncateList } from '../../src/merge-queue/describe.js';
import { type MembershipRules, membershipOf, type PoolChange, type QueueStatus } from '../../src/merge-queue/index.js';
import { change, failed, ok, running, settings } from './fixtures.js';

const ours: MembershipRules = { requirePresentContexts: false, queueOwnsFailures: false };
const tide: MembershipRules = { requirePresentContexts: true, queueOwnsFailures: false };
const green = (over: Partial<PoolChange> = {}) => change(7, { contexts: [ok('ci/unit')], ...over });

describe('pool membership (tide §6.3 filters, §6.8 wording)', () => {
  const cases: Array<[string, PoolChange, MembershipRules, QueueStatus | 'in']> = [
    ['labelled, approved, green: in', green(), ours, 'in'],
    ['label names compare case-insensitively', green({ labels: ['LGTM', 'Approved'] }), ours, 'in'],
    ['one missing label', green({ labels: ['lgtm'] }), ours, { state: 'pending', description: 'Not mergeable. Needs approved label.' }],
    [
      'two missing labels, sorted',
      green({ labels: [] }),
      ours,
      { state: 'pending', description: 'Not mergeable. Needs approved, lgtm labels.' },
    ],
    [
      'a do-not-merge/* family label keeps it out',
      green({ labels: ['lgtm', 'approved', 'do-not-merge/hold'] }),
      ours,
      { state: 'pending', description: 'Not mergeable. Should not have do-not-merge/hold label.' },
    ],
    [
      'family matching ignores case, lists every present member',
      green({ labels: ['lgtm', 'approved', 'Do-Not-Merge/WIP', 'do-not-merge/hold'] }),
      ours,
      { state: 'pending', description: 'Not mergeable. Should not have Do-Not-Merge/WIP, do-not-merge/hold labels.' },
    ],
    [
      'a plain forbidden label',
      green({ labels: ['lgtm', 'approved', 'needs-rebase'] }),
      ours,
      { state: 'pending', description: 'Not mergeable. Should not have needs-rebase label.' },
    ],
    [
      'missing labels are reported before forbidden ones',
      green({ labels: ['lgtm', 'do-not-merge/hold'] }),
      ours,
      { state: 'pending', description: 'Not mergeable. Needs approved label.' },
    ],
    ['draft', green({ draft: true }), ours, { state: 'pending', description: 'Not mergeable. PR is a draft.' }],
    ['conflict is an error', green({ mergeable: false }), ours, { state: 'error', description: 'Not mergeable. PR has a merge conflict.' }],
    ['mergeability still computing: in', green({ mergeable: undefined }), ours, 'in'],
    [
      'two merge-method labels',
      green({ labels: ['lgtm', 'approved', 'tide/merge-method-squash', 'tide/merge-method-rebase'] }),
      ours,
      { state: 'error', description: 'Not mergeable. PR has conflicting merge method override labels.' },
    ],
    [
      'approved label without earned approval',
      green({ approved: false }),
      ours,
      { state: 'pending', description: 'Not mergeable. Approval is not earned: approved label without approvers.' },
    ],
    [
      'a failing required context',
      green({ contexts: [failed('ci/unit')] }),
      ours,
      { state: 'pending', description: 'Not mergeable. Job ci/unit has not succeeded.' },
    ],
    [
      'a failure of another base still counts',
      green({ contexts: [failed('ci/unit', 'ba5e0000ff')] }),
      ours,
      { state: 'pending', description: 'Not mergeable. Job ci/unit has not succeeded.' },
    ],
    [
      'two failing contexts',
      green({ requiredContexts: ['ci/unit', 'ci/lint'], contexts: [failed('ci/unit'), { context: 'ci/lint', state: 'error' }] }),
      ours,
      { state: 'pending', description: 'Not mergeable. Jobs ci/lint, ci/unit have not succeeded.' },
    ],
    ['a pending required context is fine', green({ contexts: [running('ci/unit')] }), ours, 'in'],
    ['an optional context failing is ignored', green({ contexts: [ok('ci/unit'), failed('ci/docs')] }), ours, 'in'],
    [
      'the queue context itself is never required',
      green({ requiredContexts: ['ci/unit', 'merge-queue'], contexts: [ok('ci/unit'), running('merge-queue')] }),
      tide,
      'in',
    ],
    ['ours: a missing required context is fine (the queue runs it)', green({ contexts: [] }), ours, 'in'],
    [
      'tide: a missing required context keeps it out',
      green({ contexts: [] }),
      tide,
      { state: 'pending', description: 'Not mergeable. Job ci/unit has not succeeded.' },
    ],
    [
      'a failure the queue is re-running itself does not count',
      green({ contexts: [failed('ci/unit')] }),
      { requirePresentContexts: false, queueOwnsFailures: true },
      'in',
    ],
  ];
  for (const [name, c, rules, expected] of cases) {
    it(name, () => {
      const got = membershipOf(c, settings(), [], rules);
      assert.deepEqual(got, expected === 'in' ? { inPool: true } : { inPool: false, status: expected });
    });
  }

  it('approval must be earned even without a required approved label', () => {
    const got = membershipOf(green({ labels: ['lgtm'], approved: false }), settings({ requiredLabels: ['lgtm'] }), [], ours);
    assert.deepEqual(got, { inPool: false, status: { state: 'pending', description: 'Not mergeable. Needs approval.' } });
  });

  it('required label alternatives (a,b) are satisfied by either and named with "or"', () => {
    const s = settings({ requiredLabels: ['lgtm,approved'] });
    assert.deepEqual(membershipOf(green({ labels: ['approved'] }), s, [], ours), { inPool: true });
    assert.deepEqual(membershipOf(green({ labels: [] }), s, [], ours), {
      inPool: false,
      status: { state: 'pending', description: 'Not mergeable. Needs lgtm or approved label.' },
    });
  });

  it('blamed at this head: error naming the jobs; a new head is back in', () => {
    const blamed = [{ number: 7, headSha: 'head7', contexts: ['ci/unit'] }];
    assert.deepEqual(membershipOf(green(), settings(), blamed, ours), {
      inPool: false,
      status: { state: 'error', description: 'Failed on its own: job ci/unit. Push a fix to retry.' },
    });
    assert.deepEqual(membershipOf(green({ headSha: 'head7b' }), settings(), blamed, ours), { inPool: true });
  });

  it("tide's list truncation: first item always, then while the running length stays within 50", () => {
    assert.deepEqual(truncateList(['a'.repeat(60), 'b']), ['a'.repeat(60)]);
    assert.deepEqual(truncateList(['a'.repeat(24), 'b'.repeat(24)]), ['a'.repeat(24), 'b'.repeat(24)]); // 24+2+24 = 50
    assert.deepEqual(truncateList(['a'.repeat(24), 'b'.repeat(25), 'c']), ['a'.repeat(24)]); // 51: stop, even though c fits
    const many = Array.from({ length: 10 }, (_, i) => `ci/job-${i}`);
    const got = membershipOf(green({ requiredContexts: many, contexts: many.map((c) => failed(c)) }), settings(), [], ours);
    assert.deepEqual(got, {
      inPool: false,
      status: { state: 'pending', description: 'Not mergeable. Jobs ci/job-0, ci/job-1, ci/job-2, ci/job-3, ci/job-4 have not succeeded.' },
    });
  });

  it('descriptions are capped at 140 characters: 137 plus "..."', () => {
    const long = `Not mergeable. Needs ${'x'.repeat(200)} label.`;
    assert.equal(capDescription(long).length, 140);
    assert.ok(capDescription(long).endsWith('...'));
    const got = membershipOf(green({ labels: [] }), settings({ requiredLabels: ['y'.repeat(200)] }), [], ours);
    assert.ok(!got.inPool && got.status.description.length === 140);
  });
});
