// The CI part of the configuration: named runners (top level) and each repo's presubmit and
// postsubmit jobs and trigger options. Field names follow Prow's job config where Prow has one.
// Runner endpoints and secrets' env var names live only here, in the operator's file: never in a
// repository.
import { z } from 'zod';
import { keyedRecord } from './keyed-record.js';

/** Prow's job-name alphabet. */
export const JOB_NAME = /^[A-Za-z0-9._-]+$/;
/** Names of environment variables, of pipeline variables and of workflow inputs. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** "30m", "2h", "90s", "1h30m": how long a run may take before it is ended as an error. */
export const DURATION = /^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;

export const duration = z
  .string()
  .regex(DURATION, 'must be a duration such as "90s", "30m", "2h" or "1h30m"')
  .refine((s) => s !== '', 'must not be empty');

/** Job parameters: strings by name. Their meaning depends on the runner (docs/configuration.md). */
const params = keyedRecord(PARAM_NAME, 'must be a letter or _ followed by letters, digits or _', z.string());

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable (A-Z, 0-9, _)');

export const webhookRunnerSchema = z.strictObject({
  type: z.literal('webhook'),
  /** where the dispatch document is POSTed */
  url: z.url({ protocol: /^https?$/ }),
  /** the environment variable that holds the HMAC-SHA256 key signing each POST */
  secret_env: envName,
});

export const gitlabPipelineRunnerSchema = z.strictObject({
  type: z.literal('gitlab-pipeline'),
  /** project path ("group/ci") or id whose pipeline runs; default: the change's own project (GitLab) */
  project: z.union([z.string().min(1), z.number().int().positive()]).optional(),
  /** branch or tag the pipeline runs on; default: the base branch of the change */
  ref: z.string().min(1).optional(),
  /** GitLab instance; default GITLAB_URL */
  url: z.url({ protocol: /^https?$/ }).optional(),
  /** environment variable holding the project's pipeline trigger token */
  trigger_token_env: envName,
  /** environment variable holding an API token that can read the pipelines; default GITLAB_TOKEN */
  api_token_env: envName.default('GITLAB_TOKEN'),
  /** how often a running pipeline is polled for its result */
  poll_interval: duration.default('30s'),
});

export const githubActionsRunnerSchema = z.strictObject({
  type: z.literal('github-actions'),
  /** workflow file name ("ci.yml") or id, with `on: workflow_dispatch` */
  workflow: z.union([z.string().min(1), z.number().int().positive()]),
  /** "owner/name" holding the workflow; default: the change's own repository */
  repo: z
    .string()
    .regex(/^[^\s/]+\/[^\s/]+$/, 'must be "owner/name"')
    .optional(),
  /** branch the workflow definition is taken from; default: the base branch of the change */
  ref: z.string().min(1).optional(),
});

export const commandRunnerSchema = z.strictObject({
  type: z.literal('command'),
  /** argv of the script, run in a worktree of the refs to test, the dispatch document on stdin */
  command: z.array(z.string().min(1)).min(1),
});

export const runnerSchema = z.discriminatedUnion('type', [
  webhookRunnerSchema,
  gitlabPipelineRunnerSchema,
  githubActionsRunnerSchema,
  commandRunnerSchema,
]);

const regexList = z.array(z.string()).default([]);

/** What presubmits and postsubmits share. */
const jobFields = {
  name: z.string().regex(JOB_NAME, 'must use only letters, digits, ".", "_" and "-"'),
  /** a key of the top-level `runners` map */
  runner: z.string().min(1),
  /** the commit status context; default the job name */
  context: z.string().min(1).optional(),
  branches: regexList,
  skip_branches: regexList,
  run_if_changed: z.string().optional(),
  skip_if_only_changed: z.string().optional(),
  /** 0: unlimited; otherwise runs of this job at once, across every process */
  max_concurrency: z.number().int().min(0).default(0),
  timeout: duration.default('2h'),
  /** runner-specific parameters (webhook: dispatch job.params; gitlab-pipeline: variables; github-actions: inputs; command: environment) */
  params: params.default({}),
};

export const presubmitSchema = z.strictObject({
  ...jobFields,
  always_run: z.boolean().default(false),
  optional: z.boolean().default(false),
  /** regex over the comment text; must be set together with rerun_command */
  trigger: z.string().optional(),
  rerun_command: z.string().optional(),
});

export const postsubmitSchema = z.strictObject({
  ...jobFields,
  /** Prow's default for postsubmits: run on every push unless a file filter is set */
  always_run: z.boolean().optional(),
});

/** Prow's trigger plugin options. */
export const triggerSchema = z.strictObject({
  /** trust only org members, not every collaborator */
  only_org_members: z.boolean().default(false),
  /** a second org whose members are trusted */
  trusted_org: z.string().default(''),
  /** GitHub Apps (login without "[bot]") whose PRs are tested without /ok-to-test */
  trusted_apps: z.array(z.string()).default([]),
  /** turn /ok-to-test off: untrusted PRs are tested only by trusted users' /test */
  ignore_ok_to_test: z.boolean().default(false),
});

export type RunnerConfig = z.infer<typeof runnerSchema>;
export type RunnerType = RunnerConfig['type'];
export type WebhookRunnerConfig = z.infer<typeof webhookRunnerSchema>;
export type GitLabPipelineRunnerConfig = z.infer<typeof gitlabPipelineRunnerSchema>;
export type GitHubActionsRunnerConfig = z.infer<typeof githubActionsRunnerSchema>;
export type CommandRunnerConfig = z.infer<typeof commandRunnerSchema>;
export type Presubmit = z.infer<typeof presubmitSchema>;
export type Postsubmit = z.infer<typeof postsubmitSchema>;
export type TriggerConfig = z.infer<typeof triggerSchema>;

/** "1h30m" -> 5400 */
export function durationSeconds(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') throw new Error(`not a duration: "${text}"`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** A job's status context. */
export const contextOf = (job: { name: string; context?: string }): string => job.context ?? job.name;
