// The operator's side of configuration kept in repositories: whether a repository's own file is
// read, and what it may use. Prow's in_repo_config, with allowlists: a repository never gets a
// runner or a plugin option block the operator did not list for it.
import { z } from 'zod';

/** Where the file lives, on the repository's default branch (Probot's `.github/` convention). */
export const REPO_FILE_PATH = '.github/ci-orchestrator.yaml';

/** The plugin option blocks a repository's file may set, when the operator allows them. */
export const OPTION_BLOCKS = ['approve', 'lgtm', 'owners', 'trigger'] as const;
export type OptionBlock = (typeof OPTION_BLOCKS)[number];

export const inRepoConfigSchema = z.strictObject({
  /** read the repository's file (a block that is present is on unless it says false) */
  enabled: z.boolean().default(true),
  /** runners (keys of the top-level `runners`) the file's jobs may use; none: it may define no job */
  allowed_runners: z.array(z.string().min(1)).default([]),
  /** plugin option blocks the file may set */
  allowed_plugins: z.array(z.enum(OPTION_BLOCKS)).default([]),
});

export type InRepoConfigSettings = z.infer<typeof inRepoConfigSchema>;
