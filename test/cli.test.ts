// The command line as a user meets it: the installed bin, exit codes and messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../bin/ci-orchestrator.js', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8', timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** As run(), without blocking this process (for tests that hold a port or a server of their own). */
function runAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-cli-')), name);
  writeFileSync(file, text);
  return file;
}

describe('ci-orchestrator CLI', () => {
  it('prints help', () => {
    for (const args of [['help'], ['--help'], ['-h'], []]) {
      const { code, stdout } = run(args);
      assert.equal(code, 0);
      assert.match(stdout, /Usage: ci-orchestrator <command>/);
      assert.match(stdout, /check-config/);
    }
  });

  it('prints the version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-v'], ['version']]) {
      const { code, stdout } = run(args);
      assert.equal(code, 0);
      assert.equal(stdout.trim(), version);
    }
  });

  it('says in one line, without a stack trace, that the port is in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const { code, stderr } = await runAsync(['serve'], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`port ${port} is already in use: stop the process that holds it, or set PORT`));
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    } finally {
      taken.close();
    }
  });

  it('rejects an unknown command with exit 2', () => {
    const { code, stderr } = run(['frobnicate']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown command "frobnicate"/);
    assert.match(stderr, /Usage:/);
  });

  it('rejects an unknown flag with exit 2', () => {
    const { code, stderr } = run(['serve', '--prot', '80']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown option --prot/);
  });

  it('rejects a stray argument with exit 2', () => {
    assert.equal(run(['check-config', 'extra']).code, 2);
  });

  it('check-config accepts a valid file', () => {
    const file = tempFile('ok.yaml', 'default_plugins: [help, hold]\nrepos:\n  acme/*:\n    plugins: [hold]\n');
    const { code, stdout } = run(['check-config', '--config', file]);
    assert.equal(code, 0);
    assert.match(stdout, /OK/);
  });

  it('check-config prints every error with file, line, path and reason, and exits non-zero', () => {
    const file = tempFile('bad.yaml', 'default_plugins: [hold, nope]\nrepos:\n  acme/widgets:\n    plugin: [hold]\n');
    const { code, stderr } = run(['check-config', '--config', file]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`${file}:4: repos\\.acme/widgets\\.plugin: .*[Uu]nrecognized`));
    assert.match(stderr, new RegExp(`${file}:3: repos\\.acme/widgets\\.plugins: required`));
    assert.match(stderr, new RegExp(`${file}:1: default_plugins\\.1: unknown plugin "nope"`));
    assert.match(stderr, /3 problems in/);
  });

  it('check-config reports what serve would refuse about the environment, unless --skip-env', () => {
    const file = tempFile('runners.yaml', [
      'runners:',
      '  jenkins: {type: webhook, url: "https://ci.test/x", secret_env: JENKINS_KEY}',
      '  other: {type: webhook, url: "https://ci.test/y", secret_env: OTHER_KEY}',
    ].join('\n'));
    const expected = [
      `${file}:2: runners.jenkins.secret_env: the environment variable JENKINS_KEY is not set`,
      `${file}:3: runners.other.secret_env: the environment variable OTHER_KEY is not set`,
    ];
    const checked = run(['check-config', '--config', file]);
    assert.equal(checked.code, 1);
    assert.deepEqual(checked.stderr.trim().split('\n'), [...expected, `2 problems in ${file} and the environment`]);
    assert.equal(run(['check-config', '--config', file], { JENKINS_KEY: 'k', OTHER_KEY: 'k' }).code, 0);
    const skipped = run(['check-config', '--skip-env', '--config', file]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /OK/);
    // serve refuses the same file with the same lines: one check for both.
    const served = run(['serve', '--config', file], { PORT: '0' });
    assert.equal(served.code, 1);
    assert.deepEqual(served.stdout.trim().split('\n').map((line) => JSON.parse(line).msg), expected);
  });

  it('check-config names invalid environment settings', () => {
    const file = tempFile('ok.yaml', 'default_plugins: [hold]\n');
    const { code, stderr } = run(['check-config', '--config', file], { GITLAB_TOKEN: 'x' });
    assert.equal(code, 1);
    assert.match(stderr, /^environment: GITLAB_TOKEN is set but GITLAB_WEBHOOK_SECRET is not/);
  });

  it('check-config --repo-file checks a repository\'s file alone, or against the operator\'s allowlists', () => {
    const repoFile = tempFile('ci-orchestrator.yaml', 'presubmits:\n  - {name: lint, runner: gpu}\nlgtm: {review_acts_as_lgtm: true}\n');
    const alone = run(['check-config', '--repo-file', repoFile]);
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(alone.stdout, /OK \(on its own/);
    const operator = tempFile('config.yaml', [
      'runners: {jenkins: {type: webhook, url: "https://ci.test/x", secret_env: JENKINS_KEY}}',
      'repos:',
      '  acme/widgets: {plugins: [trigger], in_repo_config: {allowed_runners: [jenkins]}}',
    ].join('\n'));
    const checked = run(['check-config', '--repo-file', repoFile, '--config', operator, '--repo', 'acme/widgets']);
    assert.equal(checked.code, 1);
    assert.deepEqual(checked.stderr.trim().split('\n'), [
      `${repoFile}:2: presubmits.0.runner: runner "gpu" is not allowed for this repository (allowed: jenkins)`,
      `${repoFile}:3: lgtm: the operator does not let this repository set lgtm options (allowed: none)`,
      `2 problems in ${repoFile}`,
    ]);
    const off = run(['check-config', '--repo-file', repoFile, '--config', operator, '--repo', 'acme/gadgets']);
    assert.equal(off.code, 1);
    assert.match(off.stderr, /in_repo_config: not enabled for acme\/gadgets/);
    assert.equal(run(['serve', '--repo-file', repoFile]).code, 2, '--repo-file goes with check-config');
  });

  it('check-config reads CONFIG_FILE and names a missing file', () => {
    const { code, stderr } = run(['check-config'], { CONFIG_FILE: '/nonexistent/config.yaml' });
    assert.equal(code, 1);
    assert.match(stderr, /\/nonexistent\/config\.yaml: \(top level\): cannot read/);
  });

  it('refuses to serve GitHub without a webhook secret', () => {
    const { code, stderr } = run(['serve'], { APP_ID: '1', PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----', PORT: '0' });
    assert.equal(code, 2);
    assert.match(stderr, /WEBHOOK_SECRET is not/);
  });

  it('refuses to serve with a bad private key, saying what is wrong and not printing it', () => {
    const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----';
    const { code, stderr } = run(['serve'], { APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY: key, PORT: '0' });
    assert.equal(code, 2);
    assert.match(stderr, /^ci-orchestrator: PRIVATE_KEY is not a valid private key: /);
    assert.ok(!stderr.includes('MIIBOgIBAAJBAKj34'), 'the key is not printed');
    const cut = run(['serve'], { APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY: '"-----BEGIN RSA PRIVATE KEY-----', PORT: '0' });
    assert.equal(cut.code, 2);
    assert.match(cut.stderr, /PRIVATE_KEY starts with a quote but does not end with one: a multi-line value was cut at its first line \(docker --env-file reads one line per variable\)/);
  });

  it('refuses to serve GitLab without a webhook secret', () => {
    const { code, stderr } = run(['serve'], { GITLAB_TOKEN: 'x', PORT: '0' });
    assert.equal(code, 2);
    assert.match(stderr, /GITLAB_WEBHOOK_SECRET is not/);
  });

  it('refuses to start a worker without Redis', () => {
    const { code, stderr } = run(['worker']);
    assert.equal(code, 2);
    assert.match(stderr, /set REDIS_URL/);
  });

  it('does not start on a malformed config, naming the problem', () => {
    const file = tempFile('bad.yaml', 'repos: [1]\n');
    const { code, stdout } = run(['serve', '--config', file], { PORT: '0' });
    assert.equal(code, 1);
    assert.match(stdout, /bad\.yaml:1: repos: /);
  });
});
