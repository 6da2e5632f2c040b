// `ci-orchestrator import-prow`: reads Prow's plugins.yaml, config.yaml and job configs, writes this
// project's configuration (standard output or --out) and lists on standard error what had no
// equivalent. Exit 0 when converted (notes or not), 1 when an input cannot be read or is not a
// Prow configuration, 2 on a usage error. The output is checked with the same parser as
// check-config before it is written.
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import minimist from 'minimist';
import { ConfigError, formatProblem, parseConfig } from '../config/load-config.js';
import { convertProw } from './convert.js';
import { formatNote } from './notes.js';
import { renderConfig } from './render.js';
import { InputError, readSourceFile, type SourceFile } from './source-file.js';

export const IMPORT_PROW_OPTIONS = ['plugins', 'prow-config', 'jobs', 'runner', 'out'];
export const DEFAULT_RUNNER = 'prow-jobs';

export const IMPORT_PROW_USAGE = `Usage: ci-orchestrator import-prow --plugins FILE [--prow-config FILE] [--jobs DIR_OR_FILE]...
                                  [--runner NAME] [--out FILE]

Converts a Prow configuration into this project's configuration file.
  --plugins FILE        Prow's plugins.yaml (required)
  --prow-config FILE    Prow's config.yaml: its tide section, and any jobs in it
  --jobs DIR_OR_FILE    job config files; a directory is searched for *.yaml and *.yml (repeatable)
  --runner NAME         the runner every job is given (default ${DEFAULT_RUNNER}), written as a webhook
                        placeholder whose url and secret_env you fill in
  --out FILE            write the configuration there instead of standard output
What has no equivalent is listed on standard error. See docs/import-prow.md.`;

const RUNNER_NAME = /^[A-Za-z0-9._-]+$/;

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CommandIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

class UsageError extends Error {}

/** `argv` as given to the CLI, the command name included. */
export async function importProw(argv: readonly string[], knownPlugins: readonly string[], io: CommandIo = processIo): Promise<number> {
  let options: { plugins: string; prowConfig?: string; jobs: string[]; runner: string; out?: string };
  try {
    options = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`ci-orchestrator import-prow: ${err.message}\n\n${IMPORT_PROW_USAGE}\n`);
    return 2;
  }

  let result;
  const inputs: string[] = [];
  try {
    const plugins = await readSourceFile(options.plugins);
    inputs.push(options.plugins);
    let prowConfig: SourceFile | undefined;
    if (options.prowConfig) {
      prowConfig = await readSourceFile(options.prowConfig);
      inputs.push(options.prowConfig);
    }
    const jobs: SourceFile[] = [];
    for (const place of options.jobs) {
      const files = await jobFiles(place);
      for (const file of files) jobs.push(await readSourceFile(file));
      inputs.push(place);
    }
    result = convertProw({ plugins, ...(prowConfig ? { prowConfig } : {}), jobs }, { runner: options.runner, knownPlugins });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    io.stderr(`${err.message}\nci-orchestrator import-prow: nothing converted: ${err.file} is not a readable Prow configuration\n`);
    return 1;
  }

  const text = renderConfig(result.config, inputs);
  try {
    parseConfig(text, options.out ?? '(converted configuration)', knownPlugins);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) io.stderr(`${formatProblem(problem)}\n`);
    io.stderr(
      'ci-orchestrator import-prow: the converted configuration does not pass check-config; this is a bug in import-prow, please report it with the inputs\n',
    );
    return 1;
  }

  if (result.notes.length > 0) {
    io.stderr('Not converted, or converted with a difference (file:line: where: what and why):\n');
    for (const note of result.notes) io.stderr(`${formatNote(note)}\n`);
  }
  const entries = Object.keys(result.config.repos).length;
  io.stderr(
    `import-prow: ${entries} repository entr${entries === 1 ? 'y' : 'ies'}, ${result.jobCount} job${result.jobCount === 1 ? '' : 's'}; ` +
      `${result.notes.length === 0 ? 'nothing left out' : `${result.notes.length} note${result.notes.length === 1 ? '' : 's'} above`}` +
      `${result.jobCount > 0 ? `; set the placeholder runner "${options.runner}" before serving` : ''}\n`,
  );
  if (options.out) {
    try {
      await writeFile(options.out, text);
    } catch (err) {
      io.stderr(`ci-orchestrator import-prow: cannot write ${options.out}: ${(err as Error).message}\n`);
      return 1;
    }
    io.stderr(`wrote ${options.out}\n`);
  } else {
    io.stdout(text);
  }
  return 0;
}

function parseArgs(argv: readonly string[]) {
  const args = minimist([...argv], {
    string: IMPORT_PROW_OPTIONS,
    unknown: (arg) => {
      if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
      return true;
    },
  });
  const [command, ...rest] = args._.map(String);
  if (command !== 'import-prow') throw new UsageError('expected the import-prow command');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]} (job files go after --jobs)`);
  const single = (name: string): string | undefined => {
    const value: unknown = args[name];
    if (Array.isArray(value)) throw new UsageError(`--${name} may be given once`);
    if (value === '') throw new UsageError(`--${name} needs a value`);
    return value as string | undefined;
  };
  const plugins = single('plugins');
  if (!plugins) throw new UsageError("--plugins FILE is required (Prow's plugins.yaml)");
  const jobs = ([] as string[]).concat(args.jobs ?? []);
  if (jobs.some((j) => j === '')) throw new UsageError('--jobs needs a file or directory');
  const runner = single('runner') ?? DEFAULT_RUNNER;
  if (!RUNNER_NAME.test(runner)) throw new UsageError(`--runner "${runner}": a runner name uses only letters, digits, ".", "_" and "-"`);
  const prowConfig = single('prow-config');
  const out = single('out');
  return { plugins, jobs, runner, ...(prowConfig ? { prowConfig } : {}), ...(out ? { out } : {}) };
}

/** A job file, or the *.yaml and *.yml files under a directory, in path order. */
async function jobFiles(place: string): Promise<string[]> {
  let info;
  try {
    info = await stat(place);
  } catch (err) {
    throw new InputError(place, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  if (!info.isDirectory()) return [place];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) found.push(path);
    }
  };
  try {
    await walk(place);
  } catch (err) {
    throw new InputError(place, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  if (found.length === 0) throw new InputError(place, [{ path: '', message: 'no .yaml or .yml files in this directory' }]);
  return found;
}
