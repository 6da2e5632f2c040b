// The code a command job tests, on disk: the base commit with each PR merged into it, in a detached
// worktree of a bare mirror kept per clone URL (workRoot/git/<sha256(url)[0..16]>), so a repo's
// history is fetched once and each later run fetches only what is new. Git operations on a mirror
// run one at a time (git locks refs and the worktree list); the job's own script runs outside
// that. One workRoot belongs to one process: the queue is in memory.
//
// Authentication: the caller passes the whole header line git should send ("Authorization: Basic
// base64(x-access-token:<installation token>)" on GitHub, "oauth2:<token>" on GitLab). It reaches
// git through GIT_CONFIG_* environment variables as http.<origin>/.extraHeader, so it is in neither
// argv nor any config file, and it is sent only to the clone URL's host.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Refs } from '../../jobs/protocol.js';

const run = promisify(execFile);

/** Who the merge commits are by: fixed, so no setting of the host leaks into the tested tree. */
const IDENTITY = ['-c', 'user.name=ci-orchestrator', '-c', 'user.email=ci-orchestrator@localhost', '-c', 'commit.gpgSign=false'];
/** Keeps the mirror's history known to git, so the next fetch sends only what is new. */
const BASE_REF = 'refs/ci-orchestrator/base';

/** A PR that does not merge cleanly into the base (or the PRs before it). */
export class MergeConflictError extends Error {
  constructor(readonly pull: number) {
    super(`PR #${pull} does not merge`);
    this.name = 'MergeConflictError';
  }
}

export interface WorktreeOptions {
  workRoot: string;
  refs: Refs;
  /** where the worktree goes; replaced if left over from an earlier attempt */
  path: string;
  /** the header line git sends to the clone URL's host ("Authorization: Basic …") */
  gitAuthHeader?: string;
  /** stops git (abort, timeout) */
  signal?: AbortSignal;
}

/** The git directory of a clone URL's mirror. */
export const mirrorDir = (workRoot: string, cloneUrl: string): string =>
  join(workRoot, 'git', createHash('sha256').update(cloneUrl).digest('hex').slice(0, 16));

/**
 * Checks out refs.base_sha at `path` and merges each pull into it with --no-ff, in order. Throws
 * MergeConflictError when a pull does not merge, another Error when git fails.
 */
export async function createMergedWorktree(options: WorktreeOptions): Promise<void> {
  const { workRoot, refs, path, signal } = options;
  const mirror = mirrorDir(workRoot, refs.clone_url);
  const git = gitRunner(gitEnv(refs.clone_url, options.gitAuthHeader), signal);
  await serially(mirror, async () => {
    await mkdir(mirror, { recursive: true });
    await git(mirror, ['init', '--quiet', '--bare']);
    await fetchCommit(git, mirror, refs, refs.base_sha);
    await git(mirror, ['update-ref', BASE_REF, refs.base_sha]);
    for (const pull of refs.pulls) await fetchCommit(git, mirror, refs, pull.sha, pull.number);

    await discardWorktree(git, mirror, path);
    await mkdir(join(path, '..'), { recursive: true });
    await git(mirror, ['worktree', 'add', '--quiet', '--detach', path, refs.base_sha]);
    for (const pull of refs.pulls) {
      try {
        await git(path, [...IDENTITY, 'merge', '--quiet', '--no-ff', '--no-edit', pull.sha]);
      } catch (err) {
        const unmerged = await git(path, ['ls-files', '--unmerged']).catch(() => '');
        throw unmerged.trim() ? new MergeConflictError(pull.number) : err;
      }
    }
  });
}

/** Removes the worktree at `path` and what git knows of it. */
export async function removeWorktree(workRoot: string, cloneUrl: string, path: string): Promise<void> {
  const mirror = mirrorDir(workRoot, cloneUrl);
  await serially(mirror, () => discardWorktree(gitRunner(gitEnv(cloneUrl)), mirror, path));
}

type Git = (dir: string, args: string[]) => Promise<string>;

function gitRunner(env: NodeJS.ProcessEnv, signal?: AbortSignal): Git {
  return async (dir, args) => {
    const { stdout } = await run('git', ['-C', dir, ...args], { env, signal, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  };
}

function gitEnv(cloneUrl: string, authHeader?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  if (!authHeader) return env;
  return {
    ...env,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${new URL(cloneUrl).origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: authHeader,
  };
}

/**
 * Makes a commit present in the mirror: fetched by its sha, or for a PR, where the forge will not
 * serve a bare sha, through the PR's head ref (which still contains it unless force-pushed away).
 */
async function fetchCommit(git: Git, mirror: string, refs: Refs, sha: string, pull?: number): Promise<void> {
  const present = () =>
    git(mirror, ['cat-file', '-e', `${sha}^{commit}`]).then(
      () => true,
      () => false,
    );
  if (await present()) return;
  const fetch = (what: string) => git(mirror, ['fetch', '--quiet', '--no-tags', refs.clone_url, what]);
  try {
    await fetch(sha);
    return;
  } catch (err) {
    if (pull === undefined) throw err;
  }
  await fetch(refs.forge === 'github' ? `refs/pull/${pull}/head` : `refs/merge-requests/${pull}/head`);
  if (!(await present())) throw new Error(`commit ${sha} of PR #${pull} is not in the repository any more`);
}

async function discardWorktree(git: Git, mirror: string, path: string): Promise<void> {
  await git(mirror, ['worktree', 'remove', '--force', '--force', path]).catch(() => {});
  await rm(path, { recursive: true, force: true });
  await git(mirror, ['worktree', 'prune']).catch(() => {});
}

/** mirror dir -> the tail of its chain of git operations */
const queues = new Map<string, Promise<unknown>>();

function serially<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const next = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = next.catch(() => {});
  queues.set(key, tail);
  // forget an idle mirror's queue, so the map does not grow with every repo ever seen
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return next;
}
