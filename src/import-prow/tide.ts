// The `tide` section of Prow's config.yaml, as this project's merge queue. Which changes tide merges
// is a set of queries (a change qualifies when it meets any query covering its repo); the queue
// takes one label set per repository. So a query with conditions the queue cannot express (author,
// milestone, branches, GitHub review approval) is left out rather than widened: the import never
// makes something mergeable that tide would not merge. The other settings follow Prow's lookups:
// merge methods (org/repo, then org: {repo}, then org), batch sizes and context options.
import { z } from 'zod';
import { type RepoMergeQueueConfig, repoMergeQueueSchema } from '../config/merge-queue-schema.js';
import { formatDuration, goDurationSeconds } from './go-duration.js';
import { type Note, type Notes, otherKeys } from './notes.js';
import { Mentions, type Scope } from './scope.js';
import { parseWith, type SourceFile } from './source-file.js';

export interface TideImport {
  mentions: Mentions;
  /** the merge queue of one repository (or of any repository of an org); undefined when tide does not merge there */
  mergeQueueFor(scope: Scope, plugins: readonly string[]): { mergeQueue?: RepoMergeQueueConfig; notes: Note[] };
  /** this project's top-level merge_queue.sync_period, when tide's differs from the default */
  syncPeriod?: string;
}

const method = z.enum(['merge', 'squash', 'rebase']);
const list = z.array(z.string()).default([]);

const querySchema = z.looseObject({
  orgs: list,
  repos: list,
  excludedRepos: list,
  labels: list,
  missingLabels: list,
  author: z.string().optional(),
  milestone: z.string().optional(),
  includedBranches: list,
  excludedBranches: list,
  reviewApprovedRequired: z.boolean().optional(),
});
type Query = z.output<typeof querySchema>;

const contextPolicyFields = {
  'skip-unknown-contexts': z.boolean().optional(),
  'required-contexts': list,
  'required-if-present-contexts': list,
  'optional-contexts': list,
  'optional-regex-contexts': list,
  'from-branch-protection': z.boolean().optional(),
  'overwrite-pending-contexts': z.boolean().optional(),
};
const repoContextPolicySchema = z.looseObject({ ...contextPolicyFields, branches: z.record(z.string(), z.unknown()).optional() });
const orgContextPolicySchema = z.looseObject({ ...contextPolicyFields, repos: z.record(z.string(), repoContextPolicySchema).default({}) });
const contextOptionsSchema = z.looseObject({ ...contextPolicyFields, orgs: z.record(z.string(), orgContextPolicySchema).default({}) });
type ContextPolicy = z.output<typeof repoContextPolicySchema>;

// merge_method: {org: method} | {"org/repo": method} | {"org/repo@branch": method} |
// {org: {repo: method | {branch-regex: method}}}, "*" standing for any repo of the org.
const mergeMethodSchema = z.record(z.string(), z.union([method, z.record(z.string(), z.union([method, z.record(z.string(), method)]))]));

const tideSchema = z.looseObject({
  sync_period: z.string().optional(),
  queries: z.array(querySchema).nullable().default([]),
  merge_method: mergeMethodSchema.nullable().default({}),
  squash_label: z.string().default(''),
  rebase_label: z.string().default(''),
  merge_label: z.string().default(''),
  batch_size_limit: z.record(z.string(), z.number().int()).nullable().default({}),
  priority: z
    .array(z.looseObject({ labels: list }))
    .nullable()
    .default([]),
  context_options: contextOptionsSchema.nullable().optional(),
});

const TIDE_OPTIONS_DROPPED: Record<string, string> = {
  status_update_period: 'dropped: the queue updates the `merge-queue` status on every sync',
  max_goroutines: "dropped: Prow's own tuning",
  max_query_concurrency: "dropped: Prow's own tuning",
  merge_commit_template: "no equivalent: merges here use the forge's default commit title and message",
  target_url: "dropped: the `merge-queue` status links to the bot's /merge-queue page",
  target_urls: "dropped: the `merge-queue` status links to the bot's /merge-queue page",
  pr_status_base_url: "dropped: the `merge-queue` status links to the bot's /merge-queue page",
  pr_status_base_urls: "dropped: the `merge-queue` status links to the bot's /merge-queue page",
  blocker_label:
    'no equivalent: issues do not block merges here; the nearest is merge_queue.freeze_label, a label on an open change that freezes its branch',
  display_all_tide_queries_in_status: 'dropped: the status names what the change still needs',
  prioritize_existing_batches: 'dropped: the queue policy decides which batches to test',
  github_merge_blocks_policy: 'dropped: a merge GitHub refuses is reported on the change and retried after a push',
  gerrit: 'no equivalent: Gerrit is not supported',
};

/** The most a batch may hold here; tide's "unlimited" becomes this. */
const MAX_BATCH = 64;
const MIN_SYNC_SECONDS = 10;
const DEFAULT_SYNC_PERIOD = '1m';

export function importTide(source: SourceFile, notes: Notes): TideImport | undefined {
  const root = source.data as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || root.tide === undefined || root.tide === null) return undefined;
  const tide = parseWith(tideSchema, source, root.tide, ['tide']);
  const queries = tide.queries ?? [];
  const mergeMethods = tide.merge_method ?? {};
  const batchLimits = tide.batch_size_limit ?? {};
  const contextOptions = tide.context_options ?? contextOptionsSchema.parse({});
  const mentions = new Mentions();

  for (const [key, value] of Object.entries(TIDE_OPTIONS_DROPPED)) {
    if (tide[key] !== undefined) notes.add(source, ['tide', key], value);
  }
  for (const key of otherKeys(tide, [...Object.keys(tideSchema.shape), ...Object.keys(TIDE_OPTIONS_DROPPED)])) {
    notes.add(source, ['tide', key], 'not converted: unknown Prow option');
  }

  const usable: Array<{ query: Query; index: number }> = [];
  queries.forEach((query, index) => {
    mentions.addAll([...query.orgs, ...query.repos, ...query.excludedRepos]);
    const unexpressed = [
      query.author ? `author ${query.author}` : '',
      query.milestone ? `milestone ${query.milestone}` : '',
      query.includedBranches.length > 0 ? 'includedBranches' : '',
      query.excludedBranches.length > 0 ? 'excludedBranches' : '',
      query.reviewApprovedRequired ? 'reviewApprovedRequired' : '',
    ].filter(Boolean);
    if (unexpressed.length > 0) {
      notes.add(
        source,
        ['tide', 'queries', index],
        `left out: the merge queue has no ${unexpressed.join(', ')} condition, and dropping it would merge changes this query does not (${coverage(query)})`,
      );
    } else {
      usable.push({ query, index });
    }
    for (const key of otherKeys(query, Object.keys(querySchema.shape)))
      notes.add(source, ['tide', 'queries', index, key], 'not converted: unknown Prow option');
  });

  for (const [key, value] of Object.entries(mergeMethods)) {
    mentions.add(key.split('@')[0]!);
    if (key.includes('@'))
      notes.add(
        source,
        ['tide', 'merge_method', key],
        "no equivalent: a merge method per branch; the repository's method applies to every branch",
      );
    if (typeof value === 'object') {
      for (const [repo, byRepo] of Object.entries(value)) {
        if (repo !== '*') mentions.add(`${key}/${repo}`);
        if (typeof byRepo === 'object')
          notes.add(
            source,
            ['tide', 'merge_method', key, repo],
            "no equivalent: merge methods per branch; the repository's method applies to every branch",
          );
      }
    }
  }
  mentions.addAll(Object.keys(batchLimits).filter((key) => key !== '*'));

  noteContextPolicy(source, ['tide', 'context_options'], contextOptions, notes);
  for (const [org, orgPolicy] of Object.entries(contextOptions.orgs)) {
    mentions.add(org);
    noteContextPolicy(source, ['tide', 'context_options', 'orgs', org], orgPolicy, notes);
    for (const [repo, repoPolicy] of Object.entries(orgPolicy.repos)) {
      mentions.add(`${org}/${repo}`);
      noteContextPolicy(source, ['tide', 'context_options', 'orgs', org, 'repos', repo], repoPolicy, notes);
      if (repoPolicy.branches && Object.keys(repoPolicy.branches).length > 0) {
        notes.add(
          source,
          ['tide', 'context_options', 'orgs', org, 'repos', repo, 'branches'],
          "no equivalent: context options per branch; the repository's apply to every branch",
        );
      }
    }
  }

  let syncPeriod: string | undefined;
  if (tide.sync_period !== undefined) {
    const seconds = goDurationSeconds(tide.sync_period);
    if (seconds === undefined) {
      notes.add(source, ['tide', 'sync_period'], `not converted: "${tide.sync_period}" is not a duration`);
    } else if (seconds !== goDurationSeconds(DEFAULT_SYNC_PERIOD)) {
      if (seconds < MIN_SYNC_SECONDS)
        notes.add(source, ['tide', 'sync_period'], `raised to ${MIN_SYNC_SECONDS}s, the shortest allowed here`);
      syncPeriod = formatDuration(Math.max(seconds, MIN_SYNC_SECONDS));
      if (syncPeriod === '1m') syncPeriod = undefined;
    }
  }

  const priority = (tide.priority ?? []).map((p) => nonEmpty(p.labels)).filter((labels) => labels.length > 0);

  return {
    mentions,
    ...(syncPeriod ? { syncPeriod } : {}),
    mergeQueueFor(scope, plugins) {
      const found: Note[] = [];
      const note = (path: Array<string | number>, message: string) => {
        const line = source.lineOf(path);
        found.push({ file: source.file, ...(line !== undefined ? { line } : {}), path: path.map(String).join('.'), message });
      };
      const covering = usable.filter(({ query }) => queryCovers(query, scope));
      const chosen = covering[0];
      if (!chosen) return { notes: found };
      const differing = covering.slice(1).filter(({ query }) => !sameLabels(query, chosen.query));
      if (differing.length > 0) {
        note(
          ['tide', 'queries', differing[0]!.index],
          `tide merges a change of ${scopeName(scope)} that meets any of queries ${[chosen.index, ...differing.map((d) => d.index)].join(', ')}; the merge queue takes one label set per repository, so only query ${chosen.index}'s applies there`,
        );
      }
      if (chosen.query.labels.some((entry) => entry.trim().toLowerCase() === 'approved') && !plugins.includes('approve')) {
        note(
          ['tide', 'queries', chosen.index, 'labels'],
          `differs: the merge queue here requires approved to be earned (an OWNERS approver's /approve or approving review), not just the label, and approve, the plugin that sets the label, is not enabled on ${scopeName(scope)}`,
        );
      }
      const limit = batchLimitFor(batchLimits, scope);
      // unset is tide's default, unlimited, and documented as 64; a limit written down is noted
      if (limit.value === 0 && limit.key)
        note(['tide', 'batch_size_limit', limit.key], `tide's unlimited batch size becomes batch_size ${MAX_BATCH}, the most allowed here`);
      else if (limit.value > MAX_BATCH)
        note(['tide', 'batch_size_limit', limit.key!], `batch_size ${limit.value} lowered to ${MAX_BATCH}, the most allowed here`);
      const policy = contextPolicyFor(contextOptions, scope);
      if (policy.skipUnknown !== true) {
        note(
          ['tide', 'context_options'],
          "differs: tide requires every context on a change that neither a job nor context_options names (skip-unknown-contexts is off); the merge queue here judges only required contexts, so list other CI's contexts in merge_queue.required_contexts",
        );
      }
      const mergeQueue = repoMergeQueueSchema.parse({
        policy: 'tide',
        labels: nonEmpty(chosen.query.labels),
        missing_labels: nonEmpty(chosen.query.missingLabels),
        batch_size: limit.value === -1 ? 1 : limit.value === 0 ? MAX_BATCH : Math.min(Math.max(limit.value, 1), MAX_BATCH),
        priority,
        merge_method: mergeMethodFor(mergeMethods, scope),
        merge_label: tide.merge_label,
        squash_label: tide.squash_label,
        rebase_label: tide.rebase_label,
        required_contexts: nonEmpty(policy.required),
        optional_contexts: nonEmpty(policy.optional),
      });
      return { mergeQueue, notes: found };
    },
  };
}

/** A blank label or context matches nothing in tide, and is not a name here. */
const nonEmpty = (names: readonly string[]): string[] => names.filter((name) => name.trim() !== '');

/** Prow's TideQuery.ForRepo; for a whole org, a query naming the org. */
function queryCovers(query: Query, scope: Scope): boolean {
  if (query.orgs.includes(scope.org)) return scope.repo === undefined || !query.excludedRepos.includes(`${scope.org}/${scope.repo}`);
  return scope.repo !== undefined && query.repos.includes(`${scope.org}/${scope.repo}`);
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
const sameLabels = (a: Query, b: Query) => sameSet(a.labels, b.labels) && sameSet(a.missingLabels, b.missingLabels);

const scopeName = (scope: Scope) => (scope.repo === undefined ? `any repository of ${scope.org}` : `${scope.org}/${scope.repo}`);

function coverage(query: Query): string {
  const names = [...query.orgs, ...query.repos];
  return names.length > 0 ? `it covered ${names.join(', ')}` : 'it covered nothing';
}

/** Prow's BatchSizeLimit: org/repo, else org, else "*", else 0 (unlimited). */
function batchLimitFor(limits: Record<string, number>, scope: Scope): { value: number; key?: string } {
  const keys = [...(scope.repo !== undefined ? [`${scope.org}/${scope.repo}`] : []), scope.org, '*'];
  const key = keys.find((k) => limits[k] !== undefined);
  return key ? { value: limits[key]!, key } : { value: 0 };
}

/** Prow's OrgRepoBranchMergeMethod without a branch: org/repo, org: {repo or "*"}, org, merge. */
function mergeMethodFor(methods: z.output<typeof mergeMethodSchema>, scope: Scope): 'merge' | 'squash' | 'rebase' {
  if (scope.repo !== undefined) {
    const shorthand = methods[`${scope.org}/${scope.repo}`];
    if (typeof shorthand === 'string') return shorthand;
  }
  const byOrg = methods[scope.org];
  if (typeof byOrg === 'string') return byOrg;
  if (byOrg) {
    const byRepo = (scope.repo !== undefined ? byOrg[scope.repo] : undefined) ?? byOrg['*'];
    if (typeof byRepo === 'string') return byRepo;
  }
  return 'merge';
}

interface ResolvedContextPolicy {
  required: string[];
  optional: string[];
  skipUnknown?: boolean;
}

/** Prow's ParseTideContextPolicyOptions without a branch: lists unioned, the most specific boolean wins. */
function contextPolicyFor(options: z.output<typeof contextOptionsSchema>, scope: Scope): ResolvedContextPolicy {
  const org = options.orgs[scope.org];
  const repo = scope.repo !== undefined ? org?.repos[scope.repo] : undefined;
  const layers: ContextPolicy[] = [options, ...(org ? [org] : []), ...(repo ? [repo] : [])];
  const union = (key: 'required-contexts' | 'optional-contexts') => [...new Set(layers.flatMap((layer) => layer[key]))].sort();
  const skipUnknown = layers.reduce<boolean | undefined>((value, layer) => layer['skip-unknown-contexts'] ?? value, undefined);
  return {
    required: union('required-contexts'),
    optional: union('optional-contexts'),
    ...(skipUnknown !== undefined ? { skipUnknown } : {}),
  };
}

function noteContextPolicy(source: SourceFile, at: Array<string | number>, policy: ContextPolicy, notes: Notes): void {
  if (policy['required-if-present-contexts'].length > 0) {
    notes.add(
      source,
      [...at, 'required-if-present-contexts'],
      'no equivalent: a context required only when it reports; these are not required here',
    );
  }
  if (policy['optional-regex-contexts'].length > 0) {
    notes.add(
      source,
      [...at, 'optional-regex-contexts'],
      'no equivalent: optional contexts here are listed by name (merge_queue.optional_contexts)',
    );
  }
  if (policy['overwrite-pending-contexts'] !== undefined) {
    notes.add(
      source,
      [...at, 'overwrite-pending-contexts'],
      'dropped: the merge queue does not rewrite the statuses of changes it merges in a batch',
    );
  }
  if (policy['from-branch-protection'] === false) {
    notes.add(
      source,
      [...at, 'from-branch-protection'],
      'differs: the merge queue always requires the contexts branch protection requires',
    );
  }
  const known = [...Object.keys(contextPolicyFields), 'orgs', 'repos', 'branches'];
  for (const key of otherKeys(policy, known)) notes.add(source, [...at, key], 'not converted: unknown Prow option');
}
