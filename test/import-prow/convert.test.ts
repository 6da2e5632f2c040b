// The whole conversion: realistic Prow inputs in, a configuration out that this project's own
// parser accepts and whose per-repository resolution gives what Prow gave.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pluginNames } from '../../plugins/index.js';
import { parseConfig } from '../../src/config/load-config.js';
import { repoConfigResolver } from '../../src/config/resolve-repo-config.js';
import { convertProw } from '../../src/import-prow/convert.js';
import { formatNote } from '../../src/import-prow/notes.js';
import { renderConfig } from '../../src/import-prow/render.js';
import { parseSourceFile, readSourceFile } from '../../src/import-prow/source-file.js';

const fixture = (path: string) => new URL(`../fixtures/prow/${path}`, import.meta.url).pathname;
const OURS = pluginNames();

async function convertFixtures() {
  const result = convertProw(
    {
      plugins: await readSourceFile(fixture('plugins.yaml')),
      prowConfig: await readSourceFile(fixture('config.yaml')),
      jobs: await Promise.all(
        ['jobs/acme/widgets/widgets-presubmits.yaml', 'jobs/acme/widgets/widgets-postsubmits.yaml', 'jobs/acme-tools/cli.yaml'].map(
          (path) => readSourceFile(fixture(path)),
        ),
      ),
    },
    { runner: 'jenkins', knownPlugins: OURS },
  );
  const text = renderConfig(result.config, ['plugins.yaml', 'config.yaml', 'jobs/']);
  return { ...result, text, notes: result.notes.map(formatNote) };
}

/** Converts inline inputs (plugins.yaml, then config.yaml and job files when given). */
function convertText(plugins: string, config?: string, ...jobs: string[]) {
  const result = convertProw(
    {
      plugins: parseSourceFile(plugins, 'plugins.yaml'),
      ...(config !== undefined ? { prowConfig: parseSourceFile(config, 'config.yaml') } : {}),
      jobs: jobs.map((text, i) => parseSourceFile(text, `jobs-${i}.yaml`)),
    },
    { runner: 'ci', knownPlugins: OURS },
  );
  return { ...result, notes: result.notes.map(formatNote) };
}

describe('import-prow: conversion', () => {
  it('writes a configuration that check-config accepts, resolving per repository as Prow did', async () => {
    const { text, notes, jobCount } = await convertFixtures();
    const config = parseConfig(text, 'converted.yaml', OURS);
    const resolve = repoConfigResolver(config, OURS);
    const repo = (name: string) => resolve({ forge: 'github', owner: name.split('/')[0]!, name: name.split('/')[1]! });

    // acme's plugins (help among them, Prow's unconverted ones left out), its repos' own additions
    assert.deepEqual(repo('acme/anything').plugins, ['approve', 'help', 'hold', 'lgtm', 'trigger']);
    assert.deepEqual(repo('acme/archive').plugins, [], "excluded_repos leaves the org's plugins off");
    assert.deepEqual(repo('acme-tools/cli').plugins, ['hold', 'lgtm', 'trigger']);
    assert.deepEqual(repo('nobody/else').plugins, [], 'Prow enables nothing it is not told to');
    assert.equal(config.reply_to_unknown_commands, false);

    // options: repo entries over org entries, as ApproveFor/LgtmFor and TriggerFor pick them
    assert.equal(repo('acme/widgets').approve.lgtm_acts_as_approve, true);
    assert.equal(repo('acme/widgets').approve.ignore_review_state, false);
    assert.equal(repo('acme/anything').approve.ignore_review_state, true);
    assert.equal(repo('acme/website').approve.require_self_approval, true);
    assert.equal(repo('acme/website').lgtm.store_tree_hash, true);
    assert.equal(repo('acme/anything').lgtm.review_acts_as_lgtm, true);
    assert.equal(repo('acme/playground').owners.skip_collaborators, true);
    assert.equal(repo('acme/anything').trigger.only_org_members, true);
    assert.deepEqual(repo('acme-tools/cli').trigger.trusted_apps, ['dependabot']);

    // jobs, on the runner given
    const widgets = repo('acme/widgets');
    assert.deepEqual(
      widgets.presubmits.map((j) => j.name),
      ['pull-widgets-unit', 'pull-widgets-e2e', 'pull-widgets-docs', 'pull-widgets-integration', 'pull-widgets-canary'],
    );
    assert.deepEqual(
      widgets.postsubmits.map((j) => j.name),
      ['post-widgets-push-images', 'post-widgets-docs'],
    );
    assert.ok([...widgets.presubmits, ...widgets.postsubmits].every((j) => j.runner === 'jenkins'));
    assert.equal(widgets.presubmits[1]!.timeout, '1h30m');
    assert.equal(jobCount, 8);
    assert.deepEqual(Object.keys(config.runners), ['jenkins']);
    assert.match(text, /# PLACEHOLDER: Prow ran these jobs as pods/);
    assert.match(text, /secret_env: JENKINS_HMAC_KEY/);

    // merge queue: the org query, less excluded repos; the website's branch-limited query left out
    assert.equal(widgets.mergeQueue?.policy, 'tide');
    assert.equal(widgets.mergeQueue?.merge_method, 'rebase');
    assert.equal(widgets.mergeQueue?.batch_size, 5);
    assert.deepEqual(widgets.mergeQueue?.required_contexts, ['ci/jenkins: build']);
    assert.equal(repo('acme/gadgets').mergeQueue?.merge_method, 'squash');
    assert.deepEqual(repo('acme/anything').mergeQueue?.optional_contexts, ['EasyCLA']);
    assert.equal(repo('acme/website').mergeQueue, undefined);
    assert.equal(repo('acme/archive').mergeQueue, undefined);
    assert.deepEqual(repo('acme-tools/cli').mergeQueue?.labels, ['lgtm']);
    assert.equal(config.merge_queue.sync_period, '2m');

    // and the report says what was left behind, where
    for (const expected of [
      /plugins\.yaml:\d+: plugins\.acme\.plugins: not converted, no such plugin here: assign, blunderbuss, lifecycle, size, verify-owners, wip/,
      /config\.yaml:\d+: tide\.queries\.1: left out: the merge queue has no includedBranches condition/,
      /config\.yaml:\d+: tide\.queries\.2: left out: the merge queue has no author acme-ci-robot condition/,
      /widgets-presubmits\.yaml:\d+: presubmits\.acme\/widgets\.4: pull-widgets-lint: not converted: this project refuses it \(run_if_changed\): invalid pattern/,
      /cli\.yaml:\d+: periodics: not converted: 1 periodic job/,
      /config\.yaml: \(top level\): not read: plank, sinker, deck, prowjob_namespace, pod_namespace/,
    ])
      assert.ok(
        notes.some((n) => expected.test(n)),
        `no note matching ${expected}\n${notes.join('\n')}`,
      );
    assert.ok(!notes.some((n) => /pull-widgets-lint: dropped spec/.test(n)), 'a job not converted is reported once, as not converted');
  });

  it('writes a repository only where it differs from its org, and an org only where it differs from the defaults', () => {
    const { config } = convertText(
      [
        'plugins:',
        '  acme: {plugins: [hold, lgtm]}',
        '  acme/same: {plugins: [hold]}',
        '  acme/more: {plugins: [trigger]}',
        '  tools/cli: {plugins: [size]}',
        'lgtm:',
        '- repos: [tools]',
        '  review_acts_as_lgtm: true',
      ].join('\n'),
    );
    assert.deepEqual(config.repos, {
      'acme/*': { plugins: ['hold', 'lgtm'] },
      'acme/more': { plugins: ['hold', 'lgtm', 'trigger'] },
    });
    assert.equal(config.runners, undefined, 'no jobs, no runner');
    assert.deepEqual(config.default_plugins, []);
  });

  it('drops jobs this project would refuse, each with its reason, and keeps the rest', () => {
    const { config, notes } = convertText(
      'plugins:\n  acme: {plugins: [trigger]}\n',
      undefined,
      [
        'presubmits:',
        '  acme/widgets:',
        '  - {name: unit, always_run: true}',
        '  - {name: unit, always_run: true, branches: [^main$]}',
        '  - {name: unit, always_run: true, branches: [^release-]}',
        '  - {name: "bad name!"}',
        '  - {name: nested, run_if_changed: "(a+)+$"}',
        '  - {name: mismatch, trigger: "(?m)^/test mismatch$", rerun_command: /run mismatch}',
      ].join('\n'),
    );
    const presubmits = config.repos['acme/widgets']!.presubmits as Array<{ name: string }>;
    assert.deepEqual(
      presubmits.map((j) => j.name),
      ['unit'],
    );
    assert.equal(notes.filter((n) => /not converted: this project refuses it/.test(n)).length, 5, notes.join('\n'));
    assert.ok(
      notes.some((n) =>
        /jobs-0\.yaml:4: presubmits\.acme\/widgets\.1: unit: not converted: this project refuses it \(name\): job "unit" is already defined for the same branches/.test(
          n,
        ),
      ),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) => /jobs-0\.yaml:6: .*bad name!: not converted: this project refuses it \(name\): must use only letters/.test(n)),
    );
    assert.ok(notes.some((n) => /mismatch: not converted: this project refuses it \(rerun_command\)/.test(n)));
  });

  it("says when a repository's jobs can never run because trigger is not enabled there", () => {
    const { config, notes } = convertText(
      'plugins:\n  acme: {plugins: [hold]}\n',
      undefined,
      'presubmits:\n  acme/widgets:\n  - {name: unit, always_run: true}\n',
    );
    assert.deepEqual(Object.keys(config.repos), ['acme/*', 'acme/widgets']);
    assert.ok(
      notes.includes(
        'jobs-0.yaml:2: presubmits.acme/widgets: converted, but acme/widgets does not enable the trigger plugin, so its jobs never run (as in Prow)',
      ),
      notes.join('\n'),
    );
  });

  it('leaves plugin options where the plugin is not enabled at their defaults', () => {
    const { config } = convertText(
      [
        'plugins:',
        '  acme: {plugins: [hold]}',
        'approve:',
        '- repos: [acme]',
        '  require_self_approval: true',
        'triggers:',
        '- repos: [acme]',
        '  only_org_members: true',
      ].join('\n'),
    );
    assert.deepEqual(config.repos, { 'acme/*': { plugins: ['hold'] } });
  });
});
