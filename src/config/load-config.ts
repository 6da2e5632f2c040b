// Reads and validates the configuration file. Every problem is reported, each with the file, the
// path inside it, the line, and the reason, so `check-config` can list them all at once.
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { validateJobs } from './validate-jobs.js';

/** Read when neither --config nor CONFIG_FILE names a file, if it exists. */
export const DEFAULT_CONFIG_FILE = 'config.yaml';

export interface ConfigProblem {
  file: string;
  /** dotted path inside the file, e.g. repos.acme/widgets.plugins.1 */
  path: string;
  line?: number;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.path || '(top level)'}: ${p.message}`;
}

/** Parses and validates config text; `file` names it in errors. Throws ConfigError. */
export function parseConfig(text: string, file: string, knownPlugins: readonly string[]): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({
      file, path: '', line: e.linePos?.[0].line, message: `invalid YAML: ${e.message.split('\n')[0]}`,
    })));
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `invalid YAML: ${(err as Error).message}` }]);
  }
  const problems: ConfigProblem[] = [];
  const lineOf = (path: readonly PropertyKey[]) => lineOfPath(doc, lineCounter, path);
  const result = configSchema.safeParse(data);
  for (const issue of result.error?.issues ?? []) {
    // An unknown key's issue points at its parent; name the key itself.
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    problems.push({ file, path: path.map(String).join('.'), line: lineOf(path), message: describeIssue(issue, path, data) });
  }
  // Plugin names are checked on the raw data, so they are reported alongside the schema's problems.
  const raw = data as { default_plugins?: unknown; repos?: unknown };
  const checkPlugins = (names: unknown, path: PropertyKey[]) => (Array.isArray(names) ? names : []).forEach((name, i) => {
    if (typeof name === 'string' && !knownPlugins.includes(name)) {
      problems.push({
        file, path: [...path, i].join('.'), line: lineOf([...path, i]),
        message: `unknown plugin "${name}" (known: ${knownPlugins.join(', ')})`,
      });
    }
  });
  checkPlugins(raw.default_plugins, ['default_plugins']);
  if (raw.repos && typeof raw.repos === 'object') {
    for (const [repo, entry] of Object.entries(raw.repos)) checkPlugins((entry as { plugins?: unknown } | null)?.plugins, ['repos', repo, 'plugins']);
  }
  // Rules across fields and entries need the parsed config, so only a schema-valid file gets them.
  if (result.success) {
    for (const p of validateJobs(result.data)) problems.push({ file, path: p.path.join('.'), line: lineOf(p.path), message: p.message });
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue, path: readonly PropertyKey[], data: unknown): string {
  // A bad record key carries the key's own complaint inside.
  if (issue.code === 'invalid_key') return `invalid key "${String(path.at(-1))}": ${issue.issues[0]?.message ?? issue.message}`;
  const value = path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], data);
  if (issue.code === 'invalid_type' && value === undefined) return `required (${issue.expected})`;
  return issue.message;
}

export async function loadConfigFile(file: string, knownPlugins: readonly string[]): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file, knownPlugins);
}

/** The configuration used when no file is given: every plugin on every repo. */
export const embeddedConfig = (): Config => configSchema.parse({});

/** The line of the key (or sequence item) at `path`, else of its nearest ancestor that exists. */
function lineOfPath(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = doc.getIn(path.slice(0, depth - 1) as unknown[], true);
    const last = path[depth - 1];
    let node: unknown;
    if (isMap(parent)) node = parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(last))?.key;
    else if (isSeq(parent)) node = parent.items[Number(last)];
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}
