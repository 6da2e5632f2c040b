// Which jobs run: Prow's job-selection rules, as pure functions of
// the job configuration, the base branch, the changed files and the comment text.
import { contextOf, type Postsubmit, type Presubmit } from '../config/jobs-schema.js';
import type { PushEvent } from '../core/events.js';
import type { CommitStatus } from '../forge/types.js';
import {
  compilePattern,
  OK_TO_TEST_RE,
  RETEST_RE,
  RETEST_REQUIRED_RE,
  TEST_ALL_RE,
  TEST_MANUAL_REQUIRED_RE,
  triggerOf,
} from './job-patterns.js';

type Job = Presubmit | Postsubmit;

/** The changed files, fetched on first use and at most once. */
export type ChangedFiles = () => Promise<string[]>;

export function lazyChangedFiles(fetch: () => Promise<string[]>): ChangedFiles {
  let files: Promise<string[]> | undefined;
  return () => (files ??= fetch());
}

/** Prow's Brancher.ShouldRun: unanchored searches on the branch name; skip_branches wins. */
export function branchMatches(job: Pick<Job, 'branches' | 'skip_branches'>, branch: string): boolean {
  const search = (patterns: readonly string[]) => patterns.some((p) => compilePattern(p).test(branch));
  if (job.skip_branches.length > 0 && search(job.skip_branches)) return false;
  return job.branches.length === 0 || search(job.branches);
}

export const hasFileFilter = (job: Job): boolean => Boolean(job.run_if_changed || job.skip_if_only_changed);

/** RunsAgainstChanges: a file matches run_if_changed, or a file escapes skip_if_only_changed. */
export function runsAgainstChanges(job: Job, files: readonly string[]): boolean {
  if (job.run_if_changed) {
    const re = compilePattern(job.run_if_changed);
    return files.some((f) => re.test(f));
  }
  if (job.skip_if_only_changed) {
    const re = compilePattern(job.skip_if_only_changed);
    return files.some((f) => !re.test(f));
  }
  return false;
}

/** A job that only runs when asked for by name. */
export const needsExplicitTrigger = (job: Presubmit): boolean => !job.always_run && !hasFileFilter(job);

/** Prow's Presubmit.ShouldRun(branch, changes, forced, default). */
export async function shouldRun(job: Presubmit, branch: string, changes: ChangedFiles, forced: boolean, dflt: boolean): Promise<boolean> {
  if (!branchMatches(job, branch)) return false;
  if (job.always_run || forced) return true;
  if (hasFileFilter(job)) return runsAgainstChanges(job, await changes()) || dflt;
  return dflt;
}

/** A selection filter's verdict on one job. */
export interface Verdict {
  matches: boolean;
  forced: boolean;
  default: boolean;
}
export type Filter = (job: Presubmit) => Verdict;

const NO: Verdict = { matches: false, forced: false, default: false };

/** `/test <job>` (or the job's own trigger): forced, so file filters do not apply. */
export const commandFilter =
  (body: string): Filter =>
  (job) => {
    const matches = triggerOf(job).test(body);
    return { matches, forced: matches, default: true };
  };

/** Jobs asked for by name other than in a comment (GitHub's Re-run button): as `/test <job>`. */
export const namedFilter =
  (names: ReadonlySet<string>): Filter =>
  (job) => {
    const matches = names.has(job.name);
    return { matches, forced: matches, default: true };
  };

/** `/test all`, `/ok-to-test`: every job that runs without being named. */
export const testAllFilter: Filter = (job) => ({ matches: !needsExplicitTrigger(job), forced: false, default: false });

/** `/retest`: failed contexts, and automatic jobs that have not reported yet. */
export const retestFilter =
  (failed: ReadonlySet<string>, all: ReadonlySet<string>): Filter =>
  (job) => {
    const context = contextOf(job);
    return {
      matches: failed.has(context) || (!needsExplicitTrigger(job) && !all.has(context)),
      forced: false,
      default: failed.has(context),
    };
  };

/** `/retest-required`: `/retest` without optional jobs. */
export const retestRequiredFilter =
  (failed: ReadonlySet<string>, all: ReadonlySet<string>): Filter =>
  (job) =>
    job.optional ? NO : retestFilter(failed, all)(job);

/** `/test-manual-required`: required jobs that only run when named (so have no file filter). */
export const testManualRequiredFilter: Filter = (job) => ({
  matches: !job.optional && needsExplicitTrigger(job),
  forced: true,
  default: false,
});

/** Prow's AggregateFilter: the first filter that matches a job decides for it. */
export const unionFilter =
  (filters: readonly Filter[]): Filter =>
  (job) => {
    for (const filter of filters) {
      const v = filter(job);
      if (v.matches) return v;
    }
    return NO;
  };

/** Prow's FilterPresubmits: the jobs a filter matches and that should run on this branch and files. */
export async function filterPresubmits(
  presubmits: readonly Presubmit[],
  filter: Filter,
  branch: string,
  changes: ChangedFiles,
): Promise<Presubmit[]> {
  const selected: Presubmit[] = [];
  for (const job of presubmits) {
    const v = filter(job);
    if (v.matches && (await shouldRun(job, branch, changes, v.forced, v.default))) selected.push(job);
  }
  return selected;
}

/** Contexts of the head commit's statuses: those that failed, and every one reported. */
export function statusContexts(statuses: readonly CommitStatus[]): { failed: Set<string>; all: Set<string> } {
  return {
    failed: new Set(statuses.filter((s) => s.state === 'failure' || s.state === 'error').map((s) => s.context)),
    all: new Set(statuses.map((s) => s.context)),
  };
}

/**
 * The filter a comment asks for (Prow's PresubmitFilter), most specific first. The head commit's
 * statuses are read only for /retest and /retest-required, once.
 */
export async function commentFilter(body: string, honourOkToTest: boolean, headStatuses: () => Promise<CommitStatus[]>): Promise<Filter> {
  const filters: Filter[] = [commandFilter(body)];
  const retest = RETEST_RE.test(body);
  const retestRequired = RETEST_REQUIRED_RE.test(body);
  if (retest || retestRequired) {
    const { failed, all } = statusContexts(await headStatuses());
    if (retest) filters.push(retestFilter(failed, all));
    if (retestRequired) filters.push(retestRequiredFilter(failed, all));
  }
  if (TEST_MANUAL_REQUIRED_RE.test(body)) filters.push(testManualRequiredFilter);
  if ((honourOkToTest && OK_TO_TEST_RE.test(body)) || TEST_ALL_RE.test(body)) filters.push(testAllFilter);
  return unionFilter(filters);
}

/**
 * Postsubmits for a push (Prow's Postsubmit.ShouldRun): the branch filter, then the file filter if
 * any, else always_run, which defaults to true. A deleted branch runs nothing.
 */
export function selectPostsubmits(
  postsubmits: readonly Postsubmit[],
  push: Pick<PushEvent, 'branch' | 'after' | 'deleted' | 'changedFiles'>,
): Postsubmit[] {
  if (push.deleted || /^0+$/.test(push.after)) return [];
  return postsubmits.filter(
    (job) =>
      branchMatches(job, push.branch) && (hasFileFilter(job) ? runsAgainstChanges(job, push.changedFiles) : (job.always_run ?? true)),
  );
}
