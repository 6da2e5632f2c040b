import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, formatProblem, parseConfig } from '../src/config/load-config.js';

const KNOWN = ['trigger'];

/** A config with one runner "unit-runner" and the given lines under repos.acme/widgets (indented 4). */
const withJobs = (...lines: string[]) =>
  [
    'runners:', // 1
    '  unit-runner:', // 2
    '    type: command', // 3
    '    command: [./ci.sh]', // 4
    'repos:', // 5
    '  acme/widgets:', // 6
    '    plugins: [trigger]', // 7
    ...lines.map((l) => `    ${l}`), // 8...
  ].join('\n');

/** Every problem of a config, as check-config prints them. */
function problems(text: string): string[] {
  try {
    parseConfig(text, 'config.yaml', KNOWN);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map(formatProblem);
  }
  assert.fail('expected a ConfigError');
}

const AT = 'repos.acme/widgets';

describe('job configuration', () => {
  it('accepts valid jobs', () => {
    const config = parseConfig(
      withJobs(
        'trigger: {trusted_apps: [dependabot]}',
        'presubmits:',
        '  - {name: unit, runner: unit-runner, always_run: true}',
        '  - {name: docs, runner: unit-runner, run_if_changed: "^docs/", branches: ["^main$"]}',
        '  - {name: e2e, runner: unit-runner, trigger: "(?m)^/e2e\\\\s*$", rerun_command: /e2e}',
        // the same name and context on branches that cannot overlap: Prow's branch sharding
        '  - {name: rel, runner: unit-runner, branches: [release-1]}',
        '  - {name: rel, runner: unit-runner, branches: [release-2]}',
        'postsubmits:',
        '  - {name: unit, runner: unit-runner}',
      ),
      'config.yaml',
      KNOWN,
    );
    assert.equal(config.repos['acme/widgets']!.presubmits.length, 5);
  });

  const cases: Array<[string, string[], string[]]> = [
    [
      'a runner that does not exist',
      ['presubmits:', '  - name: unit', '    runner: nope'],
      [`config.yaml:10: ${AT}.presubmits.0.runner: unknown runner "nope" (known: unit-runner)`],
    ],
    [
      'a postsubmit runner that does not exist',
      ['postsubmits:', '  - {name: publish, runner: nope}'],
      [`config.yaml:9: ${AT}.postsubmits.0.runner: unknown runner "nope" (known: unit-runner)`],
    ],
    [
      'always_run with run_if_changed',
      ['presubmits:', '  - name: unit', '    runner: unit-runner', '    always_run: true', '    run_if_changed: "^src/"'],
      [`config.yaml:12: ${AT}.presubmits.0.run_if_changed: always_run and run_if_changed are mutually exclusive`],
    ],
    [
      'always_run with skip_if_only_changed on a postsubmit',
      ['postsubmits:', '  - name: publish', '    runner: unit-runner', '    always_run: true', '    skip_if_only_changed: "\\\\.md$"'],
      [`config.yaml:12: ${AT}.postsubmits.0.skip_if_only_changed: always_run and skip_if_only_changed are mutually exclusive`],
    ],
    [
      'run_if_changed with skip_if_only_changed',
      ['presubmits:', '  - name: unit', '    runner: unit-runner', '    run_if_changed: "^src/"', '    skip_if_only_changed: "\\\\.md$"'],
      [`config.yaml:12: ${AT}.presubmits.0.skip_if_only_changed: run_if_changed and skip_if_only_changed are mutually exclusive`],
    ],
    [
      'a trigger without rerun_command',
      ['presubmits:', '  - name: e2e', '    runner: unit-runner', '    trigger: "^/e2e"'],
      [`config.yaml:11: ${AT}.presubmits.0.trigger: trigger needs a rerun_command: set both or neither`],
    ],
    [
      'a rerun_command without trigger',
      ['presubmits:', '  - name: e2e', '    runner: unit-runner', '    rerun_command: /e2e'],
      [`config.yaml:11: ${AT}.presubmits.0.rerun_command: rerun_command needs a trigger: set both or neither`],
    ],
    [
      'a rerun_command the trigger does not match',
      ['presubmits:', '  - name: e2e', '    runner: unit-runner', '    trigger: "(?m)^/e2e$"', '    rerun_command: /test e2e'],
      [`config.yaml:12: ${AT}.presubmits.0.rerun_command: "/test e2e" does not match the trigger, so it would not run the job`],
    ],
    [
      'a trigger that could backtrack catastrophically',
      ['presubmits:', '  - name: e2e', '    runner: unit-runner', '    trigger: "^/e2e( +a+)+$"', '    rerun_command: /e2e a'],
      [
        `config.yaml:11: ${AT}.presubmits.0.trigger: invalid pattern: nested quantifier: a repeated group contains a quantifier (like (a+)+ or (.*)*), which can backtrack catastrophically`,
      ],
    ],
    [
      'unsafe and invalid file and branch patterns',
      [
        'presubmits:',
        '  - name: unit',
        '    runner: unit-runner',
        '    run_if_changed: "(.*a){20}"',
        '    branches: ["^main$", "(?=x)"]',
        '    skip_branches: ["[a-"]',
        'postsubmits:',
        '  - name: publish',
        '    runner: unit-runner',
        '    skip_if_only_changed: "\\\\1"',
      ],
      [
        `config.yaml:11: ${AT}.presubmits.0.run_if_changed: invalid pattern: nested quantifier: a repeated group contains a quantifier (like (a+)+ or (.*)*), which can backtrack catastrophically`,
        `config.yaml:12: ${AT}.presubmits.0.branches.1: invalid pattern: lookaround assertions are not supported`,
        `config.yaml:13: ${AT}.presubmits.0.skip_branches.0: invalid pattern: missing closing ]`,
        `config.yaml:17: ${AT}.postsubmits.0.skip_if_only_changed: invalid pattern: backreferences are not supported`,
      ],
    ],
    [
      'a duplicate job name on overlapping branches',
      [
        'presubmits:',
        '  - {name: unit, runner: unit-runner}',
        '  - {name: unit, runner: unit-runner, branches: ["^main$"]}',
        'postsubmits:',
        '  - {name: publish, runner: unit-runner, skip_branches: [dev]}',
        '  - {name: publish, runner: unit-runner, skip_branches: [wip]}',
      ],
      [
        `config.yaml:10: ${AT}.presubmits.1.name: job "unit" is already defined for the same branches by presubmits.0`,
        `config.yaml:13: ${AT}.postsubmits.1.name: job "publish" is already defined for the same branches by postsubmits.0`,
      ],
    ],
    [
      'two presubmits reporting one context on the same branches',
      [
        'presubmits:',
        '  - {name: unit, runner: unit-runner, context: ci/test, branches: [main, dev]}',
        '  - {name: unit-2, runner: unit-runner, context: ci/test, branches: [dev]}',
      ],
      [`config.yaml:10: ${AT}.presubmits.1.context: context "ci/test" is already reported on the same branches by presubmits.0 ("unit")`],
    ],
    [
      "a context that is another job's name, on a branch the other does not skip",
      [
        'presubmits:',
        '  - {name: unit, runner: unit-runner, skip_branches: ["^release-"]}',
        '  - {name: unit-ci, runner: unit-runner, context: unit, branches: [main]}',
      ],
      [`config.yaml:10: ${AT}.presubmits.1.context: context "unit" is already reported on the same branches by presubmits.0 ("unit")`],
    ],
  ];
  for (const [title, lines, expected] of cases) {
    it(title, () => assert.deepEqual(problems(withJobs(...lines)), expected));
  }

  it('a context shared on branches that cannot overlap is fine', () => {
    parseConfig(
      withJobs(
        'presubmits:',
        '  - {name: unit, runner: unit-runner, skip_branches: ["^release-"]}',
        '  - {name: unit-rel, runner: unit-runner, context: unit, branches: [release-1]}',
      ),
      'config.yaml',
      KNOWN,
    );
  });

  it('names the runners map when it is empty', () => {
    assert.deepEqual(
      problems(['repos:', '  acme/widgets:', '    plugins: [trigger]', '    presubmits: [{name: unit, runner: ci}]'].join('\n')),
      [`config.yaml:4: ${AT}.presubmits.0.runner: unknown runner "ci": the top-level runners map is empty`],
    );
  });
});
