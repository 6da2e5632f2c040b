// Checks of the job configuration that span fields or entries, which the schema cannot express:
// Prow's job validation rules (prow-semantics.md §5.1, §1.3), plus the rule that every pattern
// must match in bounded time, since comments and paths are attacker-controlled text
// (reliability-security.md R13).
import { FilterPatternError, compileFilterPattern } from '../owners/filter-regex.js';
import { branchMatches } from '../jobs/select-jobs.js';
import { contextOf, type Postsubmit, type Presubmit } from './jobs-schema.js';
import type { Config } from './schema.js';

export interface JobProblem {
  /** where in the file, e.g. ['repos', 'acme/widgets', 'presubmits', 0, 'runner'] */
  path: Array<string | number>;
  message: string;
}

type Job = Presubmit | Postsubmit;
type Brancher = Pick<Job, 'branches' | 'skip_branches'>;

export function validateJobs(config: Config): JobProblem[] {
  const problems: JobProblem[] = [];
  const runners = Object.keys(config.runners);
  for (const [repo, entry] of Object.entries(config.repos)) {
    for (const kind of ['presubmits', 'postsubmits'] as const) {
      const valid: Array<{ job: Job; index: number }> = [];
      entry[kind].forEach((job: Job, index: number) => {
        const report = (path: Array<string | number>, message: string) =>
          problems.push({ path: ['repos', repo, kind, index, ...path], message });
        if (checkJob(job, runners, report)) valid.push({ job, index });
      });
      problems.push(...overlaps(valid, repo, kind));
    }
  }
  return problems;
}

type Report = (path: Array<string | number>, message: string) => void;

/** Reports the job's own problems; answers whether its patterns compile (so it can be compared). */
function checkJob(job: Job, runners: readonly string[], report: Report): boolean {
  if (!runners.includes(job.runner)) {
    report(['runner'], runners.length > 0
      ? `unknown runner "${job.runner}" (known: ${runners.join(', ')})`
      : `unknown runner "${job.runner}": the top-level runners map is empty`);
  }
  if (job.always_run && job.run_if_changed) report(['run_if_changed'], 'always_run and run_if_changed are mutually exclusive');
  if (job.always_run && job.skip_if_only_changed) report(['skip_if_only_changed'], 'always_run and skip_if_only_changed are mutually exclusive');
  if (job.run_if_changed && job.skip_if_only_changed) report(['skip_if_only_changed'], 'run_if_changed and skip_if_only_changed are mutually exclusive');

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
function overlaps(jobs: ReadonlyArray<{ job: Job; index: number }>, repo: string, kind: 'presubmits' | 'postsubmits'): JobProblem[] {
  const problems: JobProblem[] = [];
  jobs.forEach(({ job, index }, n) => {
    const earlier = jobs.slice(0, n).filter((other) => branchesIntersect(other.job, job));
    const sameName = earlier.find((other) => other.job.name === job.name);
    const sameContext = earlier.find((other) => contextOf(other.job) === contextOf(job));
    if (sameName) {
      problems.push({ path: ['repos', repo, kind, index, 'name'], message: `job "${job.name}" is already defined for the same branches by ${kind}.${sameName.index}` });
    } else if (kind === 'presubmits' && sameContext) {
      problems.push({
        path: ['repos', repo, kind, index, job.context ? 'context' : 'name'],
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
