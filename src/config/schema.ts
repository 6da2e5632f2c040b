// The configuration file's schema. Names follow Prow where Prow has one. Later capabilities add
// their own blocks here; unknown keys are errors so that typos never pass silently.
import { z } from 'zod';
import { type InRepoConfigSettings, inRepoConfigSchema } from './in-repo/settings.js';
import {
  type Postsubmit,
  type Presubmit,
  postsubmitSchema,
  presubmitSchema,
  runnerSchema,
  type TriggerConfig,
  triggerSchema,
} from './jobs-schema.js';
import { keyedRecord } from './keyed-record.js';
import { mergeQueueSchema, type RepoMergeQueueConfig, repoMergeQueueSchema } from './merge-queue-schema.js';

/** "owner/name" or "owner/*"; GitLab owners may be nested groups ("group/sub/name"). */
const REPO_KEY = /^[^\s/*]+(?:\/[^\s/*]+)*\/(?:[^\s/*]+|\*)$/;

/** Prow's approve plugin options. */
export const approveSchema = z.strictObject({
  /** the author's own PR is not implicitly approved by them */
  require_self_approval: z.boolean().default(false),
  /** forge reviews (GitHub review states, GitLab MR approvals) do not count as /approve */
  ignore_review_state: z.boolean().default(false),
  /** /lgtm counts as /approve */
  lgtm_acts_as_approve: z.boolean().default(false),
});

/** Prow's lgtm plugin options. */
export const lgtmSchema = z.strictObject({
  /** an approving review acts as /lgtm, a changes-requested review as /lgtm cancel */
  review_acts_as_lgtm: z.boolean().default(false),
  /** keep lgtm across a push that leaves the git tree unchanged (a rebase or squash) */
  store_tree_hash: z.boolean().default(false),
  /** PRs by members of this team (GitHub team slug in the repo's org; GitLab group path) keep lgtm on push */
  trusted_team_for_sticky_lgtm: z.string().default(''),
});

/** Prow's owners options. */
export const ownersSchema = z.strictObject({
  /** who may /lgtm: OWNERS reviewers and approvers of the changed files instead of repo collaborators */
  skip_collaborators: z.boolean().default(false),
});

/** How CI runs show on the forge (docs/configuration.md#reporting). */
export const reportingSchema = z.strictObject({
  /** GitHub: commit statuses, or check runs (the Checks API, with a Re-run button); GitLab has only statuses */
  github: z.enum(['statuses', 'checks']).default('statuses'),
});

export const repoEntrySchema = z.strictObject({
  /** plugins enabled on the matching repos */
  plugins: z.array(z.string()),
  approve: approveSchema.default(approveSchema.parse({})),
  lgtm: lgtmSchema.default(lgtmSchema.parse({})),
  owners: ownersSchema.default(ownersSchema.parse({})),
  trigger: triggerSchema.default(triggerSchema.parse({})),
  /** jobs run on changes (docs/configuration.md#jobs) */
  presubmits: z.array(presubmitSchema).default([]),
  /** jobs run on pushes to branches */
  postsubmits: z.array(postsubmitSchema).default([]),
  /** merge approved changes (docs/configuration.md#merge-queue); absent: the queue leaves the repo alone */
  merge_queue: repoMergeQueueSchema.optional(),
  /** how the repo's runs show; absent: the top-level `reporting` */
  reporting: reportingSchema.optional(),
  /** read the repository's own .github/ci-orchestrator.yaml; absent: the top-level block applies */
  in_repo_config: inRepoConfigSchema.optional(),
});

export const configSchema = z.strictObject({
  /** plugins enabled on repos that no `repos` entry matches */
  default_plugins: z.array(z.string()).optional(),
  /** answer commands no enabled plugin knows with a short help (default true) */
  reply_to_unknown_commands: z.boolean().default(true),
  /** where jobs run, by name; jobs refer to them with `runner:` */
  runners: keyedRecord(/^[A-Za-z0-9._-]+$/, 'must use only letters, digits, ".", "_" and "-"', runnerSchema).default({}),
  repos: keyedRecord(REPO_KEY, 'must be "owner/name" or "owner/*"', repoEntrySchema).default({}),
  /** settings of the merge queue as a whole */
  merge_queue: mergeQueueSchema.default(mergeQueueSchema.parse({})),
  /** how runs show on repos whose entry does not say */
  reporting: reportingSchema.default(reportingSchema.parse({})),
  /** configuration kept in repositories, for repos whose entry has no in_repo_config; absent: off */
  in_repo_config: inRepoConfigSchema.optional(),
});

export type Config = z.infer<typeof configSchema>;
export type RepoEntry = z.infer<typeof repoEntrySchema>;
export type ApproveConfig = z.infer<typeof approveSchema>;
export type LgtmConfig = z.infer<typeof lgtmSchema>;
export type OwnersConfig = z.infer<typeof ownersSchema>;
export type ReportingConfig = z.infer<typeof reportingSchema>;

/** The configuration that applies to one repository. */
export interface RepoConfig {
  plugins: string[];
  replyToUnknownCommands: boolean;
  approve: ApproveConfig;
  lgtm: LgtmConfig;
  owners: OwnersConfig;
  trigger: TriggerConfig;
  presubmits: Presubmit[];
  postsubmits: Postsubmit[];
  /** undefined: the merge queue is off for the repo */
  mergeQueue?: RepoMergeQueueConfig;
  /** undefined: the repository's own file is not read */
  inRepoConfig?: InRepoConfigSettings;
}
