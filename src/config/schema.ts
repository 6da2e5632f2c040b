// The configuration file's schema. Names follow Prow where Prow has one. Later capabilities add
// their own blocks here; unknown keys are errors so that typos never pass silently.
import { z } from 'zod';

/** "owner/name" or "owner/*"; GitLab owners may be nested groups ("group/sub/name"). */
const REPO_KEY = /^[^\s/*]+(?:\/[^\s/*]+)*\/(?:[^\s/*]+|\*)$/;

export const repoEntrySchema = z.strictObject({
  /** plugins enabled on the matching repos */
  plugins: z.array(z.string()),
});

export const configSchema = z.strictObject({
  /** plugins enabled on repos that no `repos` entry matches */
  default_plugins: z.array(z.string()).optional(),
  /** answer commands no enabled plugin knows with a short help (default true) */
  reply_to_unknown_commands: z.boolean().default(true),
  repos: z.record(
    z.string().regex(REPO_KEY, 'must be "owner/name" or "owner/*"'),
    repoEntrySchema,
  ).default({}),
});

export type Config = z.infer<typeof configSchema>;

/** The configuration that applies to one repository. */
export interface RepoConfig {
  plugins: string[];
  replyToUnknownCommands: boolean;
}
