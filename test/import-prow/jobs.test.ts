// Prow presubmits and postsubmits as this project's jobs: the fields that decide when a job runs
// and whether it gates merging keep their meaning; how Prow runs the pod is reported as dropped.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, goDurationSeconds } from '../../src/import-prow/go-duration.js';
import { importJobs } from '../../src/import-prow/jobs.js';
import { formatNote, Notes } from '../../src/import-prow/notes.js';
import { InputError, parseSourceFile } from '../../src/import-prow/source-file.js';

function load(yaml: string) {
  const notes = new Notes();
  const jobs = importJobs(parseSourceFile(yaml, 'jobs.yaml'), 'ci', notes);
  return { jobs, notes: notes.list.map(formatNote) };
}

describe('import-prow: jobs', () => {
  it('keeps the triggering and gating fields of a presubmit under their Prow names', () => {
    const { jobs, notes } = load(
      [
        'presubmits:',
        '  kubernetes/kubernetes:',
        '  - name: pull-kubernetes-node-e2e',
        '    always_run: false',
        '    optional: true',
        '    run_if_changed: ^(pkg/kubelet|test/e2e_node)/',
        '    max_concurrency: 12',
        '    context: node-e2e',
        '    branches: [^master$]',
        '    skip_branches: [^release-1\\.2\\d$]',
        '    trigger: (?m)^/test (node-e2e|pull-kubernetes-node-e2e)\\s*$',
        '    rerun_command: /test node-e2e',
        '  - name: pull-kubernetes-verify',
        '    always_run: true',
        '    skip_if_only_changed: \\.md$',
        '    optional: false',
      ].join('\n'),
    );
    assert.deepEqual(
      jobs.map((j) => [j.repo, j.kind, j.job]),
      [
        [
          'kubernetes/kubernetes',
          'presubmits',
          {
            name: 'pull-kubernetes-node-e2e',
            context: 'node-e2e',
            run_if_changed: '^(pkg/kubelet|test/e2e_node)/',
            branches: ['^master$'],
            skip_branches: ['^release-1\\.2\\d$'],
            optional: true,
            trigger: '(?m)^/test (node-e2e|pull-kubernetes-node-e2e)\\s*$',
            rerun_command: '/test node-e2e',
            max_concurrency: 12,
          },
        ],
        ['kubernetes/kubernetes', 'presubmits', { name: 'pull-kubernetes-verify', always_run: true, skip_if_only_changed: '\\.md$' }],
      ],
    );
    assert.deepEqual(notes, []);
  });

  it("leaves out what is already the default: the context equal to the name, Prow's default trigger", () => {
    const { jobs } = load(
      [
        'presubmits:',
        '  acme/widgets:',
        '  - name: pull-widgets-docs',
        '    context: pull-widgets-docs',
        '    trigger: (?m)^/test( | .* )pull-widgets-docs,?($|\\s.*)',
        '    rerun_command: /test pull-widgets-docs',
      ].join('\n'),
    );
    assert.deepEqual(jobs[0]!.job, { name: 'pull-widgets-docs' });
  });

  it('takes decoration_config.timeout as the timeout, rounded up to a whole second', () => {
    const { jobs, notes } = load(
      [
        'presubmits:',
        '  acme/widgets:',
        '  - name: e2e',
        '    decorate: true',
        '    decoration_config: {timeout: 1h30m0s, grace_period: 15m}',
        '  - name: quick',
        '    decoration_config: {timeout: 1.5s}',
        '  - name: odd',
        '    decoration_config: {timeout: forever}',
      ].join('\n'),
    );
    assert.deepEqual(
      jobs.map((j) => j.job.timeout),
      ['1h30m', '2s', undefined],
    );
    assert.ok(!notes.some((n) => /quick: dropped/.test(n)), 'a decoration_config holding only the timeout loses nothing');
    assert.ok(
      notes.includes(
        'jobs.yaml:3: presubmits.acme/widgets.0: e2e: dropped decorate, decoration_config (all but timeout): how Prow runs the job\'s pod; here runner "ci" runs the job (docs/runner-protocol.md)',
      ),
      notes.join('\n'),
    );
    assert.ok(
      notes.includes(
        'jobs.yaml:9: presubmits.acme/widgets.2.decoration_config: odd: timeout "forever" not converted: not a positive duration; the default (2h) applies',
      ),
    );
  });

  it("reports each job's Prow-only fields, naming the job", () => {
    const { notes } = load(
      [
        'presubmits:',
        '  acme/widgets:',
        '  - name: pull-widgets-unit',
        '    cluster: build-cluster',
        '    decorate: true',
        '    path_alias: acme.example/widgets',
        '    always_run: true',
        '    labels: {preset-dind-enabled: "true"}',
        '    spec: {containers: [{image: "registry.acme.example/builder:v1", command: [make, test]}]}',
        '    annotations: {testgrid-dashboards: acme-widgets}',
        '    reporter_config: {slack: {channel: ci}}',
        '    run_before_merge: true',
        '    hidden: true',
        '    mystery_field: 1',
      ].join('\n'),
    );
    assert.deepEqual(notes, [
      'jobs.yaml:3: presubmits.acme/widgets.0: pull-widgets-unit: dropped cluster, spec, decorate, labels, annotations, path_alias: how Prow runs the job\'s pod; here runner "ci" runs the job (docs/runner-protocol.md)',
      'jobs.yaml:13: presubmits.acme/widgets.0.hidden: pull-widgets-unit: dropped: no job dashboard here to hide it from',
      'jobs.yaml:11: presubmits.acme/widgets.0.reporter_config: pull-widgets-unit: no equivalent: results are reported as commit statuses only (no Slack reports)',
      'jobs.yaml:12: presubmits.acme/widgets.0.run_before_merge: pull-widgets-unit: no equivalent: the merge queue runs the presubmits that would run on the change, not jobs only run before merging',
      'jobs.yaml:14: presubmits.acme/widgets.0.mystery_field: pull-widgets-unit: not converted: unknown Prow job field',
    ]);
  });

  it('makes a skip_report presubmit optional, as tide never requires it', () => {
    const { jobs, notes } = load('presubmits:\n  acme/widgets:\n  - {name: canary, always_run: true, skip_report: true}\n');
    assert.deepEqual(jobs[0]!.job, { name: 'canary', always_run: true, optional: true });
    assert.match(notes[0]!, /canary: differs: the job reports a commit status here; it is made optional/);
  });

  it("keeps a postsubmit's always_run as written (true, false or Prow's default)", () => {
    const { jobs, notes } = load(
      [
        'postsubmits:',
        '  acme/widgets:',
        '  - {name: push, branches: [^main$]}',
        '  - {name: docs, run_if_changed: ^docs/, always_run: false}',
        '  - {name: manual, always_run: false}',
        '  - {name: stray, optional: true}',
      ].join('\n'),
    );
    assert.deepEqual(
      jobs.map((j) => j.job),
      [
        { name: 'push', branches: ['^main$'] },
        { name: 'docs', always_run: false, run_if_changed: '^docs/' },
        { name: 'manual', always_run: false },
        { name: 'stray' },
      ],
    );
    assert.deepEqual(notes, ['jobs.yaml:6: postsubmits.acme/widgets.3.optional: stray: dropped: presubmits only']);
  });

  it('reports periodics, keys that are not org/repo, and other sections', () => {
    const { jobs, notes } = load(
      [
        'presubmits:',
        '  https://gerrit.example/project:',
        '  - {name: a}',
        'periodics:',
        '- {name: ci-nightly, interval: 24h}',
        '- {name: ci-weekly, cron: "0 0 * * 0"}',
        'presets: []',
      ].join('\n'),
    );
    assert.deepEqual(jobs, []);
    assert.deepEqual(notes, [
      'jobs.yaml:2: presubmits.https://gerrit.example/project: not converted: 1 job(s) under a key that is not "org/repo"',
      'jobs.yaml:4: periodics: not converted: 2 periodic job(s); jobs here run on changes and pushes only (start periodic work from a scheduler calling your runner)',
      'jobs.yaml:7: presets: not converted: not a job section',
    ]);
  });

  it('refuses a job without a name, naming the place', () => {
    assert.throws(
      () => load('presubmits:\n  acme/widgets:\n  - always_run: true\n'),
      (err: unknown) => err instanceof InputError && /^jobs\.yaml:3: presubmits\.acme\/widgets\.0\.name: required/.test(err.message),
    );
  });

  it('reads Go durations', () => {
    assert.equal(goDurationSeconds('90m'), 5400);
    assert.equal(goDurationSeconds('1h0m0s'), 3600);
    assert.equal(goDurationSeconds('2.5h'), 9000);
    assert.equal(goDurationSeconds('1500ms'), 1.5);
    assert.equal(goDurationSeconds('0'), 0);
    assert.equal(goDurationSeconds(''), undefined);
    assert.equal(goDurationSeconds('-1h'), undefined);
    assert.equal(goDurationSeconds('1d'), undefined);
    assert.equal(formatDuration(5400), '1h30m');
    assert.equal(formatDuration(3661), '1h1m1s');
    assert.equal(formatDuration(1.5), '2s');
    assert.equal(formatDuration(7200), '2h');
  });
});
