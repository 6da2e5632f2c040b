// A repository's file merged into the operator's configuration of that repository, within what
// the operator allows it (in_repo_config). The rules (docs/configuration.md, "Configuration in the
// repository"):
// - its presubmits and postsubmits are added after the operator's; a job may use only an allowed
//   runner, and may not take the name or the status context of one of the operator's jobs of the
//   same kind (it could otherwise stand in for a required one);
// - an option block it sets (approve, lgtm, owners, trigger) must be allowed; the keys it sets
//   override the operator's, the others keep the operator's values;
// - any problem and the whole file is set aside: the operator's configuration applies alone.
import type { ConfigProblem } from '../config-problem.js';
import { byLine } from '../config-problem.js';
import { contextOf, type Postsubmit, type Presubmit, postsubmitSchema, presubmitSchema } from '../jobs-schema.js';
import type { RepoConfig } from '../schema.js';
import { asRecord, type JobKind, type PathProblem, type RunnerCheck, validateJobList } from '../validate-jobs.js';
import type { ParsedRepoFile } from './repo-file.js';
import { type InRepoConfigSettings, OPTION_BLOCKS } from './settings.js';

export type RepoFileVerdict = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * `allowed`: the operator's in_repo_config for the repository; 'anything' checks the file alone
 * (check-config without the operator's file).
 */
export function mergeRepoFile(parsed: ParsedRepoFile, operator: RepoConfig, allowed: InRepoConfigSettings | 'anything'): RepoFileVerdict {
  const { source } = parsed;
  const problems = [...parsed.problems];
  if (source) {
    const located = (found: readonly PathProblem[]) =>
      found.map(
        (p): ConfigProblem => ({
          file: source.file,
          path: p.path.join('.'),
          line: source.lineOf(p.path),
          message: p.message,
        }),
      );
    const raw = asRecord(source.data);
    const runners: RunnerCheck =
      allowed === 'anything'
        ? () => undefined
        : (runner) =>
            allowed.allowed_runners.includes(runner)
              ? undefined
              : allowed.allowed_runners.length > 0
                ? `runner "${runner}" is not allowed for this repository (allowed: ${allowed.allowed_runners.join(', ')})`
                : `runner "${runner}" is not allowed: the operator allows this repository no runner, so its file may define no job`;
    for (const kind of ['presubmits', 'postsubmits'] as const) {
      problems.push(...located(validateJobList(raw?.[kind], kind, runners, [kind])));
    }
    if (allowed !== 'anything') {
      for (const block of OPTION_BLOCKS) {
        if (raw?.[block] !== undefined && !allowed.allowed_plugins.includes(block)) {
          problems.push(
            ...located([
              {
                path: [block],
                message: `the operator does not let this repository set ${block} options (allowed: ${allowed.allowed_plugins.join(', ') || 'none'})`,
              },
            ]),
          );
        }
      }
    }
    problems.push(...located(collisions(raw?.presubmits, operator.presubmits, 'presubmits')));
    problems.push(...located(collisions(raw?.postsubmits, operator.postsubmits, 'postsubmits')));
  }
  if (problems.length > 0 || !parsed.file) return { ok: false, problems: problems.sort(byLine) };
  const { file } = parsed;
  return {
    ok: true,
    config: {
      ...operator,
      presubmits: [...operator.presubmits, ...file.presubmits],
      postsubmits: [...operator.postsubmits, ...file.postsubmits],
      approve: { ...operator.approve, ...file.approve },
      lgtm: { ...operator.lgtm, ...file.lgtm },
      owners: { ...operator.owners, ...file.owners },
      trigger: { ...operator.trigger, ...file.trigger },
    },
  };
}

/** The file's jobs (raw: each one valid on its own is judged) that take an operator job's name or status context. */
function collisions(list: unknown, operator: ReadonlyArray<Presubmit | Postsubmit>, kind: JobKind): PathProblem[] {
  const problems: PathProblem[] = [];
  const schema = kind === 'presubmits' ? presubmitSchema : postsubmitSchema;
  (Array.isArray(list) ? list : []).forEach((raw: unknown, index) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return;
    const job = parsed.data;
    const sameName = operator.find((other) => other.name === job.name);
    const sameContext = operator.find((other) => contextOf(other) === contextOf(job));
    if (sameName) {
      problems.push({
        path: [kind, index, 'name'],
        message: `the operator's configuration already has a job "${job.name}" in ${kind}: a repository's file adds jobs, it cannot replace one`,
      });
    } else if (sameContext) {
      problems.push({
        path: [kind, index, job.context ? 'context' : 'name'],
        message: `context "${contextOf(job)}" is that of the operator's job "${sameContext.name}": a repository's job must report under its own`,
      });
    }
  });
  return problems;
}
