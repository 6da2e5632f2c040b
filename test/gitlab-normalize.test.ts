// normalizeGitLabEvent over real 2017-era deliveries (fixtures/gitlab/go-scm) and current-format
// payloads written from GitLab's webhook docs (fixtures/gitlab/docs).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { normalizeGitLabEvent, pipelineRunState } from '../src/forge/gitlab/normalize.js';

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/gitlab/${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** Marks a field that must not be present. */
const ABSENT = Symbol('absent');

/** Asserts `actual` has every field of `expected` (recursively; arrays element by element). */
function like(actual: unknown, expected: unknown, path = 'events'): void {
  if (expected === ABSENT) {
    assert.equal(actual, undefined, `${path} should be absent`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} should be an array`);
    assert.equal(actual.length, expected.length, `${path} length`);
    expected.forEach((e, i) => like(actual[i], e, `${path}[${i}]`));
    return;
  }
  if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', `${path} should be an object`);
    for (const [key, value] of Object.entries(expected)) like((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  assert.equal(actual, expected, path);
}

const OLD_REPO = { forge: 'gitlab', owner: 'gitlab-org', name: 'hello-world' };
const OLD_HEAD = 'c4c79227ed610f1151f05bbc5be33b4f340d39c8';
const sytses = { login: 'sytses', isBot: false };
const oldChange = {
  number: 1,
  title: 'update readme',
  state: 'open',
  draft: false,
  labels: [],
  author: ABSENT,
  url: 'https://gitlab.com/gitlab-org/hello-world/merge_requests/1',
  baseRef: 'master',
  headRef: 'feature',
  headSha: OLD_HEAD,
};

const DOC_REPO = { forge: 'gitlab', owner: 'gitlabhq', name: 'gitlab-test' };
const NOTE_REPO = { forge: 'gitlab', owner: 'gitlab-org', name: 'gitlab-test' };
const NESTED_REPO = { forge: 'gitlab', owner: 'acme/platform', name: 'widgets' };
const DOC_HEAD = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
const docChange = {
  number: 1,
  title: 'MS-Viewport',
  state: 'open',
  draft: false,
  labels: ['API'],
  url: 'http://example.com/gitlabhq/gitlab-test/-/merge_requests/1',
  baseRef: 'master',
  headRef: 'ms-viewport',
  headSha: DOC_HEAD,
};
const noteChange = {
  number: 1,
  title: 'Tempora et eos debitis quae laborum et.',
  state: 'open',
  draft: false,
  labels: ['Afterpod', 'Element'],
  url: 'http://example.com/gitlab-org/gitlab-test/-/merge_requests/1',
  baseRef: 'markdown',
  headRef: 'master',
  headSha: '562e173be03b8ff2efb05345d12df18815438a4b',
};
const PIPELINE_SHA = 'bcbb5ec396a2c0f828686f14fac9b80b780504f2';
const root = { login: 'root', isBot: false };

interface Case {
  name: string;
  header: string;
  payload: string | unknown;
  expected: unknown[];
}

const cases: Case[] = [
  // --- real deliveries (go-scm) ---
  { name: 'old note on an issue', header: 'Note Hook', payload: 'go-scm/issue_comment_create.json', expected: [] },
  {
    name: 'old note on a merge request (no action field, no labels)',
    header: 'Note Hook',
    payload: 'go-scm/pull_request_comment_create.json',
    expected: [
      {
        kind: 'comment',
        action: 'created',
        forge: 'gitlab',
        repo: OLD_REPO,
        sender: sytses,
        change: { ...oldChange, title: 'Update readme' },
        comment: {
          id: 50772616,
          body: 'lgtm',
          author: 'sytses',
          url: 'https://gitlab.com/gitlab-org/hello-world/merge_requests/1#note_50772616',
        },
      },
    ],
  },
  {
    name: 'old diff note on a merge request',
    header: 'Note Hook',
    payload: 'go-scm/review_comment_create.json',
    expected: [
      { kind: 'comment', action: 'created', change: oldChange, comment: { id: 50772639, body: 'check spelling', author: 'sytses' } },
    ],
  },
  {
    name: 'old merge request opened',
    header: 'Merge Request Hook',
    payload: 'go-scm/pull_request_create.json',
    expected: [{ kind: 'pull_request', action: 'opened', repo: OLD_REPO, sender: sytses, change: oldChange, label: ABSENT }],
  },
  {
    name: 'old merge request closed',
    header: 'Merge Request Hook',
    payload: 'go-scm/pull_request_close.json',
    expected: [{ kind: 'pull_request', action: 'closed', change: { ...oldChange, state: 'closed' } }],
  },
  {
    name: 'old merge request reopened',
    header: 'Merge Request Hook',
    payload: 'go-scm/pull_request_reopen.json',
    expected: [{ kind: 'pull_request', action: 'reopened', change: oldChange }],
  },
  {
    name: 'old merge request merged',
    header: 'Merge Request Hook',
    payload: 'go-scm/pull_request_merge.json',
    expected: [{ kind: 'pull_request', action: 'closed', change: { ...oldChange, state: 'merged' } }],
  },
  {
    name: 'old update with a new push and a label swap',
    header: 'Merge Request Hook',
    payload: 'go-scm/pull_request_edited.json',
    expected: [
      { kind: 'pull_request', action: 'synchronize', change: { ...oldChange, labels: ['API'] } },
      { kind: 'pull_request', action: 'unlabeled', label: 'API' },
      { kind: 'pull_request', action: 'labeled', label: 'Platform' },
    ],
  },
  {
    name: 'old push',
    header: 'Push Hook',
    payload: 'go-scm/push.json',
    expected: [
      {
        kind: 'push',
        repo: OLD_REPO,
        sender: sytses,
        branch: 'master',
        before: '9217710ce8c7e1eae7a5d1c45f6e43e1c769f866',
        after: '2adc9465c4edfc33834e173fe89436a7cb899a1d',
        deleted: false,
        changedFiles: ['README.md'],
      },
    ],
  },
  {
    name: 'old push of a merge',
    header: 'Push Hook',
    payload: 'go-scm/push_merge.json',
    expected: [
      {
        kind: 'push',
        branch: 'master',
        before: '2adc9465c4edfc33834e173fe89436a7cb899a1d',
        after: '78a76ee6b4992a6baf64c59fc4c44c7323d60438',
        changedFiles: ['README.md'],
      },
    ],
  },
  {
    name: 'old branch creation is a push',
    header: 'Push Hook',
    payload: 'go-scm/branch_create.json',
    expected: [{ kind: 'push', branch: 'feature', before: '0'.repeat(40), after: OLD_HEAD, deleted: false }],
  },

  // --- comment events, current format ---
  {
    name: 'note created on a merge request by someone other than its author',
    header: 'Note Hook',
    payload: 'docs/note_merge_request_create.json',
    expected: [
      {
        kind: 'comment',
        action: 'created',
        repo: NOTE_REPO,
        sender: root,
        change: { ...noteChange, author: ABSENT },
        comment: { id: 1244, body: '/lgtm', author: 'root', url: 'http://example.com/gitlab-org/gitlab-test/-/merge_requests/1#note_1244' },
      },
    ],
  },
  {
    name: 'note edited by the merge request author (author known by id)',
    header: 'Note Hook',
    payload: 'docs/note_merge_request_update.json',
    expected: [
      {
        kind: 'comment',
        action: 'edited',
        sender: { login: 'mr-author', isBot: false },
        change: { ...noteChange, title: 'Draft: Tempora et eos debitis quae laborum et.', draft: true, author: 'mr-author' },
        comment: { id: 1245, body: '/hold cancel', author: 'mr-author' },
      },
    ],
  },
  {
    name: 'note by a group access token bot',
    header: 'Note Hook',
    payload: 'docs/note_merge_request_bot.json',
    expected: [{ kind: 'comment', sender: { login: 'group_4_bot_9f8e7d6c', isBot: true }, comment: { body: '/retest' } }],
  },
  { name: 'system note on a merge request', header: 'Note Hook', payload: 'docs/note_merge_request_system.json', expected: [] },
  { name: 'note on an issue', header: 'Note Hook', payload: 'docs/note_issue.json', expected: [] },
  { name: 'note on a commit', header: 'Note Hook', payload: 'docs/note_commit.json', expected: [] },
  { name: 'note on a snippet', header: 'Note Hook', payload: 'docs/note_snippet.json', expected: [] },

  // --- merge request events, current format ---
  {
    name: 'opened by its author',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_open.json',
    expected: [
      {
        kind: 'pull_request',
        action: 'opened',
        repo: DOC_REPO,
        sender: { login: 'alice', isBot: false },
        change: { ...docChange, author: 'alice' },
      },
    ],
  },
  {
    name: 'update with oldrev (new commits)',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_update_push.json',
    expected: [
      { kind: 'pull_request', action: 'synchronize', change: { ...docChange, headSha: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327' } },
    ],
  },
  {
    name: 'label changes, one event per label',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_update_labels.json',
    expected: [
      {
        kind: 'pull_request',
        action: 'unlabeled',
        label: 'API',
        sender: root,
        change: { labels: ['Platform', 'approved', 'lgtm'], author: ABSENT },
      },
      { kind: 'pull_request', action: 'labeled', label: 'Platform' },
      { kind: 'pull_request', action: 'labeled', label: 'approved' },
    ],
  },
  {
    name: 'marked ready (draft true -> false, title loses its prefix)',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_update_ready.json',
    expected: [
      { kind: 'pull_request', action: 'ready_for_review', change: { draft: false } },
      { kind: 'pull_request', action: 'edited' },
    ],
  },
  {
    name: 'marked draft is only an edit',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_update_draft.json',
    expected: [{ kind: 'pull_request', action: 'edited', change: { draft: true, title: 'Draft: MS-Viewport' } }],
  },
  {
    name: 'description edited',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_update_description.json',
    expected: [{ kind: 'pull_request', action: 'edited', change: { number: 1 } }],
  },
  {
    name: 'reviewers changed: nothing to report',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_update_reviewers.json',
    expected: [],
  },
  {
    name: 'approved (all approvals given), nested group',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_approved.json',
    expected: [
      {
        kind: 'review',
        action: 'approved',
        repo: NESTED_REPO,
        sender: { login: 'bob', isBot: false },
        review: { id: 52, author: 'bob', body: '' },
        change: { number: 1, url: 'http://example.com/acme/platform/widgets/-/merge_requests/1', author: ABSENT },
      },
    ],
  },
  {
    name: 'approval (one of several)',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_approval.json',
    expected: [{ kind: 'review', action: 'approved', review: { author: 'bob' } }],
  },
  {
    name: 'unapproved',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_unapproved.json',
    expected: [{ kind: 'review', action: 'dismissed', review: { author: 'bob' } }],
  },
  {
    name: 'unapproval',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_unapproval.json',
    expected: [{ kind: 'review', action: 'dismissed', review: { id: 52, author: 'bob' } }],
  },
  {
    name: 'merged by a project access token bot',
    header: 'Merge Request Hook',
    payload: 'docs/merge_request_merge.json',
    expected: [
      {
        kind: 'pull_request',
        action: 'closed',
        sender: { login: 'project_14_bot_3c1d2e5f', isBot: true },
        change: { state: 'merged', author: ABSENT },
      },
    ],
  },

  // --- pipelines: a commit status, then a runner event ---
  {
    name: 'pipeline succeeded for a merge request',
    header: 'Pipeline Hook',
    payload: 'docs/pipeline_success.json',
    expected: [
      {
        kind: 'status',
        repo: NOTE_REPO,
        sender: root,
        sha: PIPELINE_SHA,
        context: 'Pipeline for branch: master',
        state: 'success',
        description: 'passed',
        changeNumber: 1,
        targetUrl: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31',
      },
      {
        kind: 'runner',
        repo: NOTE_REPO,
        sender: root,
        system: 'gitlab-pipeline',
        externalId: '31',
        title: 'Pipeline for branch: master',
        sha: PIPELINE_SHA,
        state: 'success',
        description: 'pipeline success',
        url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31',
      },
    ],
  },
  {
    name: 'pipeline failed, unnamed, without url, not for a merge request',
    header: 'Pipeline Hook',
    payload: 'docs/pipeline_failed.json',
    expected: [
      {
        kind: 'status',
        sha: PIPELINE_SHA,
        context: 'gitlab-pipeline',
        state: 'failure',
        changeNumber: ABSENT,
        targetUrl: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/32',
      },
      {
        kind: 'runner',
        system: 'gitlab-pipeline',
        externalId: '32',
        title: ABSENT,
        sha: PIPELINE_SHA,
        state: 'failure',
        description: 'pipeline failed',
        url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/32',
      },
    ],
  },
  {
    name: 'pipeline canceled',
    header: 'Pipeline Hook',
    payload: 'docs/pipeline_canceled.json',
    expected: [
      { kind: 'status', state: 'error' },
      { kind: 'runner', externalId: '33', state: 'aborted' },
    ],
  },
  {
    name: 'pipeline running',
    header: 'Pipeline Hook',
    payload: 'docs/pipeline_running.json',
    expected: [
      { kind: 'status', state: 'pending' },
      { kind: 'runner', externalId: '34', state: 'running' },
    ],
  },
  {
    name: 'pipeline skipped',
    header: 'Pipeline Hook',
    payload: 'docs/pipeline_skipped.json',
    expected: [
      { kind: 'status', state: 'success' },
      { kind: 'runner', externalId: '35', state: 'error', description: 'pipeline skipped' },
    ],
  },

  // --- pushes and the rest ---
  {
    name: 'push of two commits lists each changed path once',
    header: 'Push Hook',
    payload: 'docs/push.json',
    expected: [
      {
        kind: 'push',
        repo: { forge: 'gitlab', owner: 'mike', name: 'diaspora' },
        sender: { login: 'jsmith', isBot: false },
        branch: 'master',
        before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
        after: DOC_HEAD,
        deleted: false,
        changedFiles: ['CHANGELOG', 'app/controller/application.rb', 'README.md'],
      },
    ],
  },
  {
    name: 'branch deletion',
    header: 'Push Hook',
    payload: 'docs/push_branch_delete.json',
    expected: [{ kind: 'push', branch: 'feature', after: '0'.repeat(40), deleted: true, changedFiles: [] }],
  },
  {
    name: 'push by a project access token bot',
    header: 'Push Hook',
    payload: 'docs/push_by_bot.json',
    expected: [
      {
        kind: 'push',
        repo: { forge: 'gitlab', owner: 'mike', name: 'diaspora' },
        sender: { login: 'project_15_bot_1a2b3c4d', isBot: true },
        branch: 'release/1.2',
        before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
        after: DOC_HEAD,
        deleted: false,
        changedFiles: [],
      },
    ],
  },
  { name: 'tag push', header: 'Tag Push Hook', payload: 'docs/tag_push.json', expected: [] },
  { name: 'unknown event header', header: 'Issue Hook', payload: 'docs/note_issue.json', expected: [] },
  { name: 'unknown event with an empty body', header: 'Wiki Page Hook', payload: {}, expected: [] },
  { name: 'header naming an Object.prototype member', header: 'constructor', payload: {}, expected: [] },
];

describe('normalizeGitLabEvent', () => {
  for (const c of cases) {
    it(c.name, () => {
      const deliveryId = `delivery-${c.name}`;
      const payload = typeof c.payload === 'string' ? fixture(c.payload) : c.payload;
      const events = normalizeGitLabEvent(c.header, payload, deliveryId);
      like(events, c.expected);
      for (const e of events) {
        assert.equal(e.forge, 'gitlab');
        assert.equal(e.deliveryId, deliveryId);
      }
    });
  }

  it('gives events from one delivery separate change objects', () => {
    const events = normalizeGitLabEvent('Merge Request Hook', fixture('docs/merge_request_update_labels.json'), 'd');
    assert.equal(events.length, 3);
    const [a, b] = events as Array<{ change: { labels: string[] } }>;
    a!.change.labels.push('mutated');
    assert.deepEqual(b!.change.labels, ['Platform', 'approved', 'lgtm']);
  });

  it('produces plain JSON (events go through the queue)', () => {
    for (const c of cases) {
      if (typeof c.payload !== 'string') continue;
      const events = normalizeGitLabEvent(c.header, fixture(c.payload), 'd');
      assert.deepEqual(JSON.parse(JSON.stringify(events)), events, c.name);
    }
  });
});

describe('pipelineRunState', () => {
  const table: Array<[status: string, expected: string]> = [
    ['created', 'pending'],
    ['waiting_for_resource', 'pending'],
    ['preparing', 'pending'],
    ['pending', 'pending'],
    ['scheduled', 'pending'],
    ['manual', 'pending'],
    ['running', 'running'],
    ['success', 'success'],
    ['failed', 'failure'],
    ['canceled', 'aborted'],
    ['canceling', 'aborted'],
    ['skipped', 'error'],
  ];
  for (const [status, expected] of table) {
    it(`${status} -> ${expected}`, () => assert.equal(pipelineRunState(status), expected));
  }
});

describe('normalizeGitLabEvent on broken payloads', () => {
  const without = (path: string, ...keys: string[]) => {
    const payload = fixture(path);
    let target = payload;
    for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
    delete target[keys.at(-1)!];
    return payload;
  };
  const broken: Array<[name: string, header: string, payload: unknown, field: RegExp]> = [
    [
      'merge request without iid',
      'Merge Request Hook',
      without('docs/merge_request_open.json', 'object_attributes', 'iid'),
      /object_attributes\.iid/,
    ],
    ['merge request without project', 'Merge Request Hook', without('go-scm/pull_request_create.json', 'project'), /\bproject\b/],
    ['note without merge_request', 'Note Hook', without('docs/note_merge_request_create.json', 'merge_request'), /merge_request/],
    [
      'note without object_attributes',
      'Note Hook',
      without('docs/note_merge_request_create.json', 'object_attributes'),
      /object_attributes/,
    ],
    ['push without user_username', 'Push Hook', without('go-scm/push.json', 'user_username'), /user_username/],
    [
      'pipeline with a numeric sha',
      'Pipeline Hook',
      {
        ...fixture('docs/pipeline_success.json'),
        object_attributes: { ...(fixture('docs/pipeline_success.json').object_attributes as object), sha: 42 },
      },
      /object_attributes\.sha/,
    ],
    ['null payload', 'Merge Request Hook', null, /Merge Request Hook payload/],
  ];
  for (const [name, header, payload, field] of broken) {
    it(`throws naming the field: ${name}`, () => {
      assert.throws(
        () => normalizeGitLabEvent(header, payload, 'd'),
        (err: Error) => {
          assert.ok(err instanceof Error);
          assert.match(err.message, field);
          return true;
        },
      );
    });
  }
});
