// normalizeGitHubEvent over GitHub's own example payloads (@octokit/webhooks-examples). Where the
// catalogue has no example of a case (a comment on a PR, an approving review, a bot sender), the
// nearest example is copied and the one field that makes the difference is changed.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { ChangeInfo, NormalizedEvent } from '../src/core/events.js';
import { checkRunState, normalizeGitHubEvent, workflowRunState } from '../src/forge/github/normalize.js';

type Payload = Record<string, any>;
const require = createRequire(import.meta.url);
const catalogue: { name: string; examples: Payload[] }[] = require('@octokit/webhooks-examples/api.github.com/index.json');

/** A fresh copy of the first example of an event (with that action, and passing `where`). */
function example(name: string, action?: string, where: (p: Payload) => boolean = () => true): Payload {
  const found = catalogue.find((e) => e.name === name)?.examples.find((p) => (action === undefined || p.action === action) && where(p));
  if (!found) throw new Error(`no ${name}${action ? `.${action}` : ''} example`);
  return structuredClone(found);
}
const withInstallation = (p: Payload) => p.installation !== undefined;

function edit(p: Payload, change: (p: Payload) => void): Payload {
  change(p);
  return p;
}

// Values taken from the examples.
const HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const BASE_SHA = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
const STATUS_SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const ZERO_SHA = '0'.repeat(40);
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

/** The run of the workflow_run examples (their repository is octo-org/octo-repo). */
const RUN = {
  repo: { forge: 'github', owner: 'octo-org', name: 'octo-repo' },
  kind: 'runner',
  system: 'github-actions',
  externalId: '289782451',
  title: 'ci(action): update actions/setup-node digest to 8c91899',
  sha: '3484a3fb816e0859fd6e1cea078d76385ff50625',
  url: 'https://github.com/octo-org/octo-repo/actions/runs/289782451',
} as const;

/** The envelope of an example without an `installation`. */
const bare = {
  forge: 'github',
  deliveryId: DELIVERY,
  repo: { forge: 'github', owner: 'Codertocat', name: 'Hello-World' },
  sender: { login: 'Codertocat', isBot: false },
} as const;
const common = { ...bare, installationId: 1 } as const;

/** Pull request #2 as the pull_request, review and review-comment examples describe it. */
const pr2: ChangeInfo = {
  number: 2,
  title: 'Update the README with new information.',
  author: 'Codertocat',
  state: 'open',
  draft: false,
  labels: ['bug'],
  url: 'https://github.com/Codertocat/Hello-World/pull/2',
  baseRef: 'master',
  baseSha: BASE_SHA,
  headRef: 'changes',
  headSha: HEAD_SHA,
};

/** Issue #1 seen as a PR (issue_comment carries no refs or shas). */
const issue1: ChangeInfo = {
  number: 1,
  title: 'Spelling error in the README file',
  author: 'Codertocat',
  state: 'open',
  draft: false,
  labels: ['bug'],
  url: 'https://github.com/Codertocat/Hello-World/issues/1',
};

/** An issue_comment example, turned into a comment on a pull request. */
const onPullRequest = (p: Payload, mergedAt: string | null = null) =>
  edit(p, (x) => {
    x.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1', merged_at: mergedAt };
  });

interface Case {
  title: string;
  name: string;
  payload: Payload;
  expected: NormalizedEvent[];
}

const cases: Case[] = [
  // --- pull_request ---
  ...(['opened', 'synchronize', 'reopened', 'ready_for_review'] as const).map(
    (action): Case => ({
      title: `pull_request ${action}`,
      name: 'pull_request',
      payload: example('pull_request', action, withInstallation),
      expected: [{ ...common, kind: 'pull_request', action, change: pr2 }],
    }),
  ),
  {
    title: 'pull_request edited',
    name: 'pull_request',
    payload: edit(example('pull_request', 'opened', withInstallation), (p) => {
      p.action = 'edited';
    }),
    expected: [{ ...common, kind: 'pull_request', action: 'edited', change: pr2 }],
  },
  ...(['labeled', 'unlabeled'] as const).map(
    (action): Case => ({
      title: `pull_request ${action} carries the label`,
      name: 'pull_request',
      payload: example('pull_request', action, withInstallation),
      expected: [{ ...common, kind: 'pull_request', action, change: pr2, label: 'bug' }],
    }),
  ),
  {
    title: 'pull_request closed without merging',
    name: 'pull_request',
    payload: example('pull_request', 'closed'),
    expected: [{ ...common, kind: 'pull_request', action: 'closed', change: { ...pr2, state: 'closed' } }],
  },
  {
    title: 'pull_request closed by merging',
    name: 'pull_request',
    payload: edit(example('pull_request', 'closed'), (p) => {
      p.pull_request.merged = true;
      p.pull_request.merged_at = '2019-05-15T15:21:00Z';
    }),
    expected: [{ ...common, kind: 'pull_request', action: 'closed', change: { ...pr2, state: 'merged' } }],
  },
  {
    title: 'pull_request converted_to_draft is not handled',
    name: 'pull_request',
    payload: example('pull_request', 'converted_to_draft'),
    expected: [],
  },
  ...['assigned', 'locked', 'review_requested', 'unassigned'].map(
    (action): Case => ({
      title: `pull_request ${action} is not handled`,
      name: 'pull_request',
      payload: example('pull_request', action),
      expected: [],
    }),
  ),
  {
    title: 'an example without an installation has no installationId',
    name: 'pull_request',
    payload: example('pull_request', 'opened', (p) => p.installation === undefined),
    expected: [
      {
        ...bare,
        kind: 'pull_request',
        action: 'opened',
        change: { ...pr2, labels: [] },
      },
    ],
  },

  // --- issue_comment ---
  ...(['created', 'edited', 'deleted'] as const).map((action): Case => {
    const payload = onPullRequest(example('issue_comment', action));
    return {
      title: `issue_comment ${action} on a pull request`,
      name: 'issue_comment',
      payload,
      expected: [
        {
          ...bare,
          kind: 'comment',
          action,
          change: issue1,
          comment: {
            id: 492700400,
            body:
              action === 'created'
                ? "You are totally right! I'll get this fixed right away."
                : "You are totally right! I'll get this fixed today.",
            author: 'Codertocat',
            url: 'https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400',
          },
        },
      ],
    };
  }),
  {
    title: 'issue_comment on a merged pull request',
    name: 'issue_comment',
    payload: onPullRequest(example('issue_comment', 'created', withInstallation), '2019-05-15T15:21:00Z'),
    expected: [
      {
        ...common,
        kind: 'comment',
        action: 'created',
        change: { ...issue1, state: 'merged' },
        comment: {
          id: 492700400,
          body: "You are totally right! I'll get this fixed right away.",
          author: 'Codertocat',
          url: 'https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400',
        },
      },
    ],
  },
  {
    title: 'issue_comment on a plain issue is not handled',
    name: 'issue_comment',
    payload: example('issue_comment', 'created', withInstallation),
    expected: [],
  },
  {
    title: 'a bot sender is marked isBot',
    name: 'issue_comment',
    payload: edit(onPullRequest(example('issue_comment', 'created', withInstallation)), (p) => {
      p.sender.login = 'ci-bot[bot]';
      p.sender.type = 'Bot';
      p.comment.user.login = 'ci-bot[bot]';
    }),
    expected: [
      {
        ...common,
        sender: { login: 'ci-bot[bot]', isBot: true },
        kind: 'comment',
        action: 'created',
        change: issue1,
        comment: {
          id: 492700400,
          body: "You are totally right! I'll get this fixed right away.",
          author: 'ci-bot[bot]',
          url: 'https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400',
        },
      },
    ],
  },

  // --- pull_request_review ---
  {
    title: 'pull_request_review submitted (commented)',
    name: 'pull_request_review',
    payload: example('pull_request_review', 'submitted', withInstallation),
    expected: [
      {
        ...common,
        kind: 'review',
        action: 'commented',
        change: pr2,
        review: { id: 237895671, body: '', author: 'Codertocat' },
      },
    ],
  },
  ...(['approved', 'changes_requested'] as const).map(
    (state): Case => ({
      title: `pull_request_review submitted (${state})`,
      name: 'pull_request_review',
      payload: edit(example('pull_request_review', 'submitted', withInstallation), (p) => {
        p.review.state = state;
        p.review.body = 'looks good';
      }),
      expected: [
        {
          ...common,
          kind: 'review',
          action: state,
          change: pr2,
          review: { id: 237895671, body: 'looks good', author: 'Codertocat' },
        },
      ],
    }),
  ),
  {
    title: 'pull_request_review dismissed',
    name: 'pull_request_review',
    payload: example('pull_request_review', 'dismissed'),
    expected: [
      {
        // this example's pull request links to another repository
        ...common,
        kind: 'review',
        action: 'dismissed',
        change: { ...pr2, url: 'https://github.com/hellomouse/GNS/pull/902' },
        review: { id: 237895671, body: '', author: 'Codertocat' },
      },
    ],
  },
  {
    title: 'pull_request_review edited is not handled',
    name: 'pull_request_review',
    payload: edit(example('pull_request_review', 'submitted'), (p) => {
      p.action = 'edited';
    }),
    expected: [],
  },

  // --- pull_request_review_comment ---
  ...(['created', 'edited', 'deleted'] as const).map(
    (action): Case => ({
      title: `pull_request_review_comment ${action}`,
      name: 'pull_request_review_comment',
      payload: example('pull_request_review_comment', action, withInstallation),
      expected: [
        {
          ...common,
          kind: 'comment',
          action,
          change: pr2,
          comment: {
            id: 284312630,
            body: 'Maybe you should use more emoji on this line.',
            author: 'Codertocat',
            url: 'https://github.com/Codertocat/Hello-World/pull/2#discussion_r284312630',
          },
        },
      ],
    }),
  ),

  // --- push ---
  {
    title: 'push to a branch',
    name: 'push',
    payload: example('push', undefined, (p) => p.ref === 'refs/heads/master'),
    expected: [
      {
        ...common,
        kind: 'push',
        branch: 'master',
        before: ZERO_SHA,
        after: STATUS_SHA,
        deleted: false,
        changedFiles: ['README.md'],
      },
    ],
  },
  {
    title: 'push of several commits lists each changed path once',
    name: 'push',
    payload: edit(
      example('push', undefined, (p) => p.ref === 'refs/heads/master'),
      (p) => {
        const [first] = p.commits;
        p.commits = [
          { ...first, added: ['src/a.ts'], removed: ['old.txt'], modified: ['README.md'] },
          { ...first, added: [], removed: ['src/a.ts'], modified: ['README.md', 'docs/b.md'] },
        ];
      },
    ),
    expected: [
      {
        ...common,
        kind: 'push',
        branch: 'master',
        before: ZERO_SHA,
        after: STATUS_SHA,
        deleted: false,
        changedFiles: ['src/a.ts', 'old.txt', 'README.md', 'docs/b.md'],
      },
    ],
  },
  {
    title: 'push of a tag is not handled',
    name: 'push',
    payload: example('push', undefined, (p) => p.ref === 'refs/tags/simple-tag' && !p.deleted),
    expected: [],
  },
  {
    title: 'deletion of a tag is not handled',
    name: 'push',
    payload: example('push', undefined, (p) => p.ref === 'refs/tags/simple-tag' && p.deleted),
    expected: [],
  },
  {
    title: 'deletion of a branch is a deleted push',
    name: 'push',
    payload: edit(
      example('push', undefined, (p) => p.ref === 'refs/heads/master'),
      (p) => {
        p.deleted = true;
        p.before = p.after;
        p.after = ZERO_SHA;
        p.commits = [];
      },
    ),
    expected: [{ ...common, kind: 'push', branch: 'master', before: STATUS_SHA, after: ZERO_SHA, deleted: true, changedFiles: [] }],
  },
  {
    title: 'a push whose after is all zeros is deleted even without the flag',
    name: 'push',
    payload: edit(
      example('push', undefined, (p) => p.ref === 'refs/heads/master'),
      (p) => {
        delete p.deleted;
        p.before = p.after;
        p.after = ZERO_SHA;
        p.commits = [];
      },
    ),
    expected: [{ ...common, kind: 'push', branch: 'master', before: STATUS_SHA, after: ZERO_SHA, deleted: true, changedFiles: [] }],
  },

  // --- status ---
  {
    title: 'status without description or target',
    name: 'status',
    payload: example('status'),
    expected: [
      {
        ...bare,
        kind: 'status',
        sha: STATUS_SHA,
        context: 'default',
        state: 'success',
      },
    ],
  },
  {
    title: 'status with description and target',
    name: 'status',
    payload: edit(example('status'), (p) => {
      p.state = 'failure';
      p.context = 'ci/unit';
      p.description = '2 tests failed';
      p.target_url = 'https://ci.test/runs/9';
    }),
    expected: [
      {
        ...bare,
        kind: 'status',
        sha: STATUS_SHA,
        context: 'ci/unit',
        state: 'failure',
        description: '2 tests failed',
        targetUrl: 'https://ci.test/runs/9',
      },
    ],
  },

  // --- check_run ---
  {
    title: 'check_run created (queued) is pending',
    name: 'check_run',
    payload: example('check_run', 'created'),
    expected: [
      {
        ...bare,
        kind: 'status',
        sha: HEAD_SHA,
        context: 'Octocoders-linter',
        state: 'pending',
        targetUrl: 'https://octocoders.github.io',
      },
    ],
  },
  ...(['failure', 'success'] as const).map(
    (conclusion): Case => ({
      title: `check_run completed (${conclusion})`,
      name: 'check_run',
      payload: example('check_run', 'completed', (p) => p.check_run.conclusion === conclusion),
      expected: [
        {
          ...bare,
          kind: 'status',
          sha: HEAD_SHA,
          context: 'Octocoders-linter',
          state: conclusion,
          targetUrl: 'https://octocoders.io',
        },
      ],
    }),
  ),
  {
    title: 'check_run completed (neutral), linked by html_url when it has no details_url',
    name: 'check_run',
    payload: edit(example('check_run', 'rerequested', withInstallation), (p) => {
      p.action = 'completed';
    }),
    expected: [
      {
        forge: 'github',
        deliveryId: DELIVERY,
        repo: { forge: 'github', owner: 'github', name: 'hello-world' },
        sender: { login: 'octocat', isBot: false },
        installationId: 1,
        kind: 'status',
        sha: 'd6fde92930d4715a2b49857d24b940956b26d2d3',
        context: 'randscape',
        state: 'success',
        description: 'Report',
        targetUrl: 'http://github.com/github/hello-world/runs/4',
      },
    ],
  },
  {
    title: 'check_run rerequested is a re-run request (the Re-run button), without an external id when it has none',
    name: 'check_run',
    payload: example('check_run', 'rerequested', withInstallation),
    expected: [
      {
        forge: 'github',
        deliveryId: DELIVERY,
        repo: { forge: 'github', owner: 'github', name: 'hello-world' },
        sender: { login: 'octocat', isBot: false },
        installationId: 1,
        kind: 'rerun_request',
        sha: 'd6fde92930d4715a2b49857d24b940956b26d2d3',
        checkRun: { name: 'randscape' },
        changeNumbers: [],
      },
    ],
  },
  {
    title: "check_run rerequested carries the external id (the bot's run id) and the linked changes",
    name: 'check_run',
    payload: edit(example('check_run', 'rerequested', withInstallation), (p) => {
      p.check_run.external_id = 'r0123456789abcdef01234567';
      p.check_run.pull_requests = [{ number: 7, id: 1, url: 'https://api.github.com/repos/github/hello-world/pulls/7' }];
    }),
    expected: [
      {
        forge: 'github',
        deliveryId: DELIVERY,
        repo: { forge: 'github', owner: 'github', name: 'hello-world' },
        sender: { login: 'octocat', isBot: false },
        installationId: 1,
        kind: 'rerun_request',
        sha: 'd6fde92930d4715a2b49857d24b940956b26d2d3',
        checkRun: { name: 'randscape', externalId: 'r0123456789abcdef01234567' },
        changeNumbers: [7],
      },
    ],
  },
  {
    title: 'check_suite rerequested ("Re-run all checks") is a re-run request for the suite',
    name: 'check_suite',
    payload: example('check_suite', 'rerequested'),
    expected: [
      {
        ...bare,
        sender: { login: 'octocoders-linter[bot]', isBot: true },
        installationId: 957387,
        kind: 'rerun_request',
        sha: HEAD_SHA,
        checkSuiteId: 118578147,
        changeNumbers: [2],
      },
    ],
  },

  // --- workflow_run ---
  {
    title: 'workflow_run requested (queued) is pending',
    name: 'workflow_run',
    payload: example('workflow_run', 'requested', (p) => p.workflow_run.status === 'queued'),
    expected: [{ ...bare, ...RUN, state: 'pending', description: 'workflow run queued' }],
  },
  {
    title: 'workflow_run in_progress is running',
    name: 'workflow_run',
    payload: edit(
      example('workflow_run', 'requested', (p) => p.workflow_run.status === 'queued'),
      (p) => {
        p.action = 'in_progress';
        p.workflow_run.status = 'in_progress';
      },
    ),
    expected: [{ ...bare, ...RUN, state: 'running', description: 'workflow run in_progress' }],
  },
  {
    title: 'workflow_run completed (success)',
    name: 'workflow_run',
    payload: example('workflow_run', 'completed', (p) => p.workflow_run.conclusion === 'success'),
    expected: [{ ...bare, ...RUN, state: 'success', description: 'workflow run success' }],
  },
  {
    title: 'workflow_run completed (action_required) is an error naming the conclusion',
    name: 'workflow_run',
    payload: edit(
      example('workflow_run', 'requested', (p) => p.workflow_run.conclusion === 'action_required'),
      (p) => {
        p.action = 'completed';
      },
    ),
    expected: [{ ...bare, ...RUN, state: 'error', description: 'workflow run action_required' }],
  },
  {
    title: 'workflow_run without a display_title (older payloads) has no title',
    name: 'workflow_run',
    payload: example('workflow_run', 'completed', (p) => p.workflow_run.display_title === undefined),
    expected: [
      {
        ...bare,
        kind: 'runner',
        system: 'github-actions',
        externalId: '1589141559',
        sha: '5779607b49aab1200488439f02372c57b4f75444',
        state: 'pending',
        description: 'workflow run queued',
        url: 'https://github.com/octo-org/octo-repo/actions/runs/1589141559',
      },
    ],
  },
  {
    title: 'workflow_run of another action is not handled',
    name: 'workflow_run',
    payload: { action: 'renamed' },
    expected: [],
  },

  // --- events we do not handle ---
  { title: 'star is not handled', name: 'star', payload: example('star', 'created'), expected: [] },
  { title: 'check_suite completed is not handled', name: 'check_suite', payload: example('check_suite', 'completed'), expected: [] },
  { title: 'an unknown event is not handled', name: 'no_such_event', payload: { action: 'created' }, expected: [] },
  { title: 'an unhandled action is not validated', name: 'pull_request', payload: { action: 'assigned' }, expected: [] },
];

describe('normalizeGitHubEvent', () => {
  for (const c of cases) {
    it(c.title, () => {
      const events = normalizeGitHubEvent(c.name, c.payload, DELIVERY);
      assert.deepEqual(events, c.expected);
      // events go through the queue as JSON: nothing may be lost on the way
      assert.deepEqual(JSON.parse(JSON.stringify(events)), events);
    });
  }

  it('throws on a handled payload without a repository, naming the field', () => {
    const payload = example('pull_request', 'opened');
    delete payload.repository;
    assert.throws(() => normalizeGitHubEvent('pull_request', payload, DELIVERY), /pull_request payload.*repository/);
  });

  it('throws on a check_run without a head sha, naming the field', () => {
    const payload = example('check_run', 'completed');
    delete payload.check_run.head_sha;
    assert.throws(() => normalizeGitHubEvent('check_run', payload, DELIVERY), /check_run\.head_sha/);
  });

  it('throws on a workflow_run without a head sha, naming the field', () => {
    const payload = example('workflow_run', 'completed', (p) => p.workflow_run.conclusion === 'success');
    delete payload.workflow_run.head_sha;
    assert.throws(() => normalizeGitHubEvent('workflow_run', payload, DELIVERY), /workflow_run\.head_sha/);
  });

  it('throws on a pull request whose number is not a number', () => {
    const payload = edit(example('pull_request', 'synchronize'), (p) => {
      p.pull_request.number = '2';
    });
    assert.throws(() => normalizeGitHubEvent('pull_request', payload, DELIVERY), /pull_request\.number/);
  });
});

describe('checkRunState', () => {
  const table: [status: string, conclusion: string | null, expected: string][] = [
    ['queued', null, 'pending'],
    ['in_progress', null, 'pending'],
    ['waiting', null, 'pending'],
    ['completed', 'success', 'success'],
    ['completed', 'neutral', 'success'],
    ['completed', 'skipped', 'success'],
    ['completed', 'failure', 'failure'],
    ['completed', 'timed_out', 'failure'],
    ['completed', 'cancelled', 'error'],
    ['completed', 'action_required', 'error'],
    ['completed', 'stale', 'error'],
  ];
  for (const [status, conclusion, expected] of table) {
    it(`${status}/${conclusion} -> ${expected}`, () => assert.equal(checkRunState(status, conclusion), expected));
  }
});

describe('workflowRunState', () => {
  const table: [status: string, conclusion: string | null, expected: string][] = [
    ['requested', null, 'pending'],
    ['queued', null, 'pending'],
    ['waiting', null, 'pending'],
    ['pending', null, 'pending'],
    ['in_progress', null, 'running'],
    ['completed', 'success', 'success'],
    ['completed', 'failure', 'failure'],
    ['completed', 'timed_out', 'failure'],
    ['completed', 'cancelled', 'aborted'],
    ['completed', 'startup_failure', 'error'],
    ['completed', 'action_required', 'error'],
    ['completed', 'stale', 'error'],
    ['completed', 'skipped', 'error'],
    ['completed', 'neutral', 'error'],
    ['completed', null, 'error'],
  ];
  for (const [status, conclusion, expected] of table) {
    it(`${status}/${conclusion} -> ${expected}`, () => assert.equal(workflowRunState(status, conclusion), expected));
  }
});
