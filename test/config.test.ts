import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pluginNames } from '../plugins/index.js';
import { runnerSchema } from '../src/config/jobs-schema.js';
import { ConfigError, embeddedConfig, formatProblem, parseConfig } from '../src/config/load-config.js';
import { repoConfigResolver, reportingResolver } from '../src/config/resolve-repo-config.js';
import { type RunnerEnvironment, runnerEnvProblems } from '../src/config/runner-env.js';
import { MemoryTaskQueue } from '../src/queue/memory-task-queue.js';
import { createRunners, RunnerSetupError } from '../src/runners/create-runners.js';

const KNOWN = ['help', 'hold'];

function problems(text: string) {
  try {
    parseConfig(text, 'config.yaml', KNOWN);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('accepts the documented example', () => {
    const config = parseConfig(readFileSync('config.example.yaml', 'utf8'), 'config.example.yaml', pluginNames());
    assert.ok(Object.keys(config.repos).length > 0);
  });

  it('reports every problem with its line, path and reason', () => {
    const found = problems(
      [
        'default_plugins: [hold, lgtmm]', // 1
        'repos:', // 2
        '  acme/widgets:', // 3
        '    plugins: hold', // 4
        '  acme:', // 5
        '    plugins: []', // 6
        'unknown_key: 1', // 7
      ].join('\n'),
    );
    assert.equal(found.length, 4, found.join('\n'));
    assert.match(found[0]!, /^1: default_plugins.1: unknown plugin "lgtmm"/);
    assert.match(found.find((p) => p.includes('repos.acme/widgets.plugins'))!, /^4: .*expected array/);
    assert.match(found.find((p) => p.includes('repos.acme:'))!, /^5: .*owner\/name/);
    assert.match(found.find((p) => p.includes('unknown_key'))!, /^7: unknown_key: .*[Uu]nrecognized/);
  });

  it('lists every problem at once, wherever it is and whatever else is wrong', () => {
    const found = problems(
      [
        'default_plugins: [hold, nope]', // 1: unknown plugin
        'runners:', // 2
        '  "bad runner":', // 3: bad key...
        '    type: webhook', // 4
        '    url: not-a-url', // 5: ...whose value is checked all the same
        '  ok:', // 6
        '    type: webhok', // 7: bad runner type
        'repos:', // 8
        '  acme:', // 9: bad repo key...
        '    plugins: [hold]', // 10
        '    presubmits:', // 11
        '      - {name: "x y", runner: nope}', // 12: ...whose jobs are checked all the same
        '  acme/widgets:', // 13
        '    plugins: [hold]', // 14
        '    presubmits:', // 15
        '      - name: unit', // 16
        '        runner: missing', // 17: unknown runner (a cross-field rule)
        '        always_run: true', // 18
        '        run_if_changed: "^src/"', // 19: exclusive fields (a cross-field rule)
        '    merge_queue: {batch_size: 0}', // 20: bad merge-queue option
      ].join('\n'),
    );
    assert.deepEqual(
      found.map((p) => p.split(': ').slice(0, 2).join(': ')),
      [
        '1: default_plugins.1',
        '3: runners.bad runner.secret_env',
        '3: runners.bad runner',
        '5: runners.bad runner.url',
        '7: runners.ok.type',
        '9: repos.acme',
        '12: repos.acme.presubmits.0.name',
        '12: repos.acme.presubmits.0.runner',
        '17: repos.acme/widgets.presubmits.0.runner',
        '19: repos.acme/widgets.presubmits.0.run_if_changed',
        '20: repos.acme/widgets.merge_queue.batch_size',
      ],
      found.join('\n'),
    );
    assert.match(found[2]!, /invalid key "bad runner"/);
    assert.match(found[8]!, /unknown runner "missing" \(known: bad runner, ok\)/);
  });

  it('merge queue: off unless a repo entry has one; bad settings are named', () => {
    const config = parseConfig('repos:\n  acme/widgets: {plugins: [], merge_queue: {}}\n', 'config.yaml', KNOWN);
    const resolve = repoConfigResolver(config, KNOWN);
    assert.equal(resolve({ forge: 'github', owner: 'acme', name: 'widgets' }).mergeQueue?.policy, 'ours');
    assert.equal(resolve({ forge: 'github', owner: 'acme', name: 'other' }).mergeQueue, undefined, 'never on by default');
    assert.equal(config.merge_queue.sync_period, '60s');
    assert.deepEqual(
      problems(
        [
          'merge_queue: {sync_period: 5s}', // 1
          'repos:', // 2
          '  acme/widgets:', // 3
          '    plugins: []', // 4
          '    merge_queue:', // 5
          '      batch_size: 0', // 6
          '      merge_method: fast-forward', // 7
          '      freeze_windows: [{start: "2026-12-24T00:00:00Z", end: "2026-12-01T00:00:00Z"}]', // 8
        ].join('\n'),
      ).map((p) => p.split(': ').slice(0, 2).join(': ')),
      [
        '1: merge_queue.sync_period',
        '6: repos.acme/widgets.merge_queue.batch_size',
        '7: repos.acme/widgets.merge_queue.merge_method',
        '8: repos.acme/widgets.merge_queue.freeze_windows.0.end',
      ],
    );
  });

  it('reporting: statuses unless asked; a repo entry wins over the top level; bad values are named', () => {
    const repo = (name: string) => ({ forge: 'github' as const, owner: 'acme', name });
    const none = reportingResolver(parseConfig('repos: {acme/a: {plugins: []}}', 'config.yaml', KNOWN));
    assert.equal(none(repo('a')).github, 'statuses');
    assert.equal(none(repo('elsewhere')).github, 'statuses');
    const some = reportingResolver(
      parseConfig(
        ['reporting: {github: checks}', 'repos:', '  acme/a: {plugins: [], reporting: {github: statuses}}', '  acme/*: {plugins: []}'].join(
          '\n',
        ),
        'config.yaml',
        KNOWN,
      ),
    );
    assert.equal(some(repo('a')).github, 'statuses');
    assert.equal(some(repo('b')).github, 'checks', 'an entry without reporting takes the top level');
    assert.equal(some({ forge: 'github', owner: 'other', name: 'c' }).github, 'checks');
    assert.deepEqual(
      problems(['reporting: {github: check-runs}', 'repos:', '  acme/a: {plugins: [], reporting: {gitlab: checks}}'].join('\n')).map((p) =>
        p.split(': ').slice(0, 2).join(': '),
      ),
      ['1: reporting.github', '3: repos.acme/a.reporting.gitlab'],
    );
  });

  it('names each unknown key of one map', () => {
    assert.deepEqual(problems('repos:\n  acme/widgets:\n    plugins: []\n    pluginz: []\n    merge_queu: {}\n'), [
      '4: repos.acme/widgets.pluginz: Unrecognized key: "pluginz"',
      '5: repos.acme/widgets.merge_queu: Unrecognized key: "merge_queu"',
    ]);
  });

  it('names unknown plugins with the known ones', () => {
    assert.deepEqual(problems('default_plugins: [hold, lgtmm]'), ['1: default_plugins.1: unknown plugin "lgtmm" (known: help, hold)']);
  });

  it('reports invalid YAML with its line', () => {
    const [problem] = problems('repos:\n  acme/widgets: {plugins: [hold]\n');
    assert.match(problem!, /^\d+: : invalid YAML/);
  });

  it('reports duplicate keys', () => {
    assert.match(problems('default_plugins: [hold]\ndefault_plugins: [help]\n')[0]!, /invalid YAML.*[Uu]nique|invalid YAML.*duplicate/i);
  });

  it('rejects an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ].join('\n');
    assert.ok(problems(bomb).length > 0);
  });

  it('picks the exact repo, then owner/*, then the defaults', () => {
    const config = parseConfig(
      [
        'default_plugins: [help]',
        'repos:',
        '  acme/widgets: {plugins: [hold]}',
        '  acme/*: {plugins: [help, hold]}',
        '  grp/sub/*: {plugins: []}',
      ].join('\n'),
      'config.yaml',
      KNOWN,
    );
    const repo = (owner: string, name: string) => ({ forge: 'gitlab' as const, owner, name });
    const resolve = repoConfigResolver(config, KNOWN);
    assert.deepEqual(resolve(repo('acme', 'widgets')).plugins, ['hold']);
    assert.deepEqual(resolve(repo('Acme', 'Widgets')).plugins, ['hold']);
    assert.deepEqual(resolve(repo('acme', 'gadgets')).plugins, ['help', 'hold']);
    assert.deepEqual(resolve(repo('grp/sub', 'proj')).plugins, []);
    assert.deepEqual(resolve(repo('other', 'thing')).plugins, ['help']);
  });

  it('enables every plugin everywhere when nothing is configured', () => {
    const resolved = repoConfigResolver(embeddedConfig(), KNOWN)({ forge: 'github', owner: 'a', name: 'b' });
    assert.deepEqual(resolved.plugins, KNOWN);
    assert.equal(resolved.replyToUnknownCommands, true);
    assert.deepEqual(resolved.approve, { require_self_approval: false, ignore_review_state: false, lgtm_acts_as_approve: false });
  });
});

describe('configuration: what the runners need from the environment', () => {
  const file = [
    'runners:', // 1
    '  jenkins: {type: webhook, url: "https://ci.test/x", secret_env: HOOK_KEY}', // 2
    '  gl:', // 3
    '    type: gitlab-pipeline', // 4
    '    trigger_token_env: GL_TRIGGER', // 5
    '  gh: {type: github-actions, workflow: ci.yml}', // 6
    '  local: {type: command, command: [make]}', // 7
    'repos:', // 8
    '  acme/widgets: {plugins: [], presubmits: [{name: unit, runner: nope}]}', // 9
  ].join('\n');
  const check = (env: NodeJS.ProcessEnv, forges?: RunnerEnvironment['forges']) => {
    try {
      parseConfig(file, 'config.yaml', KNOWN, { environment: { env, ...(forges ? { forges } : {}) } });
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems.map(formatProblem);
    }
  };

  it("lists every unset variable and missing forge with the file's other problems", () => {
    assert.deepEqual(check({}, { githubApp: false }), [
      'config.yaml:2: runners.jenkins.secret_env: the environment variable HOOK_KEY is not set',
      'config.yaml:3: runners.gl.api_token_env: the environment variable GITLAB_TOKEN is not set',
      'config.yaml:4: runners.gl.type: no GitLab instance: set url, or turn GitLab on (GITLAB_TOKEN, GITLAB_URL)',
      'config.yaml:5: runners.gl.trigger_token_env: the environment variable GL_TRIGGER is not set',
      'config.yaml:6: runners.gh.type: github-actions needs the GitHub App (APP_ID, PRIVATE_KEY)',
      'config.yaml:9: repos.acme/widgets.presubmits.0.runner: unknown runner "nope" (known: jenkins, gl, gh, local)',
    ]);
    assert.deepEqual(check({ HOOK_KEY: 'k', GITLAB_TOKEN: 't', GL_TRIGGER: 't' }, { githubApp: true, gitlabUrl: 'https://gitlab.test' }), [
      'config.yaml:9: repos.acme/widgets.presubmits.0.runner: unknown runner "nope" (known: jenkins, gl, gh, local)',
    ]);
  });

  it('checks every *_env key of every runner type, defaults included', () => {
    const names = new Map<string, string>();
    const runners = Object.fromEntries(
      runnerSchema.options.map((schema) => {
        const type = schema.shape.type.value;
        const keys = Object.keys(schema.shape).filter((k) => k.endsWith('_env'));
        for (const key of keys) names.set(`runners.${type}.${key}`, `UNSET_${type}_${key}`.replace(/-/g, '_').toUpperCase());
        const required = {
          webhook: { url: 'https://ci.test' },
          'gitlab-pipeline': { url: 'https://gitlab.test' },
          'github-actions': { workflow: 'ci.yml' },
          command: { command: ['make'] },
        }[type];
        const env = Object.fromEntries(keys.map((k) => [k, names.get(`runners.${type}.${k}`)]));
        return [type, runnerSchema.parse({ type, ...required, ...env })];
      }),
    );
    assert.ok(names.size >= 3, 'webhook, gitlab-pipeline name secrets');
    const found = runnerEnvProblems(runners, { env: {}, forges: { githubApp: true } });
    assert.deepEqual(found.map((p) => p.path.join('.')).sort(), [...names.keys()].sort());
    for (const problem of found) assert.match(problem.message, new RegExp(names.get(problem.path.join('.'))!));
  });

  it('builds no runner the check would refuse, and names each problem', () => {
    const config = parseConfig(file.split('\n').slice(0, 7).join('\n'), 'config.yaml', KNOWN);
    assert.throws(
      () =>
        createRunners(config.runners, {
          env: { HOOK_KEY: 'k' },
          commandQueue: new MemoryTaskQueue({ backoffMs: 1, onFailed: () => {} }),
          publicUrl: () => '',
        }),
      (err: Error) =>
        err instanceof RunnerSetupError &&
        /runner "gl": trigger_token_env: the environment variable GL_TRIGGER is not set/.test(err.message) &&
        /runner "gh": type: github-actions needs the GitHub App/.test(err.message),
    );
    const { gh: _, ...withoutActions } = config.runners;
    const built = createRunners(withoutActions, {
      env: { HOOK_KEY: 'k', GITLAB_TOKEN: 't', GL_TRIGGER: 't' },
      gitlabUrl: 'https://gitlab.test',
      commandQueue: new MemoryTaskQueue({ backoffMs: 1, onFailed: () => {} }),
      publicUrl: () => '',
    });
    assert.deepEqual([...built.keys()], ['jenkins', 'gl', 'local']);
  });
});
