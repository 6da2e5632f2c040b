// runCommandJob over real git repositories: a base branch that moved on after the PRs branched off,
// one PR that merges and one that conflicts. The scripts are small sh programs that print what
// they see.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API_VERSION, type DispatchDocument, type Pull } from '../../src/jobs/protocol.js';
import { mirrorDir } from '../../src/runners/command/git-worktree.js';
import { type CommandJobOptions, runCommandJob } from '../../src/runners/command/run-command-job.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';

const CALLBACK_TOKEN = 'callback-token-canary';
const PLANTED_SECRET = 'private-key-canary';

let repo: GitRepo;
let srcDir: string;
const sha: Record<'base' | 'pr1' | 'pr2' | 'pr3' | 'pr3next', string> = { base: '', pr1: '', pr2: '', pr3: '', pr3next: '' };
const workRoots: string[] = [];

const git = (...args: string[]) => execFileSync('git', ['-C', srcDir, ...args], { encoding: 'utf8' }).trim();

before(() => {
  repo = createGitRepo();
  srcDir = repo.url.slice('file://'.length);
  const start = repo.commit({ 'a.txt': 'base\n', 'shared.txt': 'original\n' }, 'base').sha;
  const main = git('rev-parse', '--abbrev-ref', 'HEAD');
  git('checkout', '--quiet', '-b', 'pr1');
  sha.pr1 = repo.commit({ 'b.txt': 'from pr1\n' }, 'pr1').sha;
  git('checkout', '--quiet', '-b', 'pr2', start);
  sha.pr2 = repo.commit({ 'shared.txt': 'from pr2\n' }, 'pr2').sha;
  // PR 3 lives only under refs/pull/3/head, which has moved one commit past the sha being tested
  git('checkout', '--quiet', '-b', 'pr3', start);
  sha.pr3 = repo.commit({ 'c.txt': 'from pr3\n' }, 'pr3').sha;
  sha.pr3next = repo.commit({ 'c.txt': 'pr3, later\n' }, 'pr3 later').sha;
  git('update-ref', 'refs/pull/3/head', sha.pr3next);
  git('checkout', '--quiet', main);
  git('branch', '--quiet', '-D', 'pr3');
  sha.base = repo.commit({ 'a.txt': 'base moved on\n', 'shared.txt': 'from base\n' }, 'base moves').sha;
  process.env.PRIVATE_KEY = PLANTED_SECRET;
});

after(() => {
  delete process.env.PRIVATE_KEY;
  repo.remove();
  for (const dir of workRoots) rmSync(dir, { recursive: true, force: true });
});

const pull = (number: number, commit: string): Pull => ({ number, sha: commit, author: 'alice' });

function doc(pulls: Pull[], params: Record<string, string> = {}): DispatchDocument {
  return {
    apiVersion: API_VERSION,
    job: { id: 'run-1', name: 'unit', type: 'presubmit', context: 'ci/unit', params, timeout_seconds: 60 },
    refs: { forge: 'github', repo: 'acme/widgets', clone_url: repo.url, base_ref: 'main', base_sha: sha.base, pulls },
    callback: { url: 'http://bot.test/api/v1/jobs/run-1/status', token: CALLBACK_TOKEN },
  };
}

/** A deadline that never comes: how long a checkout takes on a busy machine is not what these tests are about. */
const noDeadline = () => new AbortController().signal;

/**
 * A deadline the test fires itself once the script prints "started": the time is up while the
 * script runs, however long the checkout before it took.
 */
function deadlineOnceStarted(): Pick<CommandJobOptions, 'deadline' | 'onOutput'> {
  const deadline = new AbortController();
  return {
    deadline: () => deadline.signal,
    onOutput: (chunk) => {
      if (chunk.includes('started')) deadline.abort();
    },
  };
}

/** Runs `script` with sh in a fresh work root; answers the result, the output and the work root. */
async function run(d: DispatchDocument, script: string, options: Partial<CommandJobOptions> = {}) {
  const workRoot = mkdtempSync(join(tmpdir(), 'ci-orchestrator-work-'));
  workRoots.push(workRoot);
  let output = '';
  const result = await runCommandJob(
    d,
    { type: 'command', command: ['sh', '-c', script] },
    {
      workRoot,
      timeoutMs: 10_000,
      deadline: noDeadline,
      onOutput: (chunk) => {
        output += chunk;
      },
      ...options,
    },
  );
  return { result, output, workRoot };
}

/** The run left no worktree, no home and nothing in git's worktree list. */
function assertCleanedUp(workRoot: string) {
  assert.equal(existsSync(join(workRoot, 'runs', 'run-1')), false, 'worktree directory removed');
  assert.equal(existsSync(join(workRoot, 'homes', 'run-1')), false, 'home directory removed');
  const list = execFileSync('git', ['-C', mirrorDir(workRoot, repo.url), 'worktree', 'list', '--porcelain'], { encoding: 'utf8' });
  assert.doesNotMatch(list, /runs/, 'git forgot the worktree');
}

/**
 * Waits until the process is dead: gone, or a zombie its (orphaned) parent has not reaped yet. The
 * kill is asynchronous, so this polls; the bound only keeps a failure from hanging the test.
 */
async function assertGone(pid: number) {
  const running = () => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 1500 && running(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(running(), false, `process ${pid} is still running`);
}

describe('runCommandJob', () => {
  it('runs the script in the base with the PR merged, the document on stdin without the callback', async () => {
    const d = doc([pull(1, sha.pr1)]);
    const { result, output, workRoot } = await run(
      d,
      `
      cat > "$HOME/input.json"
      echo "a=$(cat a.txt) b=$(cat b.txt)"
      echo "parents=$(git log -1 --format=%P)"
      echo "message=$(git log -1 --format=%s)"
      echo "input=$(cat "$HOME/input.json")"
    `,
    );
    assert.deepEqual(result, { state: 'success', description: 'exit code 0', exitCode: 0 });
    assert.match(output, /^a=base moved on b=from pr1$/m);
    assert.match(output, new RegExp(`^parents=${sha.base} ${sha.pr1}$`, 'm'), 'a --no-ff merge of the PR into the base');
    const input = JSON.parse(/^input=(.*)$/m.exec(output)![1]!);
    const { callback: _callback, ...expected } = d;
    assert.deepEqual(input, expected);
    assert.doesNotMatch(output, new RegExp(CALLBACK_TOKEN));
    assertCleanedUp(workRoot);
  });

  it('gives the script a minimal environment: no secret of the bot, the refs and the params', async () => {
    const d = doc([pull(1, sha.pr1)], { GOFLAGS: '-count=1' });
    const { result, output, workRoot } = await run(d, 'env', { gitAuthHeader: 'Authorization: Basic Z2l0LXRva2VuLWNhbmFyeQ==' });
    assert.equal(result.state, 'success');
    const env = Object.fromEntries(
      output
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.doesNotMatch(output, new RegExp(PLANTED_SECRET));
    assert.doesNotMatch(output, /Z2l0LXRva2VuLWNhbmFyeQ|GIT_CONFIG/);
    assert.equal(env.PRIVATE_KEY, undefined);
    assert.equal(env.CI, 'true');
    assert.equal(env.GOFLAGS, '-count=1');
    assert.equal(env.CI_ORCHESTRATOR_RUN_ID, 'run-1');
    assert.equal(env.CI_ORCHESTRATOR_JOB, 'unit');
    assert.equal(env.CI_ORCHESTRATOR_JOB_TYPE, 'presubmit');
    assert.equal(env.CI_ORCHESTRATOR_REPO, 'acme/widgets');
    assert.equal(env.CI_ORCHESTRATOR_BASE_REF, 'main');
    assert.equal(env.CI_ORCHESTRATOR_BASE_SHA, sha.base);
    assert.equal(env.CI_ORCHESTRATOR_PULLS, `1:${sha.pr1}`);
    assert.equal(env.HOME, join(workRoot, 'homes', 'run-1'));
    assert.equal(env.PATH, process.env.PATH);
    assertCleanedUp(workRoot);
  });

  it('tests the base alone when there are no pulls (postsubmit)', async () => {
    const { result, output } = await run(doc([]), 'git rev-parse HEAD; cat a.txt');
    assert.equal(result.state, 'success');
    assert.equal(output, `${sha.base}\nbase moved on\n`);
  });

  it('maps a non-zero exit code to failure, with stderr in the output', async () => {
    const { result, output, workRoot } = await run(doc([pull(1, sha.pr1)]), 'echo broken >&2; exit 3');
    assert.deepEqual(result, { state: 'failure', description: 'exit code 3', exitCode: 3 });
    assert.equal(output, 'broken\n');
    assertCleanedUp(workRoot);
  });

  it('ends as an error naming the PR that does not merge', async () => {
    const { result, output, workRoot } = await run(doc([pull(1, sha.pr1), pull(2, sha.pr2)]), 'echo should not run');
    assert.deepEqual(result, { state: 'error', description: 'merge conflict: PR #2 does not merge into main' });
    assert.equal(output, '');
    assertCleanedUp(workRoot);
  });

  it('fetches a PR commit through refs/pull/N/head when the server will not serve its sha', async () => {
    // protocol v0 with no allow*SHA1InWant: only advertised tips can be fetched by sha
    git('config', 'uploadpack.allowAnySHA1InWant', 'false');
    process.env.GIT_CONFIG_PARAMETERS = "'protocol.version=0'";
    try {
      const { result, output } = await run(doc([pull(3, sha.pr3)]), 'cat c.txt');
      assert.equal(result.state, 'success', result.description);
      assert.equal(output, 'from pr3\n', 'the sha asked for, not the newer head of the ref');
    } finally {
      delete process.env.GIT_CONFIG_PARAMETERS;
      git('config', 'uploadpack.allowAnySHA1InWant', 'true');
    }
  });

  it('ends as an error when a commit cannot be fetched', async () => {
    const { result } = await run(doc([pull(4, 'f'.repeat(40))]), 'true');
    assert.equal(result.state, 'error');
    assert.match(result.description, /^checkout failed: /);
  });

  // The scripts below would sleep for ten minutes: a run that did not stop them would hang the test.
  it('on timeout kills the whole process group, grandchildren included', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-pid-')), 'pid');
    workRoots.push(join(pidFile, '..'));
    const { result, workRoot } = await run(doc([], { PID_FILE: pidFile }), 'sleep 600 & echo $! > "$PID_FILE"; echo started; wait', {
      timeoutMs: 700,
      ...deadlineOnceStarted(),
    });
    assert.deepEqual(result, { state: 'error', description: 'timed out after 0.7s' });
    await assertGone(Number(readFileSync(pidFile, 'utf8')));
    assertCleanedUp(workRoot);
  });

  it('follows SIGTERM with SIGKILL when the script ignores it', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-pid-')), 'pid');
    workRoots.push(join(pidFile, '..'));
    const { result } = await run(
      doc([], { PID_FILE: pidFile }),
      'trap "" TERM; sleep 600 & echo $! > "$PID_FILE"; echo started; wait; wait',
      { timeoutMs: 700, killGraceMs: 300, ...deadlineOnceStarted() },
    );
    assert.equal(result.state, 'error');
    await assertGone(Number(readFileSync(pidFile, 'utf8')));
  });

  it('ends as aborted when the signal fires, and stops the script', async () => {
    const abort = new AbortController();
    const workRoot = mkdtempSync(join(tmpdir(), 'ci-orchestrator-work-'));
    workRoots.push(workRoot);
    const result = await runCommandJob(
      doc([pull(1, sha.pr1)]),
      { type: 'command', command: ['sh', '-c', 'echo started; sleep 600'] },
      {
        workRoot,
        timeoutMs: 10_000,
        deadline: noDeadline,
        signal: abort.signal,
        onOutput: (chunk) => {
          if (chunk.includes('started')) abort.abort();
        },
      },
    );
    assert.deepEqual(result, { state: 'aborted', description: 'aborted' });
    assertCleanedUp(workRoot);
  });

  it('does not start when already aborted', async () => {
    const { result, output } = await run(doc([]), 'echo ran', { signal: AbortSignal.abort() });
    assert.deepEqual(result, { state: 'aborted', description: 'aborted' });
    assert.equal(output, '');
  });

  it('ends as an error when the command cannot be started', async () => {
    const workRoot = mkdtempSync(join(tmpdir(), 'ci-orchestrator-work-'));
    workRoots.push(workRoot);
    const result = await runCommandJob(
      doc([]),
      { type: 'command', command: ['./no-such-script'] },
      {
        workRoot,
        timeoutMs: 10_000,
        deadline: noDeadline,
        onOutput: () => {},
      },
    );
    assert.equal(result.state, 'error');
    assert.match(result.description, /^cannot run \.\/no-such-script: .*ENOENT/);
    assertCleanedUp(workRoot);
  });
});
