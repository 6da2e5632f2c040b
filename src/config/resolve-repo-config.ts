// Which configuration applies to a repo: an exact "owner/name" entry, else "owner/*", else the
// defaults. The most specific entry wins whole; entries are not merged, so what a repo gets is
// readable from one place in the file.
import { repoEntrySchema, type Config, type RepoConfig } from './schema.js';
import { repoFullName, type RepoRef } from '../forge/types.js';

export function resolveRepoConfig(config: Config, repo: RepoRef, allPlugins: readonly string[]): RepoConfig {
  const entries = new Map(Object.entries(config.repos).map(([key, value]) => [key.toLowerCase(), value]));
  const entry = entries.get(repoFullName(repo).toLowerCase()) ?? entries.get(`${repo.owner}/*`.toLowerCase())
    ?? repoEntrySchema.parse({ plugins: config.default_plugins ?? [...allPlugins] });
  return {
    plugins: entry.plugins,
    replyToUnknownCommands: config.reply_to_unknown_commands,
    approve: entry.approve,
    lgtm: entry.lgtm,
    owners: entry.owners,
  };
}
