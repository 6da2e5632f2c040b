// plugins.yaml as this project's plugin lists and plugin options, resolved per org and repo the way
// Prow's lookups resolve them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNote, Notes } from '../../src/import-prow/notes.js';
import { importPlugins } from '../../src/import-prow/plugins.js';
import { InputError, parseSourceFile } from '../../src/import-prow/source-file.js';

const OURS = ['approve', 'help', 'hold', 'lgtm', 'trigger'];

function load(yaml: string) {
  const notes = new Notes();
  const plugins = importPlugins(parseSourceFile(yaml, 'plugins.yaml'), OURS, notes);
  return { plugins, notes: notes.list.map(formatNote) };
}

describe('import-prow: plugins.yaml', () => {
  it("gives a repo its org's plugins plus its own, and keeps only the plugins this project has", () => {
    const { plugins, notes } = load(
      [
        'plugins:',
        '  kubernetes:',
        '    plugins: [approve, assign, hold, lgtm, size, trigger]',
        '  kubernetes/kubernetes:',
        '    plugins: [help, milestone]',
      ].join('\n'),
    );
    assert.deepEqual(plugins.settingsFor({ org: 'kubernetes' }).plugins, ['approve', 'hold', 'lgtm', 'trigger']);
    assert.deepEqual(plugins.settingsFor({ org: 'kubernetes', repo: 'kubernetes' }).plugins, [
      'approve',
      'help',
      'hold',
      'lgtm',
      'trigger',
    ]);
    assert.deepEqual(plugins.settingsFor({ org: 'kubernetes', repo: 'test-infra' }).plugins, ['approve', 'hold', 'lgtm', 'trigger']);
    assert.deepEqual(plugins.settingsFor({ org: 'elsewhere' }).plugins, []);
    assert.ok(
      notes.some((n) => n.startsWith('plugins.yaml:3: plugins.kubernetes.plugins: not converted, no such plugin here: assign, size')),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) =>
        n.startsWith('plugins.yaml:5: plugins.kubernetes/kubernetes.plugins: not converted, no such plugin here: milestone'),
      ),
    );
    assert.ok(notes.some((n) => /plugins\.kubernetes\/kubernetes\.plugins: help is converted, but it differs/.test(n)));
    assert.deepEqual([...plugins.mentions.orgs], ['kubernetes']);
    assert.deepEqual([...plugins.mentions.repos], ['kubernetes/kubernetes']);
  });

  it("leaves the org's plugins off a repo in excluded_repos (named without the org, as Prow reads it)", () => {
    const { plugins } = load(
      ['plugins:', '  acme:', '    excluded_repos: [archive]', '    plugins: [hold, lgtm]', '  acme/archive:', '    plugins: [hold]'].join(
        '\n',
      ),
    );
    assert.deepEqual(plugins.settingsFor({ org: 'acme', repo: 'archive' }).plugins, ['hold']);
    assert.deepEqual(plugins.settingsFor({ org: 'acme', repo: 'widgets' }).plugins, ['hold', 'lgtm']);
    assert.ok(plugins.mentions.repos.has('acme/archive'));
  });

  it('reads the older form that lists plugin names directly', () => {
    const { plugins } = load('plugins:\n  acme/cli:\n  - trigger\n  - hold\n');
    assert.deepEqual(plugins.settingsFor({ org: 'acme', repo: 'cli' }).plugins, ['hold', 'trigger']);
  });

  it('takes approve and lgtm options from the entry naming the repo, else the one naming its org', () => {
    const { plugins, notes } = load(
      [
        'approve:',
        '- repos: [acme]',
        '  ignore_review_state: true',
        '- repos: [acme/website]',
        '  require_self_approval: true',
        '  lgtm_acts_as_approve: true',
        'lgtm:',
        '- repos: [acme]',
        '  review_acts_as_lgtm: true',
        '- repos: [acme/website]',
        '  store_tree_hash: true',
        '  trusted_team_for_sticky_lgtm: docs-maintainers',
      ].join('\n'),
    );
    assert.deepEqual(plugins.settingsFor({ org: 'acme', repo: 'website' }).approve, {
      require_self_approval: true,
      ignore_review_state: false,
      lgtm_acts_as_approve: true,
    });
    assert.deepEqual(plugins.settingsFor({ org: 'acme', repo: 'widgets' }).approve, {
      require_self_approval: false,
      ignore_review_state: true,
      lgtm_acts_as_approve: false,
    });
    assert.deepEqual(plugins.settingsFor({ org: 'acme', repo: 'website' }).lgtm, {
      review_acts_as_lgtm: false,
      store_tree_hash: true,
      trusted_team_for_sticky_lgtm: 'docs-maintainers',
    });
    assert.deepEqual(plugins.settingsFor({ org: 'acme' }).lgtm, {
      review_acts_as_lgtm: true,
      store_tree_hash: false,
      trusted_team_for_sticky_lgtm: '',
    });
    assert.deepEqual(notes, [], 'a slug-like team name is taken as the slug');
    // Prow's defaults are this project's defaults
    assert.deepEqual(plugins.settingsFor({ org: 'other' }).approve, {
      require_self_approval: false,
      ignore_review_state: false,
      lgtm_acts_as_approve: false,
    });
  });

  it('says where a sticky-lgtm team is named the way Prow finds it (by name) and not by slug', () => {
    const { notes } = load('lgtm:\n- repos: [acme]\n  trusted_team_for_sticky_lgtm: Docs Maintainers\n');
    assert.deepEqual(notes, [
      'plugins.yaml:3: lgtm.0.trusted_team_for_sticky_lgtm: differs: this project takes the team\'s slug, as in its URL; Prow matched "Docs Maintainers" to the team\'s name: write the slug',
    ]);
  });

  it('takes trigger options from the first entry naming the repo or its org, in list order', () => {
    const { plugins, notes } = load(
      [
        'triggers:',
        '- repos: [acme]',
        '  only_org_members: true',
        '  join_org_url: https://acme.example/join',
        '- repos: [acme/cli]',
        '  trusted_apps: [dependabot]',
        '- repos: [tools/cli]',
        '  trusted_apps: [renovate]',
        '  trusted_org: acme',
        '  ignore_ok_to_test: true',
      ].join('\n'),
    );
    // acme/cli is named by the second entry, but the first (its org) comes first: Prow's TriggerFor
    assert.deepEqual(plugins.settingsFor({ org: 'acme', repo: 'cli' }).trigger, {
      only_org_members: true,
      trusted_org: '',
      trusted_apps: [],
      ignore_ok_to_test: false,
    });
    assert.deepEqual(plugins.settingsFor({ org: 'tools', repo: 'cli' }).trigger, {
      only_org_members: false,
      trusted_org: 'acme',
      trusted_apps: ['renovate'],
      ignore_ok_to_test: true,
    });
    assert.ok(notes.some((n) => n.startsWith('plugins.yaml:4: triggers.0.join_org_url: dropped')));
  });

  it('turns owners.skip_collaborators (orgs or repos) into owners.skip_collaborators per repo', () => {
    const { plugins, notes } = load('owners:\n  skip_collaborators: [acme/playground, tools]\n  mdyamlrepos: [acme/website]\n');
    assert.equal(plugins.settingsFor({ org: 'acme', repo: 'playground' }).owners.skip_collaborators, true);
    assert.equal(plugins.settingsFor({ org: 'acme', repo: 'widgets' }).owners.skip_collaborators, false);
    assert.equal(plugins.settingsFor({ org: 'tools' }).owners.skip_collaborators, true);
    assert.ok(notes.some((n) => n.startsWith('plugins.yaml:3: owners.mdyamlrepos: no equivalent')));
  });

  it('reports options and sections with no equivalent, and says nothing of options that ask for nothing', () => {
    const { notes } = load(
      [
        'approve:',
        '- repos: [acme]',
        '  issue_required: true',
        '- repos: [tools]',
        '  issue_required: false',
        'size: {s: 10, m: 30}',
        'external_plugins:',
        '  acme:',
        '  - name: needs-rebase',
        'plugins:',
        '  https://gerrit.example/repo:',
        '    plugins: [trigger]',
      ].join('\n'),
    );
    assert.deepEqual(notes, [
      'plugins.yaml:11: plugins.https://gerrit.example/repo: not converted: not an "org" or "org/repo" name',
      'plugins.yaml:3: approve.0.issue_required: no equivalent: an approval here never needs a linked issue (`/approve no-issue` approves like `/approve`)',
      'plugins.yaml:8: external_plugins.acme: not converted: external plugins are Prow services; this project has no equivalent',
      'plugins.yaml:6: size: not converted: settings of a Prow plugin this project does not have',
    ]);
  });

  it('refuses a file Prow would not load, naming the place', () => {
    assert.throws(
      () => load('approve:\n  repos: [acme]\n'),
      (err: unknown) => err instanceof InputError && /^plugins\.yaml:1: approve: .*expected array/.test(err.message),
    );
    assert.throws(
      () => load('plugins: [approve]\n'),
      (err: unknown) => err instanceof InputError && /plugins\.yaml:1: plugins:/.test(err.message),
    );
    assert.throws(
      () => load('plugins:\n  acme: {plugins: [a]\n'),
      (err: unknown) => err instanceof InputError && /invalid YAML/.test(err.message),
    );
  });
});
