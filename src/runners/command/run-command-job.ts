// Runs one `command` job on this machine: the refs to test are checked out merged (git-worktree.ts),
// then the configured argv runs there, without a shell, with the dispatch document on stdin and
// its output streamed to the caller. The script may be the PR's own code, so it gets a minimal
// environment: nothing of the bot's (which holds the App key and tokens) beyond PATH and LANG, and no callback token (the worker reports the result itself). It
// runs in its own process group, so a timeout or an abort stops everything it started. The bare
// environment keeps secrets from leaking by accident (a script printing its environment into a
// public log); it is not a sandbox: the script runs as the bot's user, which can read the bot's memory.
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunnerConfig } from '../../config/jobs-schema.js';
import type { DispatchDocument } from '../../jobs/protocol.js';
import { createMergedWorktree, MergeConflictError, removeWorktree } from './git-worktree.js';

/** Between SIGTERM and SIGKILL, for a script to clean up after itself. */
const KILL_GRACE_MS = 5_000;
/** How long output pipes held open by an escaped process may delay the result after the script exits. */
const CLOSE_GRACE_MS = 1_000;
/** The run id names directories. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface CommandJobOptions {
  /** holds the mirrors (git/), worktrees (runs/) and the scripts' home directories (homes/) */
  workRoot: string;
  /** the header line git sends to the clone URL's host (see git-worktree.ts); none for public repos */
  gitAuthHeader?: string;
  onOutput(chunk: string): void;
  /** aborts the run (a new push superseded it) */
  signal?: AbortSignal;
  /** for the whole run, checkout included */
  timeoutMs: number;
  /** a signal that fires when the run's time is up (default: after timeoutMs); tests fire their own at a chosen moment */
  deadline?: (timeoutMs: number) => AbortSignal;
  killGraceMs?: number;
}

export interface CommandJobResult {
  state: 'success' | 'failure' | 'error' | 'aborted';
  description: string;
  exitCode?: number;
}

/** The script's whole environment: PATH, LANG, a HOME of its own, CI=true, the job's params and what to test. */
export function commandEnv(doc: DispatchDocument, home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: process.env.LANG ?? 'C.UTF-8',
    HOME: home,
    CI: 'true',
    ...doc.job.params,
    CI_ORCHESTRATOR_RUN_ID: doc.job.id,
    CI_ORCHESTRATOR_JOB: doc.job.name,
    CI_ORCHESTRATOR_JOB_TYPE: doc.job.type,
    CI_ORCHESTRATOR_REPO: doc.refs.repo,
    CI_ORCHESTRATOR_BASE_REF: doc.refs.base_ref,
    CI_ORCHESTRATOR_BASE_SHA: doc.refs.base_sha,
    CI_ORCHESTRATOR_PULLS: doc.refs.pulls.map((p) => `${p.number}:${p.sha}`).join(' '),
  };
}

export async function runCommandJob(
  doc: DispatchDocument,
  config: CommandRunnerConfig,
  options: CommandJobOptions,
): Promise<CommandJobResult> {
  const runId = doc.job.id;
  if (!RUN_ID.test(runId)) return { state: 'error', description: `unusable run id "${runId}"` };
  const deadline = (options.deadline ?? AbortSignal.timeout)(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const stopped = (): CommandJobResult =>
    deadline.aborted
      ? { state: 'error', description: `timed out after ${formatDuration(options.timeoutMs)}` }
      : { state: 'aborted', description: 'aborted' };

  const worktree = join(options.workRoot, 'runs', runId);
  const home = join(options.workRoot, 'homes', runId);
  try {
    if (signal.aborted) return stopped();
    try {
      await createMergedWorktree({
        workRoot: options.workRoot,
        refs: doc.refs,
        path: worktree,
        gitAuthHeader: options.gitAuthHeader,
        signal,
      });
    } catch (err) {
      if (signal.aborted) return stopped();
      if (err instanceof MergeConflictError) {
        return { state: 'error', description: `merge conflict: PR #${err.pull} does not merge into ${doc.refs.base_ref}` };
      }
      return { state: 'error', description: `checkout failed: ${gitMessage(err)}` };
    }
    await rm(home, { recursive: true, force: true });
    await mkdir(home, { recursive: true });
    const { callback: _callback, ...input } = doc;
    const exit = await runInGroup(config.command, {
      cwd: worktree,
      env: commandEnv(doc, home),
      input: JSON.stringify(input),
      onOutput: options.onOutput,
      signal,
      killGraceMs: options.killGraceMs ?? KILL_GRACE_MS,
    });
    if (signal.aborted) return stopped();
    if ('spawnError' in exit) return { state: 'error', description: `cannot run ${config.command[0]}: ${exit.spawnError}` };
    if (exit.code === 0) return { state: 'success', description: 'exit code 0', exitCode: 0 };
    if (exit.code !== null) return { state: 'failure', description: `exit code ${exit.code}`, exitCode: exit.code };
    return { state: 'failure', description: `killed by ${exit.signal}` };
  } finally {
    await removeWorktree(options.workRoot, doc.refs.clone_url, worktree).catch(() => {});
    await rm(home, { recursive: true, force: true }).catch(() => {});
  }
}

type Exit = { code: number | null; signal: NodeJS.Signals | null } | { spawnError: string };

interface GroupOptions {
  cwd: string;
  env: Record<string, string>;
  input: string;
  onOutput(chunk: string): void;
  signal: AbortSignal;
  killGraceMs: number;
}

/**
 * Runs argv as the leader of a new process group. On abort the group gets SIGTERM, then SIGKILL
 * after the grace period; when the leader exits, whatever it left running is killed.
 */
function runInGroup(argv: string[], options: GroupOptions): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* the group is gone */
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs);
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });

    let settled = false;
    const settle = (exit: Exit) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      resolve(exit);
    };

    child.stdin.on('error', () => {}); // a script that does not read its input closes the pipe early
    child.stdin.end(options.input);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => options.onOutput(chunk));
    }
    child.on('error', (err) => settle({ spawnError: err.message }));
    child.on('exit', () => {
      killGroup('SIGKILL');
      // a process that left the group may still hold the pipes: do not wait for it for long
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, CLOSE_GRACE_MS).unref();
    });
    child.on('close', (code, sig) => settle({ code, signal: sig }));
  });
}

/** git's own complaint ("fatal: couldn't find remote ref ..."), not the command line around it. */
function gitMessage(err: unknown): string {
  const { stderr, message } = err as { stderr?: string; message?: string };
  const lines = (stderr || message || String(err))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => l.startsWith('fatal:') || l.startsWith('error:')) ?? lines[0] ?? 'git failed';
}

/** 7200000 -> "2h", 90000 -> "1m30s", 1500 -> "1.5s" */
function formatDuration(ms: number): string {
  if (ms < 60_000) return `${ms / 1000}s`;
  const s = Math.round(ms / 1000);
  const parts = [
    [Math.floor(s / 3600), 'h'],
    [Math.floor(s / 60) % 60, 'm'],
    [s % 60, 's'],
  ] as const;
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join('');
}
