// Prow's configuration as one configuration file of this project. Prow merges an org's settings
// with a repo's; here the most specific `repos` entry wins whole. So every org and repo that any
// input names gets its settings resolved the way Prow would resolve them for it, an `org/*` entry
// stands for the org's other repositories, and an entry is written only where it differs from what
// would apply anyway (the org's entry, else the defaults). Prow enables nothing on a repository it
// is not told about, hence `default_plugins: []`.
import { isDeepStrictEqual } from 'node:util';
import { repoMergeQueueSchema } from '../config/merge-queue-schema.js';
import { configSchema, repoEntrySchema } from '../config/schema.js';
import { validateJobs } from '../config/validate-jobs.js';
import { type ImportedJob, importJobs, JOB_SECTIONS, type JobKind } from './jobs.js';
import { type Note, Notes, otherKeys } from './notes.js';
import { importPlugins, type PluginSettings } from './plugins.js';
import { parseScope, type Scope, scopeKey } from './scope.js';
import { InputError, type SourceFile } from './source-file.js';
import { importTide } from './tide.js';

export interface ProwInputs {
  plugins: SourceFile;
  /** Prow's config.yaml: its `tide` section, and jobs if it holds any */
  prowConfig?: SourceFile;
  /** job config files */
  jobs: readonly SourceFile[];
}

export interface ImportOptions {
  /** the runner every job is mapped to */
  runner: string;
  /** this project's plugin names */
  knownPlugins: readonly string[];
}

/** The converted configuration, in the file's own shape (only what differs from the defaults). */
export interface ImportedConfig {
  default_plugins: string[];
  reply_to_unknown_commands: boolean;
  runners?: Record<string, { type: 'webhook'; url: string; secret_env: string }>;
  merge_queue?: { sync_period: string };
  repos: Record<string, Record<string, unknown>>;
}

export interface ImportResult {
  config: ImportedConfig;
  notes: Note[];
  jobCount: number;
}

/** Where the placeholder runner points until the user sets it (a reserved documentation domain). */
export const PLACEHOLDER_RUNNER_URL = 'https://runner.example.com/prow-jobs';

/** The environment variable named for a runner's HMAC key: "prow-jobs" -> PROW_JOBS_HMAC_KEY. */
export const secretEnvFor = (runner: string): string =>
  `${runner
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '_')
    .replace(/^(?=\d)/, '_')}_HMAC_KEY`;

type Entry = ReturnType<typeof repoEntrySchema.parse>;

const CONFIG_SECTIONS_NOTE: Record<string, string> = {
  'branch-protection':
    "not converted: the merge queue reads the branch protection the forge has; Prow's branchprotector settings are not applied",
  in_repo_config: "not converted: jobs in the repositories' .prow.yaml files are not read; convert them with --jobs",
};

export function convertProw(inputs: ProwInputs, options: ImportOptions): ImportResult {
  const notes = new Notes();
  const plugins = importPlugins(inputs.plugins, options.knownPlugins, notes);
  const jobs: ImportedJob[] = [];
  let tide: ReturnType<typeof importTide>;
  if (inputs.prowConfig) {
    const data = inputs.prowConfig.data;
    if (!data || typeof data !== 'object' || Array.isArray(data))
      throw new InputError(inputs.prowConfig.file, [{ path: '', message: "must be a mapping (Prow's config.yaml)" }]);
    tide = importTide(inputs.prowConfig, notes);
    if (JOB_SECTIONS.some((key) => key in data)) jobs.push(...importJobs(inputs.prowConfig, options.runner, notes, false));
    noteConfigSections(inputs.prowConfig, notes);
  }
  for (const source of inputs.jobs) jobs.push(...importJobs(source, options.runner, notes));

  const orgs = new Set([...plugins.mentions.orgs, ...(tide?.mentions.orgs ?? [])]);
  const repos = new Set([...plugins.mentions.repos, ...(tide?.mentions.repos ?? []), ...jobs.map((j) => j.repo)]);
  for (const repo of repos) orgs.add(repo.split('/')[0]!);

  const jobsByRepo = keepValidJobs(jobs, options.runner, notes);
  const resolved = new Map<string, { entry: Entry; notes: Note[]; jobs?: Record<JobKind, ImportedJob[]> }>();
  const resolve = (scope: Scope) => {
    const settings = withoutIdleOptions(plugins.settingsFor(scope));
    const queue = tide?.mergeQueueFor(scope, settings.plugins) ?? { notes: [] };
    // The merge queue derives approval with the approve options, whether or not the plugin runs.
    if (queue.mergeQueue) settings.approve = plugins.settingsFor(scope).approve;
    const own = scope.repo !== undefined ? jobsByRepo.get(`${scope.org}/${scope.repo}`) : undefined;
    const entry = repoEntrySchema.parse({
      ...settings,
      presubmits: own?.presubmits.map((j) => ({ ...j.job, runner: options.runner })) ?? [],
      postsubmits: own?.postsubmits.map((j) => ({ ...j.job, runner: options.runner })) ?? [],
      ...(queue.mergeQueue ? { merge_queue: queue.mergeQueue } : {}),
    });
    resolved.set(scopeKey(scope), { entry, notes: queue.notes, ...(own ? { jobs: own } : {}) });
    return entry;
  };

  const fallback = repoEntrySchema.parse({ plugins: [] });
  const written: Array<[string, Entry]> = [];
  let jobCount = 0;
  for (const org of [...orgs].sort()) {
    const orgEntry = resolve({ org });
    if (!isDeepStrictEqual(orgEntry, fallback)) written.push([`${org}/*`, orgEntry]);
    const ofOrg = [...repos].filter((repo) => repo.startsWith(`${org}/`)).sort();
    for (const repo of ofOrg) {
      const entry = resolve(parseScope(repo)!);
      if (isDeepStrictEqual(entry, orgEntry)) continue;
      written.push([repo, entry]);
      jobCount += entry.presubmits.length + entry.postsubmits.length;
    }
  }
  for (const [key] of written) {
    const { notes: found, jobs: own } = resolved.get(key)!;
    for (const note of found) notes.push(note);
    const first = own?.presubmits[0] ?? own?.postsubmits[0];
    if (first && !resolved.get(key)!.entry.plugins.includes('trigger')) {
      notes.add(
        first.source,
        first.path.slice(0, 2),
        `converted, but ${key} does not enable the trigger plugin, so its jobs never run (as in Prow)`,
      );
    }
  }

  const config: ImportedConfig = {
    default_plugins: [],
    reply_to_unknown_commands: false,
    ...(jobCount > 0
      ? { runners: { [options.runner]: { type: 'webhook', url: PLACEHOLDER_RUNNER_URL, secret_env: secretEnvFor(options.runner) } } }
      : {}),
    ...(tide?.syncPeriod ? { merge_queue: { sync_period: tide.syncPeriod } } : {}),
    repos: Object.fromEntries(written.map(([key, entry]) => [key, writtenEntry(entry, resolved.get(key)!.jobs, options.runner)])),
  };
  return { config, notes: inFileOrder(notes.list, inputs), jobCount };
}

/** Notes grouped by input file (in the order the files were given), then by line. */
function inFileOrder(list: readonly Note[], inputs: ProwInputs): Note[] {
  const files = [inputs.plugins, ...(inputs.prowConfig ? [inputs.prowConfig] : []), ...inputs.jobs].map((source) => source.file);
  return list
    .map((note, index) => ({ note, index }))
    .sort((a, b) => files.indexOf(a.note.file) - files.indexOf(b.note.file) || (a.note.line ?? 0) - (b.note.line ?? 0) || a.index - b.index)
    .map(({ note }) => note);
}

/** Options of plugins a repository does not enable change nothing there; they are left at the defaults. */
function withoutIdleOptions(settings: PluginSettings): PluginSettings {
  const defaults = repoEntrySchema.parse({ plugins: [] });
  const on = (name: string) => settings.plugins.includes(name);
  return {
    plugins: settings.plugins,
    approve: on('approve') ? settings.approve : defaults.approve,
    lgtm: on('lgtm') ? settings.lgtm : defaults.lgtm,
    // skip_collaborators decides who may /lgtm
    owners: on('lgtm') ? settings.owners : defaults.owners,
    trigger: on('trigger') ? settings.trigger : defaults.trigger,
  };
}

/**
 * The jobs, per repo and kind, less those this project would refuse (a pattern outside the
 * linear-time subset, a name or context repeated on overlapping branches...): each is dropped
 * with a note saying why, so the output always passes check-config.
 */
function keepValidJobs(jobs: readonly ImportedJob[], runner: string, notes: Notes): Map<string, Record<JobKind, ImportedJob[]>> {
  const byRepo = new Map<string, Record<JobKind, ImportedJob[]>>();
  for (const job of jobs) {
    const lists = byRepo.get(job.repo) ?? { presubmits: [], postsubmits: [] };
    lists[job.kind].push(job);
    byRepo.set(job.repo, lists);
  }
  const runners = { [runner]: { type: 'webhook', url: PLACEHOLDER_RUNNER_URL, secret_env: secretEnvFor(runner) } };
  // Each round drops the jobs the checks name; a dropped job can only remove problems of others.
  for (;;) {
    const repos = Object.fromEntries(
      [...byRepo].map(([repo, lists]) => [
        repo,
        {
          plugins: [],
          presubmits: lists.presubmits.map((j) => ({ ...j.job, runner })),
          postsubmits: lists.postsubmits.map((j) => ({ ...j.job, runner })),
        },
      ]),
    );
    const parsed = configSchema.safeParse({ runners, repos });
    const problems = parsed.success
      ? validateJobs(parsed.data).map((p) => ({ path: p.path, message: p.message }))
      : parsed.error.issues.map((issue) => ({ path: issue.path as Array<string | number>, message: issue.message }));
    if (problems.length === 0) return byRepo;
    const doomed = new Set<ImportedJob>();
    for (const { path, message } of problems) {
      const [top, repo, kind, index, ...field] = path;
      const job =
        top === 'repos' && (kind === 'presubmits' || kind === 'postsubmits') ? byRepo.get(String(repo))?.[kind][Number(index)] : undefined;
      if (!job) throw new Error(`import-prow built an invalid configuration at ${path.join('.')}: ${message}`);
      if (doomed.has(job)) continue;
      doomed.add(job);
      const where = field.length > 0 ? ` (${field.join('.')})` : '';
      notes.forget(job.source.file, job.path);
      notes.add(job.source, job.path, `${String(job.job.name)}: not converted: this project refuses it${where}: ${message}`);
    }
    for (const lists of byRepo.values()) {
      lists.presubmits = lists.presubmits.filter((j) => !doomed.has(j));
      lists.postsubmits = lists.postsubmits.filter((j) => !doomed.has(j));
    }
  }
}

/** An entry as written: what differs from the defaults, jobs as converted with the runner set. */
function writtenEntry(entry: Entry, jobs: Record<JobKind, ImportedJob[]> | undefined, runner: string): Record<string, unknown> {
  const defaults = repoEntrySchema.parse({ plugins: [] });
  const out: Record<string, unknown> = { plugins: entry.plugins };
  for (const key of ['approve', 'lgtm', 'owners', 'trigger'] as const) {
    const changed = Object.fromEntries(
      Object.entries(entry[key]).filter(([k, v]) => !isDeepStrictEqual(v, (defaults[key] as Record<string, unknown>)[k])),
    );
    if (Object.keys(changed).length > 0) out[key] = changed;
  }
  for (const kind of ['presubmits', 'postsubmits'] as const) {
    const list = jobs?.[kind] ?? [];
    if (list.length > 0) out[kind] = list.map(({ job: { name, ...rest } }) => ({ name, runner, ...rest }));
  }
  if (entry.merge_queue) {
    const queueDefaults: Record<string, unknown> = repoMergeQueueSchema.parse({});
    const always = ['policy', 'labels', 'missing_labels'];
    out.merge_queue = Object.fromEntries(
      Object.entries(entry.merge_queue).filter(([k, v]) => always.includes(k) || !isDeepStrictEqual(v, queueDefaults[k])),
    );
  }
  return out;
}

function noteConfigSections(source: SourceFile, notes: Notes): void {
  const data = source.data;
  if (!data || typeof data !== 'object') return;
  for (const [key, message] of Object.entries(CONFIG_SECTIONS_NOTE)) if (key in data) notes.add(source, [key], message);
  const rest = otherKeys(data, ['tide', ...JOB_SECTIONS, ...Object.keys(CONFIG_SECTIONS_NOTE)]);
  if (rest.length > 0) {
    notes.add(
      source,
      [],
      `not read: ${rest.join(', ')}: settings of Prow's own components (runners replace pods; jobs without decoration_config.timeout get this project's 2h timeout)`,
    );
  }
}
