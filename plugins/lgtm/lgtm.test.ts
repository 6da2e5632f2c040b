import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommands } from '../../src/core/commands.js';
import type { NormalizedEvent, PullRequestEvent, ReviewEvent } from '../../src/core/events.js';
import type { ForgeKind } from '../../src/forge/types.js';
import { createDispatchRig } from '../../test/helpers/dispatch.js';
import { commentEvent, pullRequestEvent, repoOf, reviewEvent } from '../../test/helpers/events.js';
import lgtm, { lgtmWant, storedTreeHash, treeHashComment } from './index.js';

const FULL = 'acme/widgets';
const BASE = 'b'.repeat(40);
const HEAD = 'a'.repeat(40);
const NEW_HEAD = 'c'.repeat(40);
const BOT = 'ci-bot';
// tree hashes (git's are hex, like commit shas)
const TREE0 = '0'.repeat(40);
const TREE1 = '1'.repeat(40);
const TREE2 = '2'.repeat(40);

// The replies, as the reader sees their first line.
const AUTHOR_REFUSAL = (who: string) => `@${who}: authors cannot LGTM their own PR. You may still cancel an LGTM with \`/lgtm cancel\`.`;
const COLLABORATOR_REFUSAL = (who: string) => `@${who}: only collaborators with write access to this repository may add or cancel LGTM.`;
const OWNERS_REFUSAL = (who: string) =>
  `@${who}: only reviewers and approvers in the OWNERS files of the changed files may add or cancel LGTM.`;
const NEW_CHANGES = 'New changes are detected. LGTM label has been removed.';
const TREE_HASH_COMMENT = (hash: string) =>
  [
    'LGTM label has been added.',
    '',
    '<details>',
    '',
    `Git tree hash: ${hash}`,
    '',
    '</details>',
    `<!-- ci-orchestrator:lgtm-tree-hash=${hash} -->`,
  ].join('\n');

type Rig = ReturnType<typeof createDispatchRig>;

/** createDispatchRig playing either forge. */
function lgtmRig(kind: ForgeKind, entry: Record<string, unknown> = {}): Rig {
  return createDispatchRig({ enabled: ['lgtm'], entry, forge: kind });
}

/** The world every case starts from; cases add to it. */
function seed(rig: Rig): void {
  const { state } = rig;
  state.setPermission(FULL, 'bob', 'write'); // GitLab: Developer
  state.setPermission(FULL, 'maya', 'admin');
  state.setPermission(FULL, 'carol', 'read'); // GitLab: Reporter
  state.setBranch(FULL, 'main', BASE);
  state.change(FULL, 7).files = ['src/a.ts'];
  state.repo(FULL).trees.set(HEAD, TREE1);
  // Root OWNERS: reviewer dave, approver erin; docs/OWNERS: reviewer frank (covers nothing changed).
  state.setFile(FULL, BASE, 'OWNERS', 'reviewers:\n  - dave\napprovers:\n  - erin\n');
  state.setFile(FULL, BASE, 'docs/OWNERS', 'reviewers:\n  - frank\n');
  state.setFile(FULL, BASE, 'src/a.ts', 'export {};\n');
}

const onGitLab = <E extends NormalizedEvent>(e: E): E => ({ ...e, forge: 'gitlab', repo: repoOf('gitlab') });

// Event builders that speak either forge. GitLab's Note Hook does not name the MR author.
const comment = (kind: ForgeKind, body: string, login = 'bob', extra: Parameters<typeof commentEvent>[1] = {}) =>
  commentEvent(body, { login, forge: kind, ...extra, change: { ...(kind === 'gitlab' ? { author: undefined } : {}), ...extra.change } });
const review = (kind: ForgeKind, action: ReviewEvent['action'], body = '', login = 'bob') => reviewEvent(body, action, login, kind);
const prEvent = (kind: ForgeKind, action: PullRequestEvent['action']) => {
  const e = pullRequestEvent(action);
  return kind === 'gitlab' ? onGitLab(e) : e;
};
const push = (kind: ForgeKind) => {
  const e = prEvent(kind, 'synchronize');
  e.change.headSha = NEW_HEAD;
  return e;
};
/** A new head commit on the change, with its tree. */
const movesHead = (rig: Rig, tree: string) => {
  rig.state.change(FULL, 7).headSha = NEW_HEAD;
  rig.state.repo(FULL).trees.set(NEW_HEAD, tree);
};
const firstLines = (rig: Rig) => rig.comments().map((c) => c.split('\n')[0]);

interface Case {
  name: string;
  /** default: both */
  forges?: ForgeKind[];
  entry?: Record<string, unknown>;
  /** the change carries lgtm before */
  labelled?: boolean;
  setup?(rig: Rig, kind: ForgeKind): void;
  events(kind: ForgeKind): NormalizedEvent[];
  labels: string[];
  /** every comment on the change afterwards, first line only */
  comments?: string[];
}

const SKIP_COLLABORATORS = { owners: { skip_collaborators: true } };
const REVIEWS = { lgtm: { review_acts_as_lgtm: true } };
const TREE_HASH = { lgtm: { store_tree_hash: true } };

const cases: Case[] = [
  // --- commands ---
  { name: '/lgtm by a collaborator adds the label', events: (k) => [comment(k, '/lgtm')], labels: ['lgtm'], comments: [] },
  { name: '/LGTM is case-insensitive', events: (k) => [comment(k, '/LGTM')], labels: ['lgtm'], comments: [] },
  { name: '/lgtm no-issue adds', events: (k) => [comment(k, '/lgtm no-issue')], labels: ['lgtm'], comments: [] },
  { name: '/lgtm with trailing spaces adds', events: (k) => [comment(k, 'Looks fine.\n/lgtm   \nthanks')], labels: ['lgtm'], comments: [] },
  { name: '/lgtm by an admin adds', events: (k) => [comment(k, '/lgtm', 'maya')], labels: ['lgtm'], comments: [] },
  { name: '/lgtm when present changes nothing', labelled: true, events: (k) => [comment(k, '/lgtm')], labels: ['lgtm'], comments: [] },
  {
    name: '/lgtm by the author is refused with the reason',
    events: (k) => [comment(k, '/lgtm', 'alice')],
    labels: [],
    comments: [AUTHOR_REFUSAL('alice')],
  },
  {
    name: 'the author is recognised case-insensitively',
    events: (k) => [comment(k, '/lgtm', 'ALICE')],
    labels: [],
    comments: [AUTHOR_REFUSAL('ALICE')],
  },
  {
    name: '/lgtm by a non-collaborator (read access) is refused with the reason',
    events: (k) => [comment(k, '/lgtm', 'carol')],
    labels: [],
    comments: [COLLABORATOR_REFUSAL('carol')],
  },
  {
    name: '/lgtm by a stranger is refused; org membership does not help',
    setup: (rig) => rig.state.addOrgMember('acme', 'zed'),
    events: (k) => [comment(k, '/lgtm', 'zed')],
    labels: [],
    comments: [COLLABORATOR_REFUSAL('zed')],
  },
  { name: '/lgtm cancel removes the label', labelled: true, events: (k) => [comment(k, '/lgtm cancel')], labels: [], comments: [] },
  { name: '/LGTM CANCEL removes the label', labelled: true, events: (k) => [comment(k, '/LGTM CANCEL')], labels: [], comments: [] },
  { name: '/remove-lgtm removes the label', labelled: true, events: (k) => [comment(k, '/remove-lgtm')], labels: [], comments: [] },
  { name: 'the author may cancel', labelled: true, events: (k) => [comment(k, '/lgtm cancel', 'alice')], labels: [], comments: [] },
  {
    name: 'a non-collaborator may not cancel',
    labelled: true,
    events: (k) => [comment(k, '/remove-lgtm', 'carol')],
    labels: ['lgtm'],
    comments: [COLLABORATOR_REFUSAL('carol')],
  },
  { name: '/lgtm cancel without the label is a no-op', events: (k) => [comment(k, '/lgtm cancel')], labels: [], comments: [] },
  { name: 'add wins when a comment holds both', events: (k) => [comment(k, '/lgtm cancel\n/lgtm')], labels: ['lgtm'], comments: [] },
  {
    name: 'add wins over cancel on a labelled change',
    labelled: true,
    events: (k) => [comment(k, '/lgtm\n/remove-lgtm')],
    labels: ['lgtm'],
    comments: [],
  },
  { name: '/lgtm thanks! does nothing and says nothing', events: (k) => [comment(k, '/lgtm thanks!')], labels: [], comments: [] },
  {
    name: '/lgtm  cancel (two spaces) does nothing',
    labelled: true,
    events: (k) => [comment(k, '/lgtm  cancel')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: '/lgtm cancel please does nothing',
    labelled: true,
    events: (k) => [comment(k, '/lgtm cancel please')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: '/lgtmfoo does not add',
    events: (k) => [comment(k, '/lgtmfoo')],
    labels: [],
    comments: ['@bob: I did not act on these commands:'],
  },
  { name: 'a quoted /lgtm does nothing', events: (k) => [comment(k, '> /lgtm')], labels: [], comments: [] },
  { name: '/lgtm in a code block does nothing', events: (k) => [comment(k, '```\n/lgtm\n```')], labels: [], comments: [] },
  {
    name: 'a quoted /lgtm cancel does nothing',
    labelled: true,
    events: (k) => [comment(k, '~~~\n/lgtm cancel\n~~~\n> /remove-lgtm')],
    labels: ['lgtm'],
    comments: [],
  },
  { name: '/lgtm mid-line does nothing', events: (k) => [comment(k, 'please /lgtm')], labels: [], comments: [] },
  { name: 'an edited comment does nothing', events: (k) => [comment(k, '/lgtm', 'bob', { action: 'edited' })], labels: [], comments: [] },
  {
    name: 'bots never lgtm',
    events: (k) => [comment(k, '/lgtm', 'renovate[bot]', { isBot: true }), comment(k, '/lgtm', BOT.toUpperCase())],
    labels: [],
    comments: [],
  },
  {
    name: 'nothing happens on a closed change',
    setup: (rig) => {
      rig.state.change(FULL, 7).state = 'closed';
    },
    events: (k) => [comment(k, '/lgtm'), comment(k, '/lgtm', 'alice')],
    labels: [],
    comments: [],
  },
  {
    name: 'the same /lgtm twice leaves one label',
    events: (k) => {
      const e = comment(k, '/lgtm');
      return [e, e];
    },
    labels: ['lgtm'],
    comments: [],
  },

  // --- owners.skip_collaborators ---
  {
    name: 'skip_collaborators: an OWNERS reviewer may lgtm',
    entry: SKIP_COLLABORATORS,
    events: (k) => [comment(k, '/lgtm', 'dave')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'skip_collaborators: an OWNERS approver may lgtm',
    entry: SKIP_COLLABORATORS,
    events: (k) => [comment(k, '/lgtm', 'Erin')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'skip_collaborators: an OWNERS reviewer may cancel',
    entry: SKIP_COLLABORATORS,
    labelled: true,
    events: (k) => [comment(k, '/lgtm cancel', 'dave')],
    labels: [],
    comments: [],
  },
  {
    name: 'skip_collaborators: a collaborator not in OWNERS may not',
    entry: SKIP_COLLABORATORS,
    events: (k) => [comment(k, '/lgtm', 'bob')],
    labels: [],
    comments: [OWNERS_REFUSAL('bob')],
  },
  {
    name: 'skip_collaborators: nor cancel',
    entry: SKIP_COLLABORATORS,
    labelled: true,
    events: (k) => [comment(k, '/lgtm cancel', 'bob')],
    labels: ['lgtm'],
    comments: [OWNERS_REFUSAL('bob')],
  },
  {
    name: 'skip_collaborators: a reviewer of files the change does not touch may not',
    entry: SKIP_COLLABORATORS,
    events: (k) => [comment(k, '/lgtm', 'frank')],
    labels: [],
    comments: [OWNERS_REFUSAL('frank')],
  },
  {
    name: 'skip_collaborators: the author is still refused as the author',
    entry: SKIP_COLLABORATORS,
    setup: (rig) => rig.state.setFile(FULL, BASE, 'OWNERS', 'reviewers:\n  - alice\n'),
    events: (k) => [comment(k, '/lgtm', 'alice')],
    labels: [],
    comments: [AUTHOR_REFUSAL('alice')],
  },
  {
    name: 'skip_collaborators: OWNERS edited only in the change grant nothing',
    entry: SKIP_COLLABORATORS,
    setup: (rig) => {
      rig.state.setFile(FULL, HEAD, 'OWNERS', 'reviewers:\n  - mallory\napprovers:\n  - mallory\n');
      rig.state.setFile(FULL, 'feature-7', 'OWNERS', 'reviewers:\n  - mallory\napprovers:\n  - mallory\n');
      rig.state.change(FULL, 7).files = ['src/a.ts', 'OWNERS'];
    },
    events: (k) => [comment(k, '/lgtm', 'mallory')],
    labels: [],
    comments: [OWNERS_REFUSAL('mallory')],
  },
  {
    name: "skip_collaborators: OWNERS are read at the base branch's current sha",
    entry: SKIP_COLLABORATORS,
    setup: (rig) => {
      // The change was opened on an older base where dave was not yet a reviewer.
      const old = 'd'.repeat(40);
      rig.state.change(FULL, 7).baseSha = old;
      rig.state.setFile(FULL, old, 'OWNERS', 'reviewers:\n  - someone-else\n');
    },
    events: (k) => [comment(k, '/lgtm', 'dave')],
    labels: ['lgtm'],
    comments: [],
  },

  // --- review_acts_as_lgtm ---
  { name: 'an approving review acts as /lgtm', entry: REVIEWS, events: (k) => [review(k, 'approved')], labels: ['lgtm'], comments: [] },
  {
    name: 'a changes-requested review acts as /lgtm cancel',
    forges: ['github'],
    entry: REVIEWS,
    labelled: true,
    events: (k) => [review(k, 'changes_requested')],
    labels: [],
    comments: [],
  },
  {
    name: 'a commented review does nothing',
    forges: ['github'],
    entry: REVIEWS,
    labelled: true,
    events: (k) => [review(k, 'commented')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'a dismissed GitHub review does nothing',
    forges: ['github'],
    entry: REVIEWS,
    labelled: true,
    events: (k) => [review(k, 'dismissed')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'a GitLab unapproval acts as /lgtm cancel',
    forges: ['gitlab'],
    entry: REVIEWS,
    labelled: true,
    events: (k) => [review(k, 'dismissed')],
    labels: [],
    comments: [],
  },
  { name: 'without review_acts_as_lgtm an approval does nothing', events: (k) => [review(k, 'approved')], labels: [], comments: [] },
  {
    name: 'without review_acts_as_lgtm an unapproval does nothing',
    forges: ['gitlab'],
    labelled: true,
    events: (k) => [review(k, 'dismissed')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'an approval by the author is refused',
    entry: REVIEWS,
    events: (k) => [review(k, 'approved', '', 'alice')],
    labels: [],
    comments: [AUTHOR_REFUSAL('alice')],
  },
  {
    name: 'an approval by a non-collaborator is refused',
    entry: REVIEWS,
    events: (k) => [review(k, 'approved', '', 'carol')],
    labels: [],
    comments: [COLLABORATOR_REFUSAL('carol')],
  },
  {
    name: 'a command in the review body overrides its state',
    forges: ['github'],
    entry: REVIEWS,
    labelled: true,
    events: (k) => [review(k, 'approved', 'Nice, but\n/lgtm cancel')],
    labels: [],
    comments: [],
  },
  {
    name: 'a changes-requested review saying /lgtm adds',
    forges: ['github'],
    entry: REVIEWS,
    events: (k) => [review(k, 'changes_requested', '/lgtm')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'a review body /lgtm counts without review_acts_as_lgtm',
    forges: ['github'],
    events: (k) => [review(k, 'commented', '/lgtm')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'reviews by bots are ignored',
    entry: REVIEWS,
    events: (k) => {
      const e = review(k, 'approved', '', 'renovate[bot]');
      e.sender.isBot = true;
      return [e];
    },
    labels: [],
    comments: [],
  },

  // --- pushes ---
  {
    name: 'a push removes lgtm and says so',
    labelled: true,
    setup: (r) => movesHead(r, TREE2),
    events: (k) => [push(k)],
    labels: [],
    comments: [NEW_CHANGES],
  },
  { name: 'a push without lgtm does nothing', setup: (r) => movesHead(r, TREE2), events: (k) => [push(k)], labels: [], comments: [] },
  {
    name: 'the same push twice says so once',
    labelled: true,
    setup: (r) => movesHead(r, TREE2),
    events: (k) => {
      const e = push(k);
      return [e, e];
    },
    labels: [],
    comments: [NEW_CHANGES],
  },
  {
    name: 'a push to a closed change does nothing',
    labelled: true,
    setup: (r) => {
      movesHead(r, TREE2);
      r.state.change(FULL, 7).state = 'closed';
    },
    events: (k) => [push(k)],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'other pull_request events do nothing',
    labelled: true,
    events: (k) => [prEvent(k, 'edited'), prEvent(k, 'labeled'), prEvent(k, 'reopened')],
    labels: ['lgtm'],
    comments: [],
  },
  {
    name: 'store_tree_hash: /lgtm records the tree hash',
    entry: TREE_HASH,
    events: (k) => [comment(k, '/lgtm')],
    labels: ['lgtm'],
    comments: ['LGTM label has been added.'],
  },
  {
    name: 'store_tree_hash: the same /lgtm twice records it once',
    entry: TREE_HASH,
    events: (k) => {
      const e = comment(k, '/lgtm');
      return [e, e];
    },
    labels: ['lgtm'],
    comments: ['LGTM label has been added.'],
  },
  {
    name: 'store_tree_hash: a push with an unchanged tree keeps lgtm',
    entry: TREE_HASH,
    events: (k) => [comment(k, '/lgtm'), moveThen(push(k), TREE1)],
    labels: ['lgtm'],
    comments: ['LGTM label has been added.'],
  },
  {
    name: 'store_tree_hash: a push with a changed tree removes lgtm',
    entry: TREE_HASH,
    events: (k) => [comment(k, '/lgtm'), moveThen(push(k), TREE2)],
    labels: [],
    comments: ['LGTM label has been added.', NEW_CHANGES],
  },
  {
    name: 'store_tree_hash: a push whose tree hash cannot be read removes lgtm',
    entry: TREE_HASH,
    labelled: true,
    setup: (r) => {
      r.state.addComment(FULL, 7, BOT, TREE_HASH_COMMENT(TREE1));
      movesHead(r, TREE1);
      Object.defineProperty(r.forge, 'treeHash', {
        value: async () => {
          throw new Error('git fetch failed');
        },
      });
    },
    events: (k) => [push(k)],
    labels: [],
    comments: ['LGTM label has been added.', NEW_CHANGES],
  },
  {
    name: 'store_tree_hash: an edited tree-hash comment does not count',
    entry: TREE_HASH,
    labelled: true,
    setup: (r) => {
      const c = r.state.addComment(FULL, 7, BOT, TREE_HASH_COMMENT(TREE1));
      c.updatedAt = new Date(Date.parse(c.createdAt) + 1000).toISOString();
      movesHead(r, TREE1);
    },
    events: (k) => [push(k)],
    labels: [],
    comments: ['LGTM label has been added.', NEW_CHANGES],
  },
  {
    name: 'store_tree_hash: a tree-hash comment by someone else than the bot does not count',
    entry: TREE_HASH,
    labelled: true,
    setup: (r) => {
      r.state.addComment(FULL, 7, 'mallory', TREE_HASH_COMMENT(TREE1));
      movesHead(r, TREE1);
    },
    events: (k) => [push(k)],
    labels: [],
    comments: ['LGTM label has been added.', NEW_CHANGES],
  },
  {
    name: 'store_tree_hash: the newest never-edited record counts',
    entry: TREE_HASH,
    labelled: true,
    setup: (r) => {
      const old = r.state.addComment(FULL, 7, BOT, TREE_HASH_COMMENT(TREE0));
      old.createdAt = old.updatedAt = '2024-01-01T00:00:00.000Z';
      r.state.addComment(FULL, 7, BOT, TREE_HASH_COMMENT(TREE1));
      movesHead(r, TREE1);
    },
    events: (k) => [push(k)],
    labels: ['lgtm'],
    comments: ['LGTM label has been added.', 'LGTM label has been added.'],
  },
  {
    name: 'store_tree_hash: /lgtm cancel retires the record, so a re-added label goes on push',
    entry: TREE_HASH,
    events: (k) => [comment(k, '/lgtm'), comment(k, '/lgtm cancel'), humanLabels(moveThen(push(k), TREE1))],
    labels: [],
    comments: ['~~LGTM label has been added.~~ The LGTM was cancelled; the tree hash recorded here no longer counts.', NEW_CHANGES],
  },

  // --- sticky lgtm ---
  {
    name: "sticky: a push keeps lgtm on a trusted team member's change",
    labelled: true,
    entry: { lgtm: { trusted_team_for_sticky_lgtm: 'maintainers' } },
    setup: (r) => {
      r.state.addTeamMember('acme', 'maintainers', 'alice');
      movesHead(r, TREE2);
    },
    events: (k) => [push(k)],
    labels: ['lgtm'],
    comments: [],
    forges: ['github'],
  },
  {
    name: "sticky: a push keeps lgtm on a GitLab group member's MR",
    labelled: true,
    entry: { lgtm: { trusted_team_for_sticky_lgtm: 'acme/maintainers' } },
    setup: (r) => {
      r.state.addTeamMember('acme', 'maintainers', 'alice');
      movesHead(r, TREE2);
    },
    events: (k) => [push(k)],
    labels: ['lgtm'],
    comments: [],
    forges: ['gitlab'],
  },
  {
    name: 'sticky: a push removes lgtm when the author is not in the team',
    labelled: true,
    entry: { lgtm: { trusted_team_for_sticky_lgtm: 'maintainers' } },
    setup: (r) => {
      r.state.addTeamMember('acme', 'maintainers', 'bob');
      movesHead(r, TREE2);
    },
    events: (k) => [push(k)],
    labels: [],
    comments: [NEW_CHANGES],
  },
  {
    name: "sticky: no tree hash is recorded for a trusted team member's change",
    forges: ['github'],
    entry: { lgtm: { trusted_team_for_sticky_lgtm: 'maintainers', store_tree_hash: true } },
    setup: (r) => {
      r.state.addTeamMember('acme', 'maintainers', 'alice');
    },
    events: (k) => [comment(k, '/lgtm')],
    labels: ['lgtm'],
    comments: [],
  },
];

// Events that change the fake's world when they are dispatched, for sequences within one case.
const sideEffects = new WeakMap<NormalizedEvent, (rig: Rig) => void>();
/** The push, with the head moving to a commit of `tree` just before it is dispatched. */
function moveThen(event: NormalizedEvent, tree: string): NormalizedEvent {
  sideEffects.set(event, (rig) => movesHead(rig, tree));
  return event;
}
/** The event, after a human has put lgtm on the change by hand. */
function humanLabels(event: NormalizedEvent): NormalizedEvent {
  const before = sideEffects.get(event);
  sideEffects.set(event, (rig) => {
    before?.(rig);
    rig.state.addLabel(FULL, 7, 'lgtm', undefined, 'maya');
  });
  return event;
}

describe('lgtm plugin', () => {
  for (const c of cases) {
    for (const kind of c.forges ?? (['github', 'gitlab'] as const)) {
      it(`${c.name} (${kind})`, async () => {
        const rig = lgtmRig(kind, c.entry);
        seed(rig);
        if (c.labelled) rig.state.addLabel(FULL, 7, 'lgtm', undefined, 'maya');
        c.setup?.(rig, kind);
        for (const event of c.events(kind)) {
          sideEffects.get(event)?.(rig);
          await rig.dispatch(event);
        }
        assert.deepEqual(
          rig.observed.filter(([, outcome]) => outcome !== 'ok'),
          [],
        );
        assert.deepEqual(rig.labels(), c.labels);
        if (c.comments) assert.deepEqual(firstLines(rig), c.comments);
      });
    }
  }

  it('records the tree hash in a stable, machine-readable comment', async () => {
    const rig = lgtmRig('github', TREE_HASH);
    seed(rig);
    rig.state.repo(FULL).trees.set(HEAD, '4b825dc642cb6eb9a060e54bf8d69288fbee4904');
    await rig.dispatch(comment('github', '/lgtm'));
    assert.deepEqual(rig.comments(), [TREE_HASH_COMMENT('4b825dc642cb6eb9a060e54bf8d69288fbee4904')]);
    assert.equal(rig.state.comments(FULL, 7)[0]!.author, BOT);
  });

  it('quotes the command in a refusal (Prow reply format)', async () => {
    const rig = lgtmRig('github');
    seed(rig);
    await rig.dispatch(comment('github', 'I wrote it\n/lgtm', 'alice'));
    assert.deepEqual(rig.comments(), [
      [
        AUTHOR_REFUSAL('alice'),
        '',
        '<details>',
        '',
        'In response to [this](https://forge.test/acme/widgets/pull/7#comment-1):',
        '',
        '> I wrote it',
        '> /lgtm',
        '',
        '</details>',
      ].join('\n'),
    ]);
  });

  it('a GitLab approval refusal is answered on the MR', async () => {
    const rig = lgtmRig('gitlab', REVIEWS);
    seed(rig);
    await rig.dispatch(review('gitlab', 'approved', '', 'carol'));
    assert.equal(rig.comments().length, 1);
    assert.match(rig.comments()[0]!, /^@carol: only collaborators with write access/);
  });

  it('makes no forge calls for comments without an lgtm command', async () => {
    const rig = lgtmRig('github');
    seed(rig);
    let calls = 0;
    for (const method of ['getChange', 'permission', 'botLogin', 'listComments'] as const) {
      const original = rig.forge[method].bind(rig.forge) as (...args: unknown[]) => Promise<unknown>;
      Object.defineProperty(rig.forge, method, {
        value: (...args: unknown[]) => {
          calls++;
          return original(...args);
        },
      });
    }
    await rig.dispatch(comment('github', 'just chatting\n/lgtm thanks'));
    assert.equal(calls, 1); // the dispatcher's own bot check for the parsed command
  });

  it('declares its commands for /help', () => {
    assert.deepEqual(
      lgtm.commands.map((c) => c.name),
      ['lgtm', 'remove-lgtm'],
    );
    assert.equal(lgtm.commands[0]!.args, '[cancel|no-issue]');
  });

  describe('lgtmWant (Prow patterns)', () => {
    const table: Array<[string, ReturnType<typeof lgtmWant>]> = [
      ['/lgtm', 'add'],
      ['/LGTM', 'add'],
      ['/lgtm no-issue', 'add'],
      ['/lgtm \t', 'add'],
      ['/lgtm cancel', 'cancel'],
      ['/remove-lgtm', 'cancel'],
      ['/Remove-LGTM', 'cancel'],
      ['/lgtm cancel\n/lgtm', 'add'],
      ['/lgtm thanks!', undefined],
      ['/lgtm  cancel', undefined],
      ['/lgtm  no-issue', undefined],
      ['/lgtm\tcancel', undefined],
      ['/lgtm-cancel', undefined],
      [' /lgtm', undefined],
      ['> /lgtm', undefined],
      ['```\n/lgtm\n```', undefined],
      ['<!-- /lgtm -->', undefined],
      ['/remove-lgtm please', undefined],
      ['/lgtmcancel', undefined],
    ];
    for (const [body, want] of table) {
      it(`${JSON.stringify(body)} -> ${want}`, () => assert.equal(lgtmWant(parseCommands(body)), want));
    }
  });

  it('storedTreeHash: newest never-edited bot record; bot login compared case-insensitively', () => {
    const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
    const c = (id: number, author: string, hash: string, created: number, updated = created) => ({
      id,
      author,
      body: treeHashComment(hash),
      createdAt: at(created),
      updatedAt: at(updated),
    });
    assert.equal(storedTreeHash([], BOT), undefined);
    assert.equal(storedTreeHash([c(1, 'CI-Bot', 'aaa', 1), c(2, BOT, 'bbb', 2)], BOT), 'bbb');
    assert.equal(storedTreeHash([c(2, BOT, 'bbb', 2), c(1, BOT, 'aaa', 1)], BOT), 'bbb');
    assert.equal(storedTreeHash([c(1, BOT, 'aaa', 1), c(2, BOT, 'bbb', 2, 3)], BOT), 'aaa');
    assert.equal(storedTreeHash([c(1, BOT, 'aaa', 1), c(2, 'mallory', 'bbb', 2)], BOT), 'aaa');
  });
});
