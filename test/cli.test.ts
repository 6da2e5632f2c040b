// The command line as a user meets it: exit codes and messages. Most cases run main() here, as the
// installed bin does, with exactly the environment given and the console captured (a process per
// case cost about 3 s of CPU each); the bin itself runs for help and for a serve that fails at start.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { format } from 'node:util';
import { main } from '../src/cli.js';

const BIN = new URL('../bin/ci-orchestrator.js', import.meta.url).pathname;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** main(args) in this process, the environment being PATH, HOME and `env` only, the console captured. */
async function run(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const saved = { ...process.env };
  const console_ = { log: console.log, error: console.error };
  let stdout = '';
  let stderr = '';
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, values);
  };
  setEnv({ PATH: saved.PATH, HOME: saved.HOME, ...env });
  console.log = (...parts: unknown[]) => {
    stdout += `${format(...parts)}\n`;
  };
  console.error = (...parts: unknown[]) => {
    stderr += `${format(...parts)}\n`;
  };
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    Object.assign(console, console_);
    setEnv(saved);
  }
}

/** The installed bin in a child process; the test's signal stops it if the test is cancelled. */
function runBin(args: string[], env: Record<string, string>, signal: AbortSignal): Promise<Ran> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    signal,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-cli-')), name);
  writeFileSync(file, text);
  return file;
}

describe('ci-orchestrator CLI', () => {
  it('prints help', async (t) => {
    for (const args of [['help'], ['--help'], ['-h'], []]) {
      const { code, stdout } = args.length === 0 ? await runBin(args, {}, t.signal) : await run(args);
      assert.equal(code, 0);
      assert.match(stdout, /Usage: ci-orchestrator <command>/);
      assert.match(stdout, /check-config/);
    }
  });

  it('prints the version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-v'], ['version']]) {
      const { code, stdout } = await run(args);
      assert.equal(code, 0);
      assert.equal(stdout.trim(), version);
    }
  });

  it('says in one line, without a stack trace, that the port is in use', async (t) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const { code, stderr } = await runBin(['serve'], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, t.signal);
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`port ${port} is already in use: stop the process that holds it, or set PORT`));
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    } finally {
      taken.close();
    }
  });

  it('rejects an unknown command with exit 2', async () => {
    const { code, stderr } = await run(['frobnicate']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown command "frobnicate"/);
    assert.match(stderr, /Usage:/);
  });

  it('rejects an unknown flag with exit 2', async () => {
    const { code, stderr } = await run(['serve', '--prot', '80']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown option --prot/);
  });

  it('rejects a stray argument with exit 2', async () => {
    assert.equal((await run(['check-config', 'extra'])).code, 2);
  });

  it('check-config accepts a valid file', async () => {
    const file = tempFile('ok.yaml', 'default_plugins: [help, hold]\nrepos:\n  acme/*:\n    plugins: [hold]\n');
    const { code, stdout } = await run(['check-config', '--config', file]);
    assert.equal(code, 0);
    assert.match(stdout, /OK/);
  });

  it('check-config prints every error with file, line, path and reason, and exits non-zero', async () => {
    const file = tempFile('bad.yaml', 'default_plugins: [hold, nope]\nrepos:\n  acme/widgets:\n    plugin: [hold]\n');
    const { code, stderr } = await run(['check-config', '--config', file]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`${file}:4: repos\\.acme/widgets\\.plugin: .*[Uu]nrecognized`));
    assert.match(stderr, new RegExp(`${file}:3: repos\\.acme/widgets\\.plugins: required`));
    assert.match(stderr, new RegExp(`${file}:1: default_plugins\\.1: unknown plugin "nope"`));
    assert.match(stderr, /3 problems in/);
  });

  it('check-config reports what serve would refuse about the environment, unless --skip-env', async (t) => {
    const file = tempFile(
      'runners.yaml',
      [
        'runners:',
        '  jenkins: {type: webhook, url: "https://ci.test/x", secret_env: JENKINS_KEY}',
        '  other: {type: webhook, url: "https://ci.test/y", secret_env: OTHER_KEY}',
      ].join('\n'),
    );
    const expected = [
      `${file}:2: runners.jenkins.secret_env: the environment variable JENKINS_KEY is not set`,
      `${file}:3: runners.other.secret_env: the environment variable OTHER_KEY is not set`,
    ];
    const checked = await run(['check-config', '--config', file]);
    assert.equal(checked.code, 1);
    assert.deepEqual(checked.stderr.trim().split('\n'), [...expected, `2 problems in ${file} and the environment`]);
    assert.equal((await run(['check-config', '--config', file], { JENKINS_KEY: 'k', OTHER_KEY: 'k' })).code, 0);
    const skipped = await run(['check-config', '--skip-env', '--config', file]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /OK/);
    // serve refuses the same file with the same lines: one check for both.
    const served = await runBin(['serve', '--config', file], { PORT: '0' }, t.signal);
    assert.equal(served.code, 1);
    // The same lines; their order on a pipe is the logger's (seen reversed once on a loaded machine).
    assert.deepEqual(
      served.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).msg)
        .sort(),
      [...expected].sort(),
    );
  });

  it('check-config names invalid environment settings', async () => {
    const file = tempFile('ok.yaml', 'default_plugins: [hold]\n');
    const { code, stderr } = await run(['check-config', '--config', file], { GITLAB_TOKEN: 'x' });
    assert.equal(code, 1);
    assert.match(stderr, /^environment: GITLAB_TOKEN is set but GITLAB_WEBHOOK_SECRET is not/);
  });

  it("check-config --repo-file checks a repository's file alone, or against the operator's allowlists", async () => {
    const repoFile = tempFile('ci-orchestrator.yaml', 'presubmits:\n  - {name: lint, runner: gpu}\nlgtm: {review_acts_as_lgtm: true}\n');
    const alone = await run(['check-config', '--repo-file', repoFile]);
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(alone.stdout, /OK \(on its own/);
    const operator = tempFile(
      'config.yaml',
      [
        'runners: {jenkins: {type: webhook, url: "https://ci.test/x", secret_env: JENKINS_KEY}}',
        'repos:',
        '  acme/widgets: {plugins: [trigger], in_repo_config: {allowed_runners: [jenkins]}}',
      ].join('\n'),
    );
    const checked = await run(['check-config', '--repo-file', repoFile, '--config', operator, '--repo', 'acme/widgets']);
    assert.equal(checked.code, 1);
    assert.deepEqual(checked.stderr.trim().split('\n'), [
      `${repoFile}:2: presubmits.0.runner: runner "gpu" is not allowed for this repository (allowed: jenkins)`,
      `${repoFile}:3: lgtm: the operator does not let this repository set lgtm options (allowed: none)`,
      `2 problems in ${repoFile}`,
    ]);
    const off = await run(['check-config', '--repo-file', repoFile, '--config', operator, '--repo', 'acme/gadgets']);
    assert.equal(off.code, 1);
    assert.match(off.stderr, /in_repo_config: not enabled for acme\/gadgets/);
    assert.equal((await run(['serve', '--repo-file', repoFile])).code, 2, '--repo-file goes with check-config');
  });

  it('check-config reads CONFIG_FILE and names a missing file', async () => {
    const { code, stderr } = await run(['check-config'], { CONFIG_FILE: '/nonexistent/config.yaml' });
    assert.equal(code, 1);
    assert.match(stderr, /\/nonexistent\/config\.yaml: \(top level\): cannot read/);
  });

  it('refuses to serve GitHub without a webhook secret', async () => {
    const { code, stderr } = await run(['serve'], {
      APP_ID: '1',
      PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----',
      PORT: '0',
    });
    assert.equal(code, 2);
    assert.match(stderr, /WEBHOOK_SECRET is not/);
  });

  it('refuses to serve with a bad private key, saying what is wrong and not printing it', async () => {
    const key =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----';
    const { code, stderr } = await run(['serve'], { APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY: key, PORT: '0' });
    assert.equal(code, 2);
    assert.match(stderr, /^ci-orchestrator: PRIVATE_KEY is not a valid private key: /);
    assert.ok(!stderr.includes('MIIBOgIBAAJBAKj34'), 'the key is not printed');
    const cut = await run(['serve'], { APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY: '"-----BEGIN RSA PRIVATE KEY-----', PORT: '0' });
    assert.equal(cut.code, 2);
    assert.match(
      cut.stderr,
      /PRIVATE_KEY starts with a quote but does not end with one: a multi-line value was cut at its first line \(docker --env-file reads one line per variable\)/,
    );
  });

  it('refuses to serve GitLab without a webhook secret', async () => {
    const { code, stderr } = await run(['serve'], { GITLAB_TOKEN: 'x', PORT: '0' });
    assert.equal(code, 2);
    assert.match(stderr, /GITLAB_WEBHOOK_SECRET is not/);
  });

  it('refuses to start a worker without Redis', async () => {
    const { code, stderr } = await run(['worker']);
    assert.equal(code, 2);
    assert.match(stderr, /set REDIS_URL/);
  });

  it('does not start on a malformed config, naming the problem', async (t) => {
    const file = tempFile('bad.yaml', 'repos: [1]\n');
    const { code, stdout } = await runBin(['serve', '--config', file], { PORT: '0' }, t.signal);
    assert.equal(code, 1);
    assert.match(stdout, /bad\.yaml:1: repos: /);
  });
});
