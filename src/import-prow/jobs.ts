// Prow job configs (`presubmits:` and `postsubmits:` keyed by "org/repo", in job files or in
// config.yaml) as this project's jobs. The fields that decide when a job runs and whether it gates
// merging keep Prow's names and meaning; how Prow runs the job (a pod spec, decoration, a cluster)
// has no place here, since a named runner runs every job, and is reported as dropped.
import { z } from 'zod';
import { formatDuration, goDurationSeconds } from './go-duration.js';
import { type Notes, otherKeys } from './notes.js';
import { parseScope } from './scope.js';
import { type Path, parseWith, type SourceFile } from './source-file.js';

export type JobKind = 'presubmits' | 'postsubmits';

export interface ImportedJob {
  /** "org/repo" */
  repo: string;
  kind: JobKind;
  /** the job in this project's form, without `runner` */
  job: Record<string, unknown>;
  source: SourceFile;
  path: Path;
}

const list = z.array(z.string()).default([]);

const jobSchema = z.looseObject({
  name: z.string({ error: 'required: every Prow job has a name' }),
  context: z.string().optional(),
  always_run: z.boolean().optional(),
  optional: z.boolean().optional(),
  run_if_changed: z.string().optional(),
  skip_if_only_changed: z.string().optional(),
  branches: list,
  skip_branches: list,
  trigger: z.string().optional(),
  rerun_command: z.string().optional(),
  max_concurrency: z.number().int().min(0).optional(),
  skip_report: z.boolean().optional(),
  run_before_merge: z.boolean().optional(),
  decoration_config: z.looseObject({ timeout: z.string().optional() }).nullable().optional(),
});
type ProwJob = z.output<typeof jobSchema>;

const jobFileSchema = z.looseObject(
  {
    presubmits: z.record(z.string(), z.array(z.unknown()).nullable()).nullable().optional(),
    postsubmits: z.record(z.string(), z.array(z.unknown()).nullable()).nullable().optional(),
    periodics: z.array(z.unknown()).nullable().optional(),
  },
  { error: 'must be a mapping' },
);

/** How Prow runs and displays a job: no place for these here, the runner decides how a job runs. */
const EXECUTION_FIELDS = [
  'agent',
  'cluster',
  'namespace',
  'spec',
  'decorate',
  'decoration_config',
  'labels',
  'annotations',
  'extra_refs',
  'path_alias',
  'clone_uri',
  'skip_submodules',
  'clone_depth',
  'skip_cloning',
  'ssh_key_secrets',
  'ssh_host_fingerprints',
  'utility_images',
  'pipeline_run_spec',
  'tekton_pipeline_run_spec',
  'jenkins_spec',
  'build_spec',
  'error_on_eviction',
  'prowjob_defaults',
  'job_queue_name',
  'cron',
  'interval',
];

const OTHER_DROPPED: Record<string, string> = {
  hidden: 'dropped: no job dashboard here to hide it from',
  reporter_config: 'no equivalent: results are reported as commit statuses only (no Slack reports)',
  rerun_auth_config: "dropped: /test and /retest follow the trigger plugin's trust rules; there is no rerun button",
  run_before_merge: 'no equivalent: the merge queue runs the presubmits that would run on the change, not jobs only run before merging',
};

/** Config.yaml keys Prow reads as jobs; config.yaml's other sections are its components'. */
export const JOB_SECTIONS = ['presubmits', 'postsubmits', 'periodics'] as const;

/** Prow's default trigger and rerun command for a job name (this project's defaults too). */
const defaultTrigger = (name: string) => `(?m)^/test( | .* )${name},?($|\\s.*)`;

/**
 * The jobs of one file. `jobsOnly`: the file holds nothing but jobs (a job config file), so any
 * other top-level key is reported; config.yaml's other sections are reported by its own reader.
 */
export function importJobs(source: SourceFile, runner: string, notes: Notes, jobsOnly = true): ImportedJob[] {
  const file = parseWith(jobFileSchema, source);
  const jobs: ImportedJob[] = [];
  for (const kind of ['presubmits', 'postsubmits'] as const) {
    for (const [repo, entries] of Object.entries(file[kind] ?? {})) {
      const scope = parseScope(repo);
      if (!scope || scope.repo === undefined) {
        notes.add(source, [kind, repo], `not converted: ${(entries ?? []).length} job(s) under a key that is not "org/repo"`);
        continue;
      }
      (entries ?? []).forEach((raw, index) => {
        const path = [kind, repo, index];
        const prow = parseWith(jobSchema, source, raw, path);
        jobs.push({ repo, kind, job: convertJob(prow, kind, source, path, runner, notes), source, path });
      });
    }
  }
  const periodics = file.periodics ?? [];
  if (periodics.length > 0) {
    notes.add(
      source,
      ['periodics'],
      `not converted: ${periodics.length} periodic job(s); jobs here run on changes and pushes only (start periodic work from a scheduler calling your runner)`,
    );
  }
  if (jobsOnly) {
    for (const key of otherKeys(file, JOB_SECTIONS)) notes.add(source, [key], 'not converted: not a job section');
  }
  return jobs;
}

function convertJob(prow: ProwJob, kind: JobKind, source: SourceFile, path: Path, runner: string, notes: Notes): Record<string, unknown> {
  const at = (field: string) => [...path, field];
  // Notes name the job: a path alone says only its position in the list.
  const note = (where: Path, message: string) => notes.add(source, where, `${prow.name}: ${message}`);
  const job: Record<string, unknown> = { name: prow.name };
  if (prow.context !== undefined && prow.context !== '' && prow.context !== prow.name) job.context = prow.context;
  if (kind === 'presubmits') {
    if (prow.always_run) job.always_run = true;
  } else if (prow.always_run !== undefined) {
    job.always_run = prow.always_run;
  }
  if (prow.run_if_changed) job.run_if_changed = prow.run_if_changed;
  if (prow.skip_if_only_changed) job.skip_if_only_changed = prow.skip_if_only_changed;
  if (prow.branches.length > 0) job.branches = prow.branches;
  if (prow.skip_branches.length > 0) job.skip_branches = prow.skip_branches;
  if (kind === 'presubmits') {
    if (prow.optional) job.optional = true;
    if (prow.skip_report) {
      job.optional = true;
      note(
        at('skip_report'),
        'differs: the job reports a commit status here; it is made optional, since tide never requires a job that does not report',
      );
    }
    const isDefault = prow.trigger === defaultTrigger(prow.name) && prow.rerun_command === `/test ${prow.name}`;
    if (!isDefault) {
      if (prow.trigger) job.trigger = prow.trigger;
      if (prow.rerun_command) job.rerun_command = prow.rerun_command;
    }
  } else {
    for (const field of ['optional', 'trigger', 'rerun_command', 'skip_report'] as const) {
      if (prow[field] !== undefined) note(at(field), 'dropped: presubmits only');
    }
  }
  if (prow.max_concurrency) job.max_concurrency = prow.max_concurrency;

  const timeout = prow.decoration_config?.timeout;
  if (timeout !== undefined) {
    const seconds = goDurationSeconds(timeout);
    if (seconds === undefined || seconds === 0)
      note(at('decoration_config'), `timeout "${timeout}" not converted: not a positive duration; the default (2h) applies`);
    else job.timeout = formatDuration(seconds);
  }

  // decoration_config counts as dropped only for what it holds besides the timeout converted above
  const decorationRest = otherKeys(prow.decoration_config ?? {}, timeout !== undefined ? ['timeout'] : []);
  const execution = EXECUTION_FIELDS.filter(
    (field) => (prow as Record<string, unknown>)[field] !== undefined && (field !== 'decoration_config' || decorationRest.length > 0),
  ).map((field) => (field === 'decoration_config' && timeout !== undefined ? 'decoration_config (all but timeout)' : field));
  if (execution.length > 0) {
    note(
      path,
      `dropped ${execution.join(', ')}: how Prow runs the job's pod; here runner "${runner}" runs the job (docs/runner-protocol.md)`,
    );
  }
  for (const [field, message] of Object.entries(OTHER_DROPPED)) {
    if ((prow as Record<string, unknown>)[field] !== undefined && (prow as Record<string, unknown>)[field] !== false)
      note(at(field), message);
  }
  const known = [...Object.keys(jobSchema.shape), ...EXECUTION_FIELDS, ...Object.keys(OTHER_DROPPED), 'source_path'];
  for (const field of otherKeys(prow, known)) note(at(field), 'not converted: unknown Prow job field');
  return job;
}
