// Prow's tide section as this project's merge queue: which repositories get one, with which labels,
// merge method, batch size, priority and contexts; and what cannot be carried over.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNote, Notes } from '../../src/import-prow/notes.js';
import { parseSourceFile } from '../../src/import-prow/source-file.js';
import { importTide } from '../../src/import-prow/tide.js';

const ALL = ['approve', 'hold', 'lgtm', 'trigger'];

function load(tide: string[]) {
  const notes = new Notes();
  const imported = importTide(parseSourceFile(['tide:', ...tide.map((l) => `  ${l}`)].join('\n'), 'config.yaml'), notes);
  assert.ok(imported);
  return {
    tide: imported,
    notes: notes.list.map(formatNote),
    queue: (org: string, repo?: string, plugins = ALL) => imported.mergeQueueFor({ org, ...(repo ? { repo } : {}) }, plugins),
  };
}

const K8S_QUERY = [
  'queries:',
  '- orgs: [kubernetes]',
  '  excludedRepos: [kubernetes/kubernetes]',
  '  labels: [lgtm, approved, "cncf-cla: yes"]',
  '  missingLabels: [do-not-merge/hold, needs-rebase]',
  '- repos: [kubernetes/kubernetes]',
  '  labels: [lgtm, approved]',
  '  missingLabels: [do-not-merge/hold, do-not-merge/needs-sig]',
];

describe('import-prow: tide', () => {
  it('gives a repository the labels of the query covering it, explicitly (tide has no default labels)', () => {
    const { queue } = load(K8S_QUERY);
    const org = queue('kubernetes').mergeQueue;
    assert.deepEqual(org?.labels, ['lgtm', 'approved', 'cncf-cla: yes']);
    assert.deepEqual(org?.missing_labels, ['do-not-merge/hold', 'needs-rebase']);
    assert.equal(org?.policy, 'tide');
    assert.deepEqual(queue('kubernetes', 'kubernetes').mergeQueue?.missing_labels, ['do-not-merge/hold', 'do-not-merge/needs-sig']);
    assert.deepEqual(queue('kubernetes', 'test-infra').mergeQueue?.labels, ['lgtm', 'approved', 'cncf-cla: yes']);
    assert.equal(queue('elsewhere').mergeQueue, undefined);
    const none = load(['queries:', '- repos: [acme/cli]', '  labels: [lgtm]']).queue('acme', 'cli').mergeQueue;
    assert.deepEqual(none?.missing_labels, []);
  });

  it('leaves out a query with conditions the queue cannot express, rather than merging more than tide would', () => {
    const { queue, notes } = load([
      'queries:',
      '- repos: [acme/widgets]',
      '  author: acme-ci-robot',
      '  labels: [skip-review]',
      '- repos: [acme/website]',
      '  includedBranches: [main]',
      '  labels: [lgtm]',
    ]);
    assert.equal(queue('acme', 'widgets').mergeQueue, undefined);
    assert.equal(queue('acme', 'website').mergeQueue, undefined);
    assert.deepEqual(notes, [
      'config.yaml:3: tide.queries.0: left out: the merge queue has no author acme-ci-robot condition, and dropping it would merge changes this query does not (it covered acme/widgets)',
      'config.yaml:6: tide.queries.1: left out: the merge queue has no includedBranches condition, and dropping it would merge changes this query does not (it covered acme/website)',
    ]);
  });

  it('takes the first of several differing queries covering a repository, and says so', () => {
    const { queue } = load([
      'queries:',
      '- orgs: [acme]',
      '  labels: [lgtm, approved]',
      '- repos: [acme/docs]',
      '  labels: [lgtm]',
      '- orgs: [acme]',
      '  labels: [approved, lgtm]',
    ]);
    const docs = queue('acme', 'docs');
    assert.deepEqual(docs.mergeQueue?.labels, ['lgtm', 'approved']);
    assert.equal(docs.notes.length, 2, docs.notes.map((n) => n.message).join('\n')); // and the contexts note
    assert.match(
      docs.notes[0]!.message,
      /any of queries 0, 1; the merge queue takes one label set per repository, so only query 0's applies there/,
    );
    // the same labels in another order are the same query
    assert.ok(!queue('acme', 'widgets').notes.some((n) => /any of queries/.test(n.message)));
  });

  it('resolves merge methods as Prow does: org/repo, then org: {repo or *}, then org, then merge', () => {
    const { queue, notes } = load([
      'queries:',
      '- orgs: [acme, tools, misc]',
      '  labels: [lgtm]',
      'merge_method:',
      '  acme/gadgets: squash',
      '  acme:',
      '    widgets: rebase',
      '    "*": squash',
      '    website:',
      '      main: squash',
      '  tools: rebase',
      '  tools/cli@release-1.0: merge',
    ]);
    assert.equal(queue('acme', 'gadgets').mergeQueue?.merge_method, 'squash');
    assert.equal(queue('acme', 'widgets').mergeQueue?.merge_method, 'rebase');
    assert.equal(queue('acme', 'other').mergeQueue?.merge_method, 'squash');
    assert.equal(queue('acme').mergeQueue?.merge_method, 'squash');
    assert.equal(queue('tools', 'cli').mergeQueue?.merge_method, 'rebase');
    assert.equal(queue('misc').mergeQueue?.merge_method, 'merge');
    assert.ok(
      notes.some((n) => n.startsWith('config.yaml:10: tide.merge_method.acme.website: no equivalent: merge methods per branch')),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) => n.startsWith('config.yaml:13: tide.merge_method.tools/cli@release-1.0: no equivalent: a merge method per branch')),
    );
  });

  it("writes tide's merge-method labels as they are (tide has none unless set)", () => {
    const unset = load(['queries: [{orgs: [acme], labels: [lgtm]}]']).queue('acme').mergeQueue;
    assert.deepEqual([unset?.merge_label, unset?.squash_label, unset?.rebase_label], ['', '', '']);
    const set = load(['queries: [{orgs: [acme], labels: [lgtm]}]', 'squash_label: tide/merge-method-squash']).queue('acme').mergeQueue;
    assert.equal(set?.squash_label, 'tide/merge-method-squash');
  });

  it('maps batch_size_limit (repo, org, "*"; -1 no batches; 0 or unset unlimited) to batch_size', () => {
    const { queue, notes } = load([
      'queries: [{orgs: [acme, tools, misc], labels: [lgtm]}]',
      'batch_size_limit:',
      '  acme/widgets: 15',
      '  acme/huge: 200',
      '  acme: -1',
      '  "*": 0',
    ]);
    assert.equal(queue('acme', 'widgets').mergeQueue?.batch_size, 15);
    assert.equal(queue('acme', 'other').mergeQueue?.batch_size, 1);
    const huge = queue('acme', 'huge');
    assert.equal(huge.mergeQueue?.batch_size, 64);
    assert.match(huge.notes.map((n) => n.message).join('\n'), /batch_size 200 lowered to 64/);
    const misc = queue('misc');
    assert.equal(misc.mergeQueue?.batch_size, 64);
    assert.match(
      misc.notes.map((n) => `${n.path}: ${n.message}`).join('\n'),
      /tide\.batch_size_limit\.\*: tide's unlimited batch size becomes batch_size 64/,
    );
    assert.deepEqual(notes, []);
  });

  it('carries priority label sets and context options (lists unioned from global to org to repo)', () => {
    const { queue, notes } = load([
      'queries: [{orgs: [acme], labels: [lgtm]}]',
      'priority:',
      '- labels: [kind/flake, priority/critical-urgent]',
      '- labels: [priority/critical-urgent]',
      'context_options:',
      '  required-contexts: [cla]',
      '  skip-unknown-contexts: true',
      '  orgs:',
      '    acme:',
      '      optional-contexts: [EasyCLA]',
      '      repos:',
      '        widgets:',
      '          required-contexts: ["ci/jenkins: build"]',
      '          required-if-present-contexts: [coverage]',
      '          branches:',
      '            release-1.0: {optional-contexts: [flaky]}',
    ]);
    const widgets = queue('acme', 'widgets');
    assert.deepEqual(widgets.mergeQueue?.priority, [['kind/flake', 'priority/critical-urgent'], ['priority/critical-urgent']]);
    assert.deepEqual(widgets.mergeQueue?.required_contexts, ['ci/jenkins: build', 'cla']);
    assert.deepEqual(widgets.mergeQueue?.optional_contexts, ['EasyCLA']);
    assert.deepEqual(queue('acme').mergeQueue?.required_contexts, ['cla']);
    assert.deepEqual(widgets.notes, [], 'skip-unknown-contexts is on: nothing differs');
    assert.ok(
      notes.some((n) =>
        n.startsWith('config.yaml:15: tide.context_options.orgs.acme.repos.widgets.required-if-present-contexts: no equivalent'),
      ),
      notes.join('\n'),
    );
    assert.ok(notes.some((n) => n.startsWith('config.yaml:16: tide.context_options.orgs.acme.repos.widgets.branches: no equivalent')));
  });

  it('says where tide judges more contexts than the queue will (skip-unknown-contexts off, its default)', () => {
    const { queue } = load(['queries: [{orgs: [acme], labels: [lgtm]}]']);
    assert.match(
      queue('acme')
        .notes.map((n) => n.message)
        .join('\n'),
      /tide requires every context on a change that neither a job nor context_options names/,
    );
  });

  it('warns where the queue requires approved but the approve plugin is not enabled', () => {
    const { queue } = load(['queries: [{orgs: [acme], labels: [lgtm, approved]}]', 'context_options: {skip-unknown-contexts: true}']);
    assert.deepEqual(queue('acme', undefined, ALL).notes, []);
    assert.match(
      queue('acme', 'docs', ['lgtm']).notes[0]!.message,
      /requires approved to be earned .* approve, the plugin that sets the label, is not enabled on acme\/docs/,
    );
  });

  it('converts sync_period and reports the options it drops', () => {
    const { tide, notes } = load([
      'sync_period: 2m0s',
      'status_update_period: 30s',
      'blocker_label: tide/merge-blocker',
      'merge_commit_template:',
      '  acme/widgets: {title: "{{ .Title }}"}',
      'queries: [{orgs: [acme], labels: [lgtm]}]',
    ]);
    assert.equal(tide.syncPeriod, '2m');
    assert.deepEqual(
      notes.map((n) => n.split(': ').slice(0, 2).join(': ')),
      ['config.yaml:3: tide.status_update_period', 'config.yaml:5: tide.merge_commit_template', 'config.yaml:4: tide.blocker_label'],
    );
    assert.equal(load(['sync_period: 1m']).tide.syncPeriod, undefined);
    const fast = load(['sync_period: 5s']);
    assert.equal(fast.tide.syncPeriod, '10s');
    assert.match(fast.notes.join('\n'), /raised to 10s/);
  });

  it('is absent when config.yaml has no tide section', () => {
    assert.equal(importTide(parseSourceFile('plank: {}\n', 'config.yaml'), new Notes()), undefined);
  });
});
