// Prow's plugins.yaml: which plugins each org and repo enables, and the options of the plugins this
// project also has (approve, lgtm, owners, triggers). Lookups follow Prow's own: an org's plugins
// plus the repo's (unless the repo is in the org's excluded_repos); approve and lgtm take the entry
// naming the repo, else the one naming its org; triggers take the first entry naming either.
import { z } from 'zod';
import { type TriggerConfig, triggerSchema } from '../config/jobs-schema.js';
import { type ApproveConfig, approveSchema, type LgtmConfig, lgtmSchema, type OwnersConfig, ownersSchema } from '../config/schema.js';
import { type Notes, otherKeys } from './notes.js';
import { Mentions, namesCover, parseScope, type Scope } from './scope.js';
import { type Path, parseWith, type SourceFile } from './source-file.js';

/** What plugins.yaml says about one repository (or about any repository of an org). */
export interface PluginSettings {
  /** this project's plugin names, sorted */
  plugins: string[];
  approve: ApproveConfig;
  lgtm: LgtmConfig;
  owners: OwnersConfig;
  trigger: TriggerConfig;
}

export interface PluginsImport {
  mentions: Mentions;
  settingsFor(scope: Scope): PluginSettings;
}

const names = z.array(z.string()).default([]);
const optionalBool = z.boolean().optional();

// Prow's current form is `org: {plugins: [...], excluded_repos: [...]}`; older files list the names.
const orgPluginsSchema = z.union([z.array(z.string()), z.looseObject({ plugins: names, excluded_repos: names })]).nullable();

const approveEntrySchema = z.looseObject({
  repos: names,
  require_self_approval: optionalBool,
  ignore_review_state: optionalBool,
  lgtm_acts_as_approve: optionalBool,
  issue_required: optionalBool,
});

const lgtmEntrySchema = z.looseObject({
  repos: names,
  review_acts_as_lgtm: optionalBool,
  store_tree_hash: optionalBool,
  trusted_team_for_sticky_lgtm: z.string().optional(),
});

const triggerEntrySchema = z.looseObject({
  repos: names,
  trusted_apps: z.array(z.string()).optional(),
  trusted_org: z.string().optional(),
  only_org_members: optionalBool,
  ignore_ok_to_test: optionalBool,
});

const pluginsFileSchema = z.looseObject(
  {
    plugins: z.record(z.string(), orgPluginsSchema).default({}),
    approve: z.array(approveEntrySchema).nullable().default([]),
    lgtm: z.array(lgtmEntrySchema).nullable().default([]),
    triggers: z.array(triggerEntrySchema).nullable().default([]),
    owners: z.looseObject({ skip_collaborators: names }).nullable().default({ skip_collaborators: [] }),
    external_plugins: z.record(z.string(), z.unknown()).nullable().optional(),
  },
  { error: 'must be a mapping' },
);

/** Options of sections this project converts that have no equivalent here, and why. */
const UNSUPPORTED_OPTIONS: Record<string, Record<string, string>> = {
  approve: {
    issue_required: 'no equivalent: an approval here never needs a linked issue (`/approve no-issue` approves like `/approve`)',
    commandHelpLink: 'dropped: the approve notification here links to no command help page',
    pr_process_link: 'dropped: the approve notification here links to no process page',
  },
  lgtm: {},
  triggers: {
    join_org_url: 'dropped: the trigger replies here do not link to a page about joining the org',
    trigger_github_workflows: 'no equivalent: /test and /retest here do not re-run GitHub Actions workflows',
    elide_skipped_contexts: 'dropped: deprecated in Prow, nothing to convert',
  },
  owners: {
    mdyamlrepos: 'no equivalent: OWNERS headers at the top of Markdown files are not read',
    labels_denylist: 'no equivalent: OWNERS `labels` are not applied here (no owners-label plugin)',
    filenames: 'no equivalent: OWNERS files here are always named OWNERS and OWNERS_ALIASES',
  },
};

/** Why some Prow plugins people rely on are not needed, or where their job went. */
const PLUGIN_HINTS: Record<string, string> = {
  'verify-owners': 'approve labels a change do-not-merge/invalid-owners-file when an OWNERS file governing it is invalid',
  wip: 'the merge queue never merges a draft',
};

export function importPlugins(source: SourceFile, knownPlugins: readonly string[], notes: Notes): PluginsImport {
  const file = parseWith(pluginsFileSchema, source);
  const approve = file.approve ?? [];
  const lgtm = file.lgtm ?? [];
  const triggers = file.triggers ?? [];
  const owners = file.owners ?? { skip_collaborators: [] };
  const mentions = new Mentions();

  const enabled = new Map<string, { plugins: string[]; excluded: string[] }>();
  for (const [name, value] of Object.entries(file.plugins)) {
    const at: Path = Array.isArray(value) || value === null ? ['plugins', name] : ['plugins', name, 'plugins'];
    const entry = Array.isArray(value)
      ? { plugins: value, excluded: [] }
      : { plugins: value?.plugins ?? [], excluded: value?.excluded_repos ?? [] };
    const scope = parseScope(name);
    if (!scope) {
      notes.add(source, ['plugins', name], 'not converted: not an "org" or "org/repo" name');
      continue;
    }
    enabled.set(name, entry);
    mentions.add(name);
    if (scope.repo === undefined) mentions.addAll(entry.excluded.map((repo) => `${scope.org}/${repo}`));
    notePlugins(source, at, entry.plugins, knownPlugins, notes);
    if (value && !Array.isArray(value)) {
      for (const key of otherKeys(value, ['plugins', 'excluded_repos']))
        notes.add(source, ['plugins', name, key], 'not converted: unknown Prow option');
    }
  }

  const sections = { approve, lgtm, triggers } as const;
  for (const [section, entries] of Object.entries(sections)) {
    entries.forEach((entry, i) => {
      mentions.addAll(entry.repos);
      noteOptions(source, [section, i], entry, section, notes);
    });
  }
  lgtm.forEach((entry, i) => {
    const team = entry.trusted_team_for_sticky_lgtm;
    // Prow finds the team by its name; this project takes its slug (lower case, dashes).
    if (team && !/^[a-z0-9_-]+$/.test(team)) {
      notes.add(
        source,
        ['lgtm', i, 'trusted_team_for_sticky_lgtm'],
        `differs: this project takes the team's slug, as in its URL; Prow matched "${team}" to the team's name: write the slug`,
      );
    }
  });
  mentions.addAll(owners.skip_collaborators);
  noteOptions(source, ['owners'], owners, 'owners', notes);

  for (const name of Object.keys(file.external_plugins ?? {})) {
    notes.add(source, ['external_plugins', name], 'not converted: external plugins are Prow services; this project has no equivalent');
  }
  for (const key of otherKeys(file, Object.keys(pluginsFileSchema.shape))) {
    notes.add(source, [key], 'not converted: settings of a Prow plugin this project does not have');
  }

  return {
    mentions,
    settingsFor(scope) {
      const full = scope.repo === undefined ? undefined : `${scope.org}/${scope.repo}`;
      const fromOrg = enabled.get(scope.org);
      const names = [
        ...(fromOrg && !(scope.repo !== undefined && fromOrg.excluded.includes(scope.repo)) ? fromOrg.plugins : []),
        ...(full ? (enabled.get(full)?.plugins ?? []) : []),
      ];
      const a = repoThenOrg(approve, scope);
      const l = repoThenOrg(lgtm, scope);
      const t = triggers.find((entry) => namesCover(entry.repos, scope));
      return {
        plugins: [...new Set(names.filter((name) => knownPlugins.includes(name)))].sort(),
        approve: approveSchema.parse({
          require_self_approval: a?.require_self_approval,
          ignore_review_state: a?.ignore_review_state,
          lgtm_acts_as_approve: a?.lgtm_acts_as_approve,
        }),
        lgtm: lgtmSchema.parse({
          review_acts_as_lgtm: l?.review_acts_as_lgtm,
          store_tree_hash: l?.store_tree_hash,
          trusted_team_for_sticky_lgtm: l?.trusted_team_for_sticky_lgtm,
        }),
        owners: ownersSchema.parse({ skip_collaborators: namesCover(owners.skip_collaborators, scope) }),
        trigger: triggerSchema.parse({
          only_org_members: t?.only_org_members,
          trusted_org: t?.trusted_org,
          trusted_apps: t?.trusted_apps,
          ignore_ok_to_test: t?.ignore_ok_to_test,
        }),
      };
    },
  };
}

/** Prow's ApproveFor and LgtmFor: the first entry naming the repo, else the first naming its org. */
function repoThenOrg<T extends { repos: string[] }>(entries: readonly T[], scope: Scope): T | undefined {
  if (scope.repo !== undefined) {
    const full = `${scope.org}/${scope.repo}`;
    const forRepo = entries.find((entry) => entry.repos.includes(full));
    if (forRepo) return forRepo;
  }
  return entries.find((entry) => entry.repos.includes(scope.org));
}

function notePlugins(source: SourceFile, at: Path, plugins: readonly string[], knownPlugins: readonly string[], notes: Notes): void {
  const missing = [...new Set(plugins.filter((name) => !knownPlugins.includes(name)))];
  if (missing.length > 0) {
    const hints = missing
      .filter((name) => PLUGIN_HINTS[name])
      .map((name) => `; ${name}: ${PLUGIN_HINTS[name]}`)
      .join('');
    notes.add(
      source,
      at,
      `not converted, no such plugin here: ${missing.join(', ')} (this project has ${knownPlugins.join(', ')})${hints}`,
    );
  }
  if (plugins.includes('help') && knownPlugins.includes('help')) {
    notes.add(
      source,
      at,
      'help is converted, but it differs: /help here lists the repository\'s commands; Prow\'s "help wanted" and "good first issue" labels are not set',
    );
  }
}

const CONVERTED_OPTIONS: Record<string, readonly string[]> = {
  approve: ['repos', 'require_self_approval', 'ignore_review_state', 'lgtm_acts_as_approve'],
  lgtm: ['repos', 'review_acts_as_lgtm', 'store_tree_hash', 'trusted_team_for_sticky_lgtm'],
  triggers: ['repos', 'trusted_apps', 'trusted_org', 'only_org_members', 'ignore_ok_to_test'],
  owners: ['skip_collaborators'],
};

function noteOptions(source: SourceFile, at: Path, entry: Record<string, unknown>, section: string, notes: Notes): void {
  for (const key of otherKeys(entry, CONVERTED_OPTIONS[section]!)) {
    // issue_required: false asks for nothing, and so loses nothing
    if (entry[key] === false || entry[key] === null) continue;
    notes.add(source, [...at, key], UNSUPPORTED_OPTIONS[section]?.[key] ?? 'not converted: unknown Prow option');
  }
}
