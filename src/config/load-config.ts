// Reads and validates the configuration file. Every problem is reported, each with the file, the
// path inside it, the line, and the reason, so `check-config` can list them all at once: the schema,
// plugin names, rules across fields (checked on each part that is valid on its own, whatever else
// is wrong) and, when asked, the environment variables the runners need.
import { readFile } from 'node:fs/promises';
import { byLine, ConfigError, type ConfigProblem } from './config-problem.js';
import { inRepoSettingsProblems } from './in-repo/settings-problems.js';
import { type RunnerConfig, runnerSchema } from './jobs-schema.js';
import { type RunnerEnvironment, runnerEnvProblems } from './runner-env.js';
import { type Config, configSchema } from './schema.js';
import { schemaProblems } from './schema-problems.js';
import { asRecord, type PathProblem, validateJobs } from './validate-jobs.js';
import { readYaml, type YamlSource } from './yaml-source.js';

/** Read when neither --config nor CONFIG_FILE names a file, if it exists. */
export const DEFAULT_CONFIG_FILE = 'config.yaml';

export { ConfigError, type ConfigProblem, formatProblem } from './config-problem.js';

export interface ParseOptions {
  /** also report what the runners need from this environment (serve, worker, check-config) */
  environment?: RunnerEnvironment;
}

/** Parses and validates config text; `file` names it in errors. Throws ConfigError. */
export function parseConfig(text: string, file: string, knownPlugins: readonly string[], options: ParseOptions = {}): Config {
  const source = readYaml(text, file);
  const { data } = source;
  const result = configSchema.safeParse(data);
  const problems: ConfigProblem[] = schemaProblems(source, result.error?.issues ?? []);
  const located = (found: readonly PathProblem[]) =>
    found.map((p): ConfigProblem => ({ file, path: p.path.join('.'), line: source.lineOf(p.path), message: p.message }));
  problems.push(...located(pluginNameProblems(data, knownPlugins)));
  problems.push(...located(validateJobs(data)));
  problems.push(...located(inRepoSettingsProblems(data)));
  if (options.environment) problems.push(...located(runnerEnvProblems(validRunners(source), options.environment)));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems.sort(byLine));
  return result.data;
}

/** Reads and validates a config file. Throws ConfigError (an unreadable file is one problem). */
export async function loadConfigFile(file: string, knownPlugins: readonly string[], options: ParseOptions = {}): Promise<Config> {
  return parseConfig(await readConfigText(file), file, knownPlugins, options);
}

export async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
}

/** The configuration used when no file is given: every plugin on every repo. */
export const embeddedConfig = (): Config => configSchema.parse({});

/** Plugin names are checked on the raw data, so they are reported alongside the schema's problems. */
function pluginNameProblems(data: unknown, knownPlugins: readonly string[]): PathProblem[] {
  const problems: PathProblem[] = [];
  const check = (names: unknown, path: Array<string | number>) =>
    (Array.isArray(names) ? names : []).forEach((name, i) => {
      if (typeof name === 'string' && !knownPlugins.includes(name)) {
        problems.push({ path: [...path, i], message: `unknown plugin "${name}" (known: ${knownPlugins.join(', ')})` });
      }
    });
  const root = asRecord(data);
  check(root?.default_plugins, ['default_plugins']);
  for (const [repo, entry] of Object.entries(asRecord(root?.repos) ?? {})) check(asRecord(entry)?.plugins, ['repos', repo, 'plugins']);
  return problems;
}

/** The runners that are valid on their own, whatever else in the file is wrong. */
function validRunners(source: YamlSource): Record<string, RunnerConfig> {
  const valid: Record<string, RunnerConfig> = {};
  for (const [name, raw] of Object.entries(asRecord(asRecord(source.data)?.runners) ?? {})) {
    const parsed = runnerSchema.safeParse(raw);
    if (parsed.success) valid[name] = parsed.data;
  }
  return valid;
}
