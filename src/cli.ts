// The command line: serve | worker | check-config | import-prow | run | help | version. Usage errors
// exit 2. The long-running commands are imported when run, so `help`, `version` and `check-config`
// start fast.
import minimist from 'minimist';
import { loadCredentialsFile } from './config/credentials-file.js';
import { EnvError, readEnv } from './config/env.js';
import { ConfigError, DEFAULT_CONFIG_FILE, formatProblem } from './config/load-config.js';
import { createLogger } from './core/logger.js';
import { packageVersion } from './version.js';

const USAGE = `Usage: ci-orchestrator <command> [--config FILE]

Commands:
  serve          start the HTTP server (GitHub and GitLab webhooks) and queue workers
  worker         process queued work from Redis (REDIS_URL), without an HTTP server
  check-config [--skip-env]
                 validate the configuration file and print every problem, including the
                 environment variables its runners need that are not set (--skip-env: not those)
  check-config --repo-file FILE [--config FILE] [--repo OWNER/NAME]
                 validate a repository's .github/ci-orchestrator.yaml; with --config, against
                 what that file allows the repository (--repo: its entry; else the defaults)
  run JOB --repo OWNER/NAME --pr N [--forge github|gitlab] [--dry-run]
                 run a presubmit's command job here on a PR, as the bot would, printing its log
                 (--dry-run: print the dispatch document a runner would receive)
  import-prow --plugins FILE [--prow-config FILE] [--jobs DIR_OR_FILE]... [--runner NAME] [--out FILE]
                 convert a Prow configuration into this project's (docs/import-prow.md)
  help           print this help
  version        print the version

Options:
  --config FILE  configuration file (default: $CONFIG_FILE, else ${DEFAULT_CONFIG_FILE} if present)
  -h, --help     print this help
  -v, --version  print the version

Environment: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, DATA_DIR, GHE_HOST, GHE_PROTOCOL, GH_ORG,
GITLAB_URL, GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET, REDIS_URL, REDIS_PREFIX, PORT, HOST, LOG_LEVEL, CONFIG_FILE,
PUBLIC_URL, WORK_DIR, COMMAND_CONCURRENCY, WORKER_LOCK_SECONDS.
See README.md and docs/configuration.md.`;

/** Shutdown waits this long for work in flight, then exits anyway. */
const SHUTDOWN_DEADLINE_MS = 25_000;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  // import-prow has options of its own, which no other command takes.
  if (argv[0] === 'import-prow' && !argv.some((a) => a === '--help' || a === '-h')) {
    const [{ importProw }, { pluginNames }] = await Promise.all([import('./import-prow/command.js'), import('../plugins/index.js')]);
    return importProw(argv, pluginNames());
  }
  let args: minimist.ParsedArgs;
  try {
    args = minimist(argv, {
      string: ['config', 'repo', 'pr', 'forge', 'repo-file'],
      boolean: ['help', 'version', 'dry-run', 'skip-env'],
      alias: { h: 'help', v: 'version' },
      unknown: (arg) => {
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        return true;
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const [command = 'help', ...rest] = args._.map(String);
  if (args.version || command === 'version') {
    console.log(packageVersion());
    return 0;
  }
  if (args.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const operands = command === 'run' ? 1 : 0;
  if (rest.length > operands) return usageError(`unexpected argument ${rest[operands]}`);
  const repoFileCheck = command === 'check-config' && args['repo-file'] !== undefined;
  if (
    command !== 'run' &&
    ((args.repo !== undefined && !repoFileCheck) || args.pr !== undefined || args.forge !== undefined || args['dry-run'])
  ) {
    return usageError('--repo, --pr, --forge and --dry-run go with the run command (--repo also with check-config --repo-file)');
  }
  if (command !== 'check-config' && (args['skip-env'] || args['repo-file'] !== undefined)) {
    return usageError('--skip-env and --repo-file go with the check-config command');
  }
  if (args['repo-file'] === '') return usageError('--repo-file needs a file');
  if (args.config === '') return usageError('--config needs a file');
  if (args.config) process.env.CONFIG_FILE = args.config;

  switch (command) {
    case 'serve':
    case 'worker':
      return runService(command);
    case 'check-config':
      if (repoFileCheck) return checkRepoFileCommand(args['repo-file'], args.config || process.env.CONFIG_FILE || undefined, args.repo);
      return checkConfig(args.config || process.env.CONFIG_FILE || DEFAULT_CONFIG_FILE, !args['skip-env']);
    case 'run':
      return runCommand(rest[0], args);
    default:
      return usageError(`unknown command "${command}"`);
  }
}

function usageError(message: string): number {
  console.error(`ci-orchestrator: ${message}\n\n${USAGE}`);
  return 2;
}

async function checkConfig(file: string, withEnv: boolean): Promise<number> {
  const [{ pluginNames }, { checkOperatorConfig }] = await Promise.all([import('../plugins/index.js'), import('./config/check-config.js')]);
  // The environment serve would see, .env included.
  if (withEnv) loadCredentialsFile();
  const problems = await checkOperatorConfig({ file, knownPlugins: pluginNames(), ...(withEnv ? { env: process.env } : {}) });
  if (problems.length > 0) {
    for (const problem of problems) console.error(formatProblem(problem));
    console.error(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file}${withEnv ? ' and the environment' : ''}`);
    return 1;
  }
  console.log(`${file}: OK`);
  return 0;
}

async function checkRepoFileCommand(repoFile: string, operatorFile: string | undefined, repo: string | undefined): Promise<number> {
  if (repo !== undefined && !/^[^\s/]+(?:\/[^\s/]+)*\/[^\s/]+$/.test(repo)) return usageError('--repo needs OWNER/NAME');
  const [{ pluginNames }, { checkRepoFile }] = await Promise.all([import('../plugins/index.js'), import('./config/check-config.js')]);
  const problems = await checkRepoFile({
    repoFile,
    knownPlugins: pluginNames(),
    ...(operatorFile ? { operatorFile } : {}),
    ...(repo ? { repo } : {}),
  });
  if (problems.length > 0) {
    for (const problem of problems) console.error(formatProblem(problem));
    console.error(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${repoFile}`);
    return 1;
  }
  console.log(
    `${repoFile}: OK${operatorFile ? ` (what ${operatorFile} allows ${repo ?? 'repositories without an entry'})` : " (on its own: --config checks it against the operator's allowlists)"}`,
  );
  return 0;
}

async function runCommand(job: string | undefined, args: minimist.ParsedArgs): Promise<number> {
  if (!job) return usageError('run needs a job name');
  if (!args.repo) return usageError('run needs --repo OWNER/NAME');
  const pr = Number(args.pr);
  if (!Number.isInteger(pr) || pr < 1) return usageError('run needs --pr N, a PR (MR) number');
  const forge = args.forge ?? 'github';
  if (forge !== 'github' && forge !== 'gitlab') return usageError('--forge is github or gitlab');
  const { runLocally, RunLocallyError } = await import('./run-locally.js');
  try {
    const loaded = loadCredentialsFile();
    const options = readEnv();
    const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
    for (const warning of [...loaded.warnings, ...options.warnings]) log.warn(warning);
    return await runLocally({ job, repo: args.repo, pr, forge, dryRun: !!args['dry-run'] }, options, log, process.stdout);
  } catch (err) {
    if (err instanceof EnvError || err instanceof RunLocallyError) return usageError(err.message);
    if (err instanceof ConfigError) {
      for (const problem of err.problems) console.error(formatProblem(problem));
      return 1;
    }
    throw err;
  }
}

async function runService(command: 'serve' | 'worker'): Promise<number> {
  // Credentials written by the GitHub App registration pages land in $DATA_DIR/.env.
  let options;
  let loaded;
  try {
    loaded = loadCredentialsFile();
    options = readEnv();
  } catch (err) {
    if (err instanceof EnvError) return usageError(err.message);
    throw err;
  }
  const log = createLogger(options.logLevel);
  if (loaded.file) log.info({ file: loaded.file }, `credentials read from ${loaded.file}`);
  for (const warning of [...loaded.warnings, ...options.warnings]) log.warn(warning);
  const rereadOptions = () => {
    loadCredentialsFile();
    return readEnv();
  };
  const [{ serve }, { runWorker }, { RunnerSetupError }, { RedisUnavailableError }] = await Promise.all([
    import('./serve.js'),
    import('./worker.js'),
    import('./runners/create-runners.js'),
    import('./queue/bullmq-queue.js'),
  ]);
  // Listened for from the start: a stop asked for while starting takes effect once started.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  let service: { reload(): Promise<unknown>; close(): Promise<void> };
  try {
    service = command === 'serve' ? await serve(options, log, rereadOptions) : await runWorker(options, log);
  } catch (err) {
    if (err instanceof EnvError) return usageError(err.message);
    if (err instanceof ConfigError) {
      for (const problem of err.problems) log.error(formatProblem(problem));
      return 1;
    }
    if (err instanceof RunnerSetupError || err instanceof RedisUnavailableError) {
      log.error(err.message);
      return 1;
    }
    throw err;
  }
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  // SIGHUP reloads the configuration (the outcome is logged); it no longer ends the process, even
  // while shutting down.
  const reload = () => {
    log.info({ signal: 'SIGHUP' }, 'reloading the configuration');
    service.reload().catch((err: unknown) => log.error({ err }, 'configuration reload failed'));
  };
  process.on('SIGHUP', reload);
  const signal = await signalled;
  log.info({ signal }, 'shutting down: no new work; finishing what runs');
  const deadline = setTimeout(() => {
    log.error(`work still running after ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  await service.close();
  log.info('stopped');
  return 0;
}
