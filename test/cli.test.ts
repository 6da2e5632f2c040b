// The command line as a user meets it: the installed bin, exit codes and messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../bin/ci-orchestrator.js', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8', timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
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
