// Which configuration applies to a repo: an exact "owner/name" entry, else "owner/*", else the
// defaults. The most specific entry wins whole; entries are not merged, so what a repo gets is
// readable from one place in the file. (in_repo_config and reporting: the entry's block, else the
// top-level one.)

import { type RepoRef, repoFullName } from '../forge/types.js';
import type { ConfigSource } from './config-source.js';
import { type Config, type RepoConfig, type RepoEntry, type ReportingConfig, repoEntrySchema } from './schema.js';

/** The `repos` entry that applies to a repo, if any; indexes the config once. */
function entryResolver(config: Config): (repo: RepoRef) => RepoEntry | undefined {
  const entries = new Map(Object.entries(config.repos).map(([key, value]) => [key.toLowerCase(), value]));
  return (repo) => entries.get(repoFullName(repo).toLowerCase()) ?? entries.get(`${repo.owner}/*`.toLowerCase());
}

/** How a repo's runs show: its entry's `reporting`, else the top-level one. */
export function reportingResolver(config: Config): (repo: RepoRef) => ReportingConfig {
  const entryOf = entryResolver(config);
  return (repo) => entryOf(repo)?.reporting ?? config.reporting;
}

/** Indexes the config once; the returned function answers per event. */
export function repoConfigResolver(config: Config, allPlugins: readonly string[]): (repo: RepoRef) => RepoConfig {
  const entryOf = entryResolver(config);
  const fallback = defaultEntry(config, allPlugins);
  return (repo) => repoConfigOf(config, entryOf(repo) ?? fallback);
}

/** What a repository that no entry matches gets. */
export const defaultRepoConfig = (config: Config, allPlugins: readonly string[]): RepoConfig =>
  repoConfigOf(config, defaultEntry(config, allPlugins));

const defaultEntry = (config: Config, allPlugins: readonly string[]): RepoEntry =>
  repoEntrySchema.parse({ plugins: config.default_plugins ?? [...allPlugins] });

function repoConfigOf(config: Config, entry: RepoEntry): RepoConfig {
  const inRepo = entry.in_repo_config ?? config.in_repo_config;
  return {
    plugins: entry.plugins,
    replyToUnknownCommands: config.reply_to_unknown_commands,
    approve: entry.approve,
    lgtm: entry.lgtm,
    owners: entry.owners,
    trigger: entry.trigger,
    presubmits: entry.presubmits,
    postsubmits: entry.postsubmits,
    ...(entry.merge_queue ? { mergeQueue: entry.merge_queue } : {}),
    ...(inRepo?.enabled ? { inRepoConfig: inRepo } : {}),
  };
}

/** The resolver of the configuration in force, indexed again only when a reload replaces it. */
export function liveRepoConfigResolver(source: ConfigSource, allPlugins: readonly string[]): (repo: RepoRef) => RepoConfig {
  let built: { config: Config; resolve: (repo: RepoRef) => RepoConfig } | undefined;
  return (repo) => {
    const config = source.current();
    if (built?.config !== config) built = { config, resolve: repoConfigResolver(config, allPlugins) };
    return built.resolve(repo);
  };
}
