// Checks of the job configuration that span fields or entries, which the schema cannot express:
// Prow's job validation rules, plus the rule that every pattern
// must match in bounded time, since comments and paths are attacker-controlled text. They run over the file's raw data, one job at a time, so a job
// is checked whenever it is valid on its own, whatever else in the file is wrong.

import { branchMatches } from '../jobs/select-jobs.js';
import { compileFilterPattern, FilterPatternError } from '../owners/filter-regex.js';
import { contextOf, type Postsubmit, type Presubmit, postsubmitSchema, presubmitSchema } from './jobs-schema.js';

export interface PathProblem {
  /** where in the file, e.g. ['repos', 'acme/widgets', 'presubmits', 0, 'runner'] */
  path: Array<string | number>;
  message: string;
}

type Job = Presubmit | Postsubmit;
type Brancher = Pick<Job, 'branches' | 'skip_branches'>;
export type JobKind = 'presubmits' | 'postsubmits';

/** Judges a job's `runner`: a message when it may not be used, else undefined. */
export type RunnerCheck = (runner: string) => string | undefined;

/** The operator's file: any key of the top-level runners map. */
export const knownRunner =
  (runners: readonly string[]): RunnerCheck =>
  (runner) => {
    if (runners.includes(runner)) return undefined;
    return runners.length > 0
      ? `unknown runner "${runner}" (known: ${runners.join(', ')})`
      : `unknown runner "${runner}": the top-level runners map is empty`;
  };

export const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** The job lists of every repos entry of the operator's file, as raw data. */
export function validateJobs(data: unknown): PathProblem[] {
  const root = asRecord(data);
  const runners = knownRunner(Object.keys(asRecord(root?.runners) ?? {}));
  const problems: PathProblem[] = [];
  for (const [repo, entry] of Object.entries(asRecord(root?.repos) ?? {})) {
    for (const kind of ['presubmits', 'postsubmits'] as const) {
      problems.push(...validateJobList(asRecord(entry)?.[kind], kind, runners, ['repos', repo, kind]));
    }
  }
  return problems;
}

/** One raw list of jobs at `at`; entries the schema rejects are left to the schema's report. */
export function validateJobList(list: unknown, kind: JobKind, runners: RunnerCheck, at: Array<string | number>): PathProblem[] {
  if (!Array.isArray(list)) return [];
  const schema = kind === 'presubmits' ? presubmitSchema : postsubmitSchema;
  const problems: PathProblem[] = [];
  const valid: Array<{ job: Job; index: number }> = [];
  list.forEach((raw: unknown, index: number) => {
    const report = (path: Array<string | number>, message: string) => problems.push({ path: [...at, index, ...path], message });
    // The runner is judged even on a job the schema rejects for another reason.
    const runner = asRecord(raw)?.runner;
    const runnerProblem = typeof runner === 'string' && runner !== '' ? runners(runner) : undefined;
    if (runnerProblem) report(['runner'], runnerProblem);
    const parsed = schema.safeParse(raw);
    if (parsed.success && checkJob(parsed.data, report)) valid.push({ job: parsed.data, index });
  });
  problems.push(...overlaps(valid, at, kind));
  return problems;
}

type Report = (path: Array<string | number>, message: string) => void;

/** Reports the job's own problems but its runner's; answers whether its patterns compile (so it can be compared). */
function checkJob(job: Job, report: Report): boolean {
  if (job.always_run && job.run_if_changed) report(['run_if_changed'], 'always_run and run_if_changed are mutually exclusive');
  if (job.always_run && job.skip_if_only_changed)
    report(['skip_if_only_changed'], 'always_run and skip_if_only_changed are mutually exclusive');
  if (job.run_if_changed && job.skip_if_only_changed)
    report(['skip_if_only_changed'], 'run_if_changed and skip_if_only_changed are mutually exclusive');

  let patternsOk = true;
  const compile = (path: Array<string | number>, source: string): RegExp | undefined => {
    try {
      return compileFilterPattern(source);
    } catch (err) {
      if (!(err instanceof FilterPatternError)) throw err;
      report(path, `invalid pattern: ${err.message}`);
      patternsOk = false;
      return undefined;
    }
  };
  if (job.run_if_changed) compile(['run_if_changed'], job.run_if_changed);
  if (job.skip_if_only_changed) compile(['skip_if_only_changed'], job.skip_if_only_changed);
  job.branches.forEach((b, i) => compile(['branches', i], b));
  job.skip_branches.forEach((b, i) => compile(['skip_branches', i], b));

  // Presubmits only: a custom trigger comes with the command that help shows for it.
  const { trigger, rerun_command: rerun } = job as Partial<Presubmit>;
  const triggerRe = trigger ? compile(['trigger'], trigger) : undefined;
  if (trigger && !rerun) report(['trigger'], 'trigger needs a rerun_command: set both or neither');
  if (rerun && !trigger) report(['rerun_command'], 'rerun_command needs a trigger: set both or neither');
  if (triggerRe && rerun && !triggerRe.test(rerun)) {
    report(['rerun_command'], `"${rerun}" does not match the trigger, so it would not run the job`);
  }
  return patternsOk;
}

/** Jobs of one list that share a name, or (presubmits) a status context, on a branch they both run on. */
function overlaps(jobs: ReadonlyArray<{ job: Job; index: number }>, at: Array<string | number>, kind: JobKind): PathProblem[] {
  const problems: PathProblem[] = [];
  jobs.forEach(({ job, index }, n) => {
    const earlier = jobs.slice(0, n).filter((other) => branchesIntersect(other.job, job));
    const sameName = earlier.find((other) => other.job.name === job.name);
    const sameContext = earlier.find((other) => contextOf(other.job) === contextOf(job));
    if (sameName) {
      problems.push({
        path: [...at, index, 'name'],
        message: `job "${job.name}" is already defined for the same branches by ${kind}.${sameName.index}`,
      });
    } else if (kind === 'presubmits' && sameContext) {
      problems.push({
        path: [...at, index, job.context ? 'context' : 'name'],
        message: `context "${contextOf(job)}" is already reported on the same branches by ${kind}.${sameContext.index} ("${sameContext.job.name}")`,
      });
    }
  });
  return problems;
}

/** Prow's Brancher.Intersects: whether two jobs' branch filters may both match one branch. */
function branchesIntersect(a: Brancher, b: Brancher): boolean {
  const everyBranch = (x: Brancher) => x.branches.length === 0 && x.skip_branches.length === 0;
  if (everyBranch(a) || everyBranch(b)) return true;
  if (a.branches.length > 0) {
    // Both list branches: compare the lists; else try a's branches on b's skip list.
    if (b.branches.length > 0) return a.branches.some((branch) => b.branches.includes(branch));
    return a.branches.some((branch) => branchMatches(b, branch));
  }
  // Two skip lists alone always leave some branch to both.
  if (b.branches.length === 0) return true;
  return branchesIntersect(b, a);
}
