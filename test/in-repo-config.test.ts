// Configuration kept in a repository (.github/ci-orchestrator.yaml): parsing, what the operator
// allows, the merge into the operator's configuration, reading it from the default branch (cached
// per sha), and the one comment a change gets when the file is set aside.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProblem } from '../src/config/config-problem.js';
import { mergeRepoFile } from '../src/config/in-repo/merge-repo-file.js';
import { parseRepoFile } from '../src/config/in-repo/repo-file.js';
import { RepoFileLoader } from '../src/config/in-repo/repo-file-loader.js';
import { reportRepoFileProblems } from '../src/config/in-repo/report-repo-file-problems.js';
import { REPO_FILE_PATH } from '../src/config/in-repo/settings.js';
import { type ConfigError, parseConfig } from '../src/config/load-config.js';
import { repoConfigResolver } from '../src/config/resolve-repo-config.js';
import type { RepoConfig } from '../src/config/schema.js';
import { ForgeState } from './fakes/forge-state.js';
import { MemoryForge } from './fakes/memory-forge.js';

const PLUGINS = ['approve', 'lgtm', 'trigger'];
const FILE = REPO_FILE_PATH;
const widgets = { forge: 'github' as const, owner: 'acme', name: 'widgets' };

const OPERATOR = [
  'runners:',
  '  jenkins: {type: webhook, url: "https://ci.test/x", secret_env: JENKINS_KEY}',
  '  gpu: {type: webhook, url: "https://ci.test/gpu", secret_env: GPU_KEY}',
  'in_repo_config: {allowed_runners: [jenkins]}',
  'repos:',
  '  acme/widgets:',
  '    plugins: [trigger, lgtm]',
  '    presubmits:',
  '      - {name: unit, runner: jenkins, always_run: true, context: ci/unit}',
  '    lgtm: {store_tree_hash: true}',
  '    in_repo_config: {allowed_runners: [jenkins], allowed_plugins: [lgtm]}',
  '  acme/locked:',
  '    plugins: [trigger]',
  '    in_repo_config: {enabled: false}',
].join('\n');

const operatorFor = (name: string, text = OPERATOR): RepoConfig =>
  repoConfigResolver(parseConfig(text, 'config.yaml', PLUGINS), PLUGINS)({ ...widgets, name });

function merged(text: string, operator = operatorFor('widgets')) {
  const verdict = mergeRepoFile(parseRepoFile(text, FILE), operator, operator.inRepoConfig!);
  return verdict.ok ? { config: verdict.config, problems: [] } : { config: undefined, problems: verdict.problems.map(formatProblem) };
}

describe("in-repo configuration: the operator's settings", () => {
  it("an entry's block wins over the top-level one; none, or enabled: false, means off", () => {
    assert.deepEqual(operatorFor('widgets').inRepoConfig, { enabled: true, allowed_runners: ['jenkins'], allowed_plugins: ['lgtm'] });
    assert.deepEqual(
      operatorFor('other').inRepoConfig,
      { enabled: true, allowed_runners: ['jenkins'], allowed_plugins: [] },
      'the top-level block',
    );
    assert.equal(operatorFor('locked').inRepoConfig, undefined);
    assert.equal(operatorFor('widgets', 'repos: {acme/widgets: {plugins: []}}').inRepoConfig, undefined, 'off unless configured');
  });

  it('allowed runners must exist; allowed plugins must be option blocks', () => {
    assert.throws(
      () =>
        parseConfig(
          [
            'in_repo_config: {allowed_runners: [nope]}',
            'repos:',
            '  acme/widgets: {plugins: [], in_repo_config: {allowed_plugins: [hold]}}',
          ].join('\n'),
          'config.yaml',
          PLUGINS,
        ),
      (err: ConfigError) => {
        const lines = err.problems.map(formatProblem);
        assert.equal(lines.length, 2, lines.join('\n'));
        assert.match(lines[0]!, /^config\.yaml:1: in_repo_config\.allowed_runners\.0: unknown runner "nope"/);
        assert.match(lines[1]!, /^config\.yaml:3: repos\.acme\/widgets\.in_repo_config\.allowed_plugins\.0: /);
        return true;
      },
    );
  });
});

describe("in-repo configuration: parsing and merging a repository's file", () => {
  it("adds the file's jobs after the operator's and overrides only the option keys it sets", () => {
    const { config, problems } = merged(
      [
        'presubmits:',
        '  - {name: lint, runner: jenkins, always_run: true}',
        'postsubmits:',
        '  - {name: docs-publish, runner: jenkins, branches: ["^main$"]}',
        'lgtm:',
        '  review_acts_as_lgtm: true',
      ].join('\n'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      config!.presubmits.map((j) => j.name),
      ['unit', 'lint'],
    );
    assert.deepEqual(
      config!.postsubmits.map((j) => j.name),
      ['docs-publish'],
    );
    assert.equal(config!.presubmits[1]!.timeout, '2h', 'job defaults apply');
    assert.deepEqual(
      config!.lgtm,
      { review_acts_as_lgtm: true, store_tree_hash: true, trusted_team_for_sticky_lgtm: '' },
      "the operator's store_tree_hash stays",
    );
    assert.deepEqual(config!.plugins, ['trigger', 'lgtm'], "plugins stay the operator's");
  });

  it('an empty file changes nothing', () => {
    const operator = operatorFor('widgets');
    assert.deepEqual(merged('', operator).config, { ...operator });
  });

  it("refuses, naming each with its line: runners outside the allowlist, option blocks not allowed, operator-only keys, and an operator job's name or context", () => {
    assert.deepEqual(
      merged(
        [
          'presubmits:', // 1
          '  - {name: lint, runner: jenkins}', // 2
          '  - {name: gpu-tests, runner: gpu}', // 3
          '  - {name: unit, runner: jenkins}', // 4
          '  - {name: fake, runner: jenkins, context: ci/unit}', // 5
          'approve: {lgtm_acts_as_approve: true}', // 6
          'runners:', // 7
          '  mine: {type: command, command: [sh]}', // 8
          'merge_queue: {}', // 9
          'secret_env: X', // 10
        ].join('\n'),
      ).problems,
      [
        `${FILE}:3: presubmits.1.runner: runner "gpu" is not allowed for this repository (allowed: jenkins)`,
        `${FILE}:4: presubmits.2.name: the operator's configuration already has a job "unit" in presubmits: a repository's file adds jobs, it cannot replace one`,
        `${FILE}:5: presubmits.3.context: context "ci/unit" is that of the operator's job "unit": a repository's job must report under its own`,
        `${FILE}:6: approve: the operator does not let this repository set approve options (allowed: lgtm)`,
        `${FILE}:7: runners: runners can only be set in the operator's configuration, not in a repository's file`,
        `${FILE}:9: merge_queue: merge_queue can only be set in the operator's configuration, not in a repository's file`,
        `${FILE}:10: secret_env: Unrecognized key: "secret_env"`,
      ],
    );
  });

  it("holds its jobs to the operator file's rules, and names a repository allowed no runner", () => {
    assert.deepEqual(
      merged(
        [
          'presubmits:',
          '  - {name: lint, runner: jenkins, always_run: true, run_if_changed: "^src/"}',
          '  - {name: lint, runner: jenkins}',
          '  - {name: "bad name", runner: jenkins}',
        ].join('\n'),
      ).problems,
      [
        `${FILE}:2: presubmits.0.run_if_changed: always_run and run_if_changed are mutually exclusive`,
        `${FILE}:3: presubmits.1.name: job "lint" is already defined for the same branches by presubmits.0`,
        `${FILE}:4: presubmits.2.name: must use only letters, digits, ".", "_" and "-"`,
      ],
    );
    assert.deepEqual(
      merged(
        'presubmits: [{name: lint, runner: jenkins}]',
        operatorFor('widgets', 'repos: {acme/widgets: {plugins: [], in_repo_config: {}}}'),
      ).problems,
      [
        `${FILE}:1: presubmits.0.runner: runner "jenkins" is not allowed: the operator allows this repository no runner, so its file may define no job`,
      ],
    );
  });

  it('reports invalid YAML with its line', () => {
    assert.match(merged('presubmits: [\n').problems[0]!, new RegExp(`^${FILE.replace(/\./g, '\\.')}:\\d+: \\(top level\\): invalid YAML`));
  });
});

describe('in-repo configuration: reading the file', () => {
  const BASE = 'b'.repeat(40);
  const HEAD = 'a'.repeat(40);

  function rig() {
    const state = new ForgeState();
    state.addChange('acme/widgets', { number: 7, headSha: HEAD, baseSha: BASE });
    state.setBranch('acme/widgets', 'main', BASE);
    const forge = new MemoryForge(state);
    const reads: string[] = [];
    const readFile = forge.readFile.bind(forge);
    forge.readFile = (repo, path, ref) => {
      reads.push(`${path}@${ref}`);
      return readFile(repo, path, ref);
    };
    return { state, forge, reads, loader: new RepoFileLoader() };
  }

  it("reads the default branch's head once per sha, never the change's head", async () => {
    const { state, forge, reads, loader } = rig();
    state.setFile('acme/widgets', BASE, FILE, 'presubmits: [{name: lint, runner: jenkins}]');
    state.setFile('acme/widgets', HEAD, FILE, 'presubmits: [{name: evil, runner: jenkins}]');
    const first = await loader.effective(forge, widgets, operatorFor('widgets'));
    assert.deepEqual(
      first.config.presubmits.map((j) => j.name),
      ['unit', 'lint'],
    );
    assert.deepEqual(first.read, { branch: 'main', sha: BASE, found: true });
    await loader.effective(forge, widgets, operatorFor('widgets'));
    assert.deepEqual(reads, [`${FILE}@${BASE}`], 'cached per sha');

    state.repo('acme/widgets').defaultBranch = 'trunk';
    state.setBranch('acme/widgets', 'trunk', HEAD);
    const other = await new RepoFileLoader().effective(new MemoryForge(state), widgets, operatorFor('widgets'));
    assert.deepEqual(other.read, { branch: 'trunk', sha: HEAD, found: true }, 'the default branch, whatever its name');
  });

  it("answers the operator's configuration when the file is absent, off, or set aside (with why)", async () => {
    const { state, forge, reads, loader } = rig();
    const operator = operatorFor('widgets');
    assert.deepEqual(await loader.effective(forge, widgets, operator), {
      config: operator,
      read: { branch: 'main', sha: BASE, found: false },
    });
    assert.deepEqual(await loader.effective(forge, widgets, operatorFor('locked')), { config: operatorFor('locked') });
    assert.equal(reads.length, 1, 'a repository the operator does not enable is not read');
    state.setFile('acme/widgets', BASE, FILE, 'runners: {}');
    const aside = await new RepoFileLoader().effective(forge, widgets, operator);
    assert.equal(aside.config, operator);
    assert.deepEqual(
      aside.problems?.map((p) => p.path),
      ['runners'],
    );
  });

  it('comments once on a change per set of problems', async () => {
    const { state, forge } = rig();
    const problems = [
      {
        file: FILE,
        path: 'runners',
        line: 1,
        message: "runners can only be set in the operator's configuration, not in a repository's file",
      },
    ];
    const change = { repo: widgets, number: 7 };
    assert.equal(await reportRepoFileProblems(forge, change, problems, { branch: 'main', sha: BASE }), true);
    assert.equal(await reportRepoFileProblems(forge, change, problems, { branch: 'main', sha: '9'.repeat(40) }), false);
    const [comment] = state.comments('acme/widgets', 7);
    assert.match(comment!.body, /`\.github\/ci-orchestrator\.yaml` \(on `main` at bbbbbbbbbbbb\) cannot be used/);
    assert.match(comment!.body, /\.github\/ci-orchestrator\.yaml:1: runners: runners can only be set/);
    assert.ok(!comment!.body.split('\n').some((line) => line.startsWith('/')), 'no line of it reads as a command');
    assert.equal(
      await reportRepoFileProblems(forge, change, [...problems, { ...problems[0]!, line: 2 }], { branch: 'main', sha: BASE }),
      true,
      'other problems: another comment',
    );
  });
});
