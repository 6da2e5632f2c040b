import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReviewEvent } from '../../src/core/events.js';
import { APPROVED, INVALID_OWNERS } from '../../src/core/labels.js';
import { createDispatchRig, type RigOptions } from '../../test/helpers/dispatch.js';
import { commentEvent, pullRequestEvent, reviewEvent } from '../../test/helpers/events.js';
import { deriveApproval } from './derive-approval.js';
import { NOTIFICATION_MARKER } from './notification.js';

const FULL = 'acme/widgets';
const BASE_HEAD = 'd'.repeat(40);

/** A repo whose base branch holds `owners` (path -> OWNERS text), and PR #7 by `author` touching `files`. */
function setup(
  options: {
    owners: Record<string, string>;
    files: string[];
    author?: string;
    labels?: string[];
    forge?: 'github' | 'gitlab';
  } & RigOptions,
) {
  const rig = createDispatchRig({ enabled: ['approve'], ...options });
  const change = rig.state.change(FULL, 7);
  change.author = options.author ?? 'carol';
  change.files = options.files;
  change.labels = [...(options.labels ?? [])];
  rig.state.setBranch(FULL, 'main', BASE_HEAD);
  for (const [path, text] of Object.entries(options.owners)) rig.state.setFile(FULL, BASE_HEAD, path, text);
  const comment = async (login: string, body: string) => {
    rig.state.addComment(FULL, 7, login, body);
    await rig.dispatch(commentEvent(body, { login, forge: options.forge }));
  };
  const review = async (login: string, state: ReviewEvent['action'], body = '') => {
    rig.state.addReview(FULL, { change: 7, author: login, state, body });
    await rig.dispatch(reviewEvent(body, state, login, options.forge));
  };
  const notifications = () => rig.state.comments(FULL, 7).filter((c) => c.body.startsWith(NOTIFICATION_MARKER));
  return { ...rig, comment, review, notifications, approved: () => rig.labels().includes(APPROVED) };
}

const ROOT_AND_SRC = {
  OWNERS: 'approvers:\n- alice\n',
  'src/OWNERS': 'approvers:\n- bob\n',
};

describe('approve plugin', () => {
  it('needs an approver for every OWNERS file the change touches', async () => {
    const t = setup({ owners: ROOT_AND_SRC, files: ['src/a.ts', 'README.md'] });
    await t.comment('bob', '/approve');
    assert.equal(t.approved(), false, 'bob covers src/ only');
    assert.match(t.notifications()[0]!.body, /NOT APPROVED/);
    // src/OWNERS collapses into the root one (Prow's rule), which bob approves only in part.
    assert.match(
      t.notifications()[0]!.body,
      /- \*\*\[OWNERS\]\(https:\/\/forge.test\/acme\/widgets\/blob\/main\/OWNERS\)\*\* \[bob\]\n {2}> more approvers are needed/,
    );
    assert.match(t.notifications()[0]!.body, /please ask for approval from \[alice\]/);
    await t.comment('alice', '/approve');
    assert.equal(t.approved(), true);
    assert.match(t.notifications()[0]!.body, /This PR is \*\*APPROVED\*\*/);
  });

  it('lets parent approvers approve nested files, unless no_parent_owners', async () => {
    const nested = setup({ owners: ROOT_AND_SRC, files: ['src/a.ts'] });
    await nested.comment('alice', '/approve');
    assert.equal(nested.approved(), true);
    const cut = setup({
      owners: { ...ROOT_AND_SRC, 'src/OWNERS': 'options:\n  no_parent_owners: true\napprovers:\n- bob\n' },
      files: ['src/a.ts'],
    });
    await cut.comment('alice', '/approve');
    assert.equal(cut.approved(), false);
    await cut.comment('bob', '/approve');
    assert.equal(cut.approved(), true);
  });

  it('follows filters and aliases', async () => {
    const t = setup({
      owners: {
        OWNERS_ALIASES: 'aliases:\n  docs-team:\n  - dora\n',
        OWNERS: 'filters:\n  "\\\\.md$":\n    approvers:\n    - docs-team\n  ".*":\n    approvers:\n    - alice\n',
      },
      files: ['guide.md'],
    });
    await t.comment('dora', '/approve');
    assert.equal(t.approved(), true);
  });

  it("counts the author's implicit self-approval, unless require_self_approval", async () => {
    const self = setup({ owners: ROOT_AND_SRC, files: ['README.md'], author: 'alice' });
    await self.dispatch(pullRequestEvent('opened'));
    assert.equal(self.approved(), true);
    assert.match(self.notifications()[0]!.body, /title="Author self-approved">alice/);
    const strict = setup({
      owners: ROOT_AND_SRC,
      files: ['README.md'],
      author: 'alice',
      entry: { approve: { require_self_approval: true } },
    });
    await strict.dispatch(pullRequestEvent('opened'));
    assert.equal(strict.approved(), false);
    await strict.comment('alice', '/approve');
    assert.equal(strict.approved(), true);
  });

  it('counts an approving review, unless ignore_review_state; /approve cancel withdraws it', async () => {
    const t = setup({ owners: ROOT_AND_SRC, files: ['README.md'] });
    await t.review('alice', 'approved');
    assert.equal(t.approved(), true);
    await t.comment('alice', '/approve cancel');
    assert.equal(t.approved(), false);
    const ignoring = setup({ owners: ROOT_AND_SRC, files: ['README.md'], entry: { approve: { ignore_review_state: true } } });
    await ignoring.review('alice', 'approved');
    assert.equal(ignoring.approved(), false);
  });

  it('treats a changes-requested review as a withdrawal and a dismissed one as nothing', async () => {
    const t = setup({ owners: ROOT_AND_SRC, files: ['README.md'] });
    await t.comment('alice', '/approve');
    await t.review('alice', 'dismissed');
    assert.equal(t.approved(), true);
    await t.review('alice', 'changes_requested');
    assert.equal(t.approved(), false);
  });

  it('edits one notification in place rather than posting again', async () => {
    const t = setup({ owners: ROOT_AND_SRC, files: ['src/a.ts', 'README.md'] });
    await t.comment('bob', '/approve');
    const first = t.notifications()[0]!;
    await t.comment('alice', '/approve');
    await t.dispatch(pullRequestEvent('synchronize'));
    assert.equal(t.notifications().length, 1);
    assert.equal(t.notifications()[0]!.id, first.id);
    assert.match(t.notifications()[0]!.body, /APPROVED/);
  });

  it('reads OWNERS from the base branch, never from the change', async () => {
    const t = setup({ owners: ROOT_AND_SRC, files: ['OWNERS'], author: 'mallory' });
    const head = t.state.change(FULL, 7).headSha;
    t.state.setFile(FULL, head, 'OWNERS', 'approvers:\n- mallory\n');
    await t.comment('mallory', '/approve');
    assert.equal(t.approved(), false);
  });

  it('ignores quoted, fenced and edited approvals and those of bots', async () => {
    const t = setup({ owners: ROOT_AND_SRC, files: ['README.md'] });
    await t.comment('alice', '> /approve');
    await t.comment('alice', '```\n/approve\n```');
    await t.comment('alice', '<!-- /approve -->');
    await t.comment('renovate[bot]', '/approve');
    const edited = t.state.addComment(FULL, 7, 'alice', '/approve');
    edited.updatedAt = new Date(Date.now() + 1000).toISOString();
    await t.dispatch(pullRequestEvent('synchronize'));
    assert.equal(t.approved(), false);
  });

  it('compares logins without case and without a leading @', async () => {
    const t = setup({ owners: { OWNERS: 'approvers:\n- "@Alice"\n' }, files: ['README.md'] });
    await t.comment('ALICE', '/approve');
    assert.equal(t.approved(), true);
  });

  it('reports a malformed OWNERS file on the change and never approves through it', async () => {
    const t = setup({ owners: { OWNERS: 'approvers:\n- alice\n', 'src/OWNERS': 'approvers: [bob\n' }, files: ['src/a.ts'] });
    await t.comment('alice', '/approve');
    assert.equal(t.approved(), false);
    assert.ok(t.labels().includes(INVALID_OWNERS));
    assert.match(t.notifications()[0]!.body, /`src\/OWNERS`: /);
    const unknownKey = setup({ owners: { OWNERS: 'approvers:\n- alice\napprover:\n- bob\n' }, files: ['a.ts'] });
    await unknownKey.comment('alice', '/approve');
    assert.equal(unknownKey.approved(), false);
    assert.match(unknownKey.notifications()[0]!.body, /`OWNERS`: .*approver/);
  });

  it('is not blocked by a broken OWNERS file that governs none of its files', async () => {
    const t = setup({ owners: { OWNERS: 'approvers:\n- alice\n', 'other/OWNERS': 'approvers: [bob\n' }, files: ['src/a.ts'] });
    await t.comment('alice', '/approve');
    assert.deepEqual(t.labels(), [APPROVED]);
  });

  it('removes the invalid-owners label once the files are fixed', async () => {
    const t = setup({ owners: { OWNERS: 'approvers:\n- alice\n' }, files: ['a.ts'], labels: [INVALID_OWNERS] });
    await t.comment('alice', '/approve');
    assert.deepEqual(t.labels(), [APPROVED]);
  });

  it('leaves an approved label a person added, and removes one the bot added when approval is gone', async () => {
    const human = setup({ owners: ROOT_AND_SRC, files: ['README.md'] });
    human.state.addLabel(FULL, 7, APPROVED, undefined, 'maintainer');
    await human.dispatch(pullRequestEvent('synchronize'));
    assert.equal(human.approved(), true);
    assert.match(human.notifications()[0]!.body, /bypassed by manually added approval/);
    const botAdded = setup({ owners: ROOT_AND_SRC, files: ['README.md'] });
    botAdded.state.addLabel(FULL, 7, APPROVED);
    await botAdded.dispatch(pullRequestEvent('synchronize'));
    assert.equal(botAdded.approved(), false);
  });

  it('gives the merge queue a verdict that a hand-added label does not satisfy', async () => {
    const t = setup({ owners: ROOT_AND_SRC, files: ['README.md'] });
    t.state.addLabel(FULL, 7, APPROVED, undefined, 'mallory');
    const change = await t.forge.getChange({ repo: { forge: 'github', owner: 'acme', name: 'widgets' }, number: 7 });
    const verdict = await deriveApproval(t.forge, t.owners, change, {
      require_self_approval: false,
      ignore_review_state: false,
      lgtm_acts_as_approve: false,
    });
    assert.equal(verdict.filesApproved, false);
    assert.equal(verdict.manual, true);
  });

  it('works the same on GitLab: an MR approval counts', async () => {
    const t = setup({ owners: ROOT_AND_SRC, files: ['README.md'], forge: 'gitlab' });
    await t.review('alice', 'approved');
    assert.equal(t.approved(), true);
  });
});
