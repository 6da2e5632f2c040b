// `ci-orchestrator import-prow` as a user meets it: the installed bin, exit codes, where the
// configuration and the report go, and that the result passes check-config.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const BIN = new URL('../../bin/ci-orchestrator.js', import.meta.url).pathname;
const fixture = (path: string) => new URL(`../fixtures/prow/${path}`, import.meta.url).pathname;

function run(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'ci-orchestrator-import-prow-'));

describe('ci-orchestrator import-prow', () => {
  it('converts a Prow configuration into a file check-config accepts, reporting what was left out', () => {
    const out = join(tempDir(), 'config.yaml');
    const { code, stdout, stderr } = run([
      'import-prow',
      '--plugins',
      fixture('plugins.yaml'),
      '--prow-config',
      fixture('config.yaml'),
      '--jobs',
      fixture('jobs/acme/widgets'),
      '--jobs',
      fixture('jobs/acme-tools/cli.yaml'),
      '--runner',
      'jenkins',
      '--out',
      out,
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /^Not converted, or converted with a difference/);
    assert.match(
      stderr,
      new RegExp(`${fixture('plugins.yaml')}:\\d+: plugins\\.acme\\.plugins: not converted, no such plugin here: assign`),
    );
    assert.match(stderr, /widgets-presubmits\.yaml:\d+: presubmits\.acme\/widgets\.0: pull-widgets-unit: dropped cluster, spec/);
    assert.match(stderr, /import-prow: 7 repository entries, 8 jobs; \d+ notes above; set the placeholder runner "jenkins" before serving/);
    assert.match(stderr, new RegExp(`wrote ${out}`));

    const written = readFileSync(out, 'utf8');
    assert.match(written, /^# Converted from Prow by `ci-orchestrator import-prow`/);
    // The placeholder runner's secret is for the user to set: check-config names it, and passes once
    // the environment is left out.
    const withEnv = run(['check-config', '--config', out]);
    assert.equal(withEnv.code, 1);
    assert.match(withEnv.stderr, /runners\.jenkins\.secret_env: the environment variable JENKINS_HMAC_KEY is not set/);
    const check = run(['check-config', '--skip-env', '--config', out]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /OK/);
  });

  it('writes the configuration to standard output without --out', () => {
    const { code, stdout } = run(['import-prow', '--plugins', fixture('plugins.yaml')]);
    assert.equal(code, 0);
    const config = parse(stdout) as { repos: Record<string, { plugins: string[] }>; runners?: unknown };
    assert.deepEqual(config.repos['acme/*']?.plugins, ['approve', 'help', 'hold', 'lgtm', 'trigger']);
    assert.equal(config.runners, undefined);
  });

  it('exits 1 naming an input it cannot read or parse, and writes nothing', () => {
    const dir = tempDir();
    const out = join(dir, 'config.yaml');
    const missing = run(['import-prow', '--plugins', join(dir, 'nope.yaml'), '--out', out]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`${join(dir, 'nope.yaml')}: \\(top level\\): cannot read`));
    assert.equal(missing.stdout, '');

    const broken = join(dir, 'config.yaml.in');
    writeFileSync(broken, 'tide:\n  queries:\n  - repos: acme/widgets\n');
    const bad = run(['import-prow', '--plugins', fixture('plugins.yaml'), '--prow-config', broken, '--out', out]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`${broken}:3: tide\\.queries\\.0\\.repos: .*expected array`));
    assert.match(bad.stderr, /nothing converted/);
    assert.throws(() => readFileSync(out), /ENOENT/);
  });

  it('exits 2 on usage errors', () => {
    for (const [args, message] of [
      [['import-prow'], /--plugins FILE is required/],
      [['import-prow', '--plugins', fixture('plugins.yaml'), '--config', 'x.yaml'], /unknown option --config/],
      [['import-prow', '--plugins', fixture('plugins.yaml'), '--runner', 'my runner'], /--runner "my runner": a runner name uses only/],
    ] as const) {
      const { code, stderr } = run([...args]);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, message);
      assert.match(stderr, /Usage: ci-orchestrator import-prow --plugins FILE/);
    }
  });
});
