// The command line: serve | worker | check-config | help. Usage errors exit 2.
import { existsSync } from 'node:fs';
import minimist from 'minimist';
import { pluginNames } from '../plugins/index.js';
import { EnvError, readEnv } from './config/env.js';
import { ConfigError, formatProblem, loadConfigFile } from './config/load-config.js';
import { createLogger } from './core/logger.js';
import { DEFAULT_CONFIG_FILE } from './runtime.js';
import { serve } from './serve.js';
import { runWorker } from './worker.js';
import { runLocally, RunLocallyError } from './run-locally.js';
import { RunnerSetupError } from './runners/create-runners.js';
import { RedisUnavailableError } from './queue/bullmq-queue.js';

const USAGE = `Usage: ci-orchestrator <command> [--config FILE]

Commands:
  serve          start the HTTP server (GitHub and GitLab webhooks) and queue workers
  worker         process queued work from Redis (REDIS_URL), without an HTTP server
  check-config   validate the configuration file and print every problem
  run JOB --repo OWNER/NAME --pr N [--forge github|gitlab] [--dry-run]
                 run a presubmit's command job here on a PR, as the bot would, printing its log
                 (--dry-run: print the dispatch document a runner would receive)
  help           print this help

Options:
  --config FILE  configuration file (default: $CONFIG_FILE, else ${DEFAULT_CONFIG_FILE} if present)
  -h, --help     print this help

Environment: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, GHE_HOST, GHE_PROTOCOL,
GITLAB_URL, GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET, REDIS_URL, REDIS_PREFIX, PORT, HOST, LOG_LEVEL, CONFIG_FILE,
PUBLIC_URL, WORK_DIR, COMMAND_CONCURRENCY, WORKER_LOCK_SECONDS.
See README.md and docs/configuration.md.`;

/** Shutdown waits this long for work in flight, then exits anyway. */
const SHUTDOWN_DEADLINE_MS = 25_000;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  let args: minimist.ParsedArgs;
  try {
    args = minimist(argv, {
      string: ['config', 'repo', 'pr', 'forge'],
      boolean: ['help', 'dry-run'],
      alias: { h: 'help' },
      unknown: (arg) => {
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        return true;
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const [command = 'help', ...rest] = args._.map(String);
  if (args.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const operands = command === 'run' ? 1 : 0;
  if (rest.length > operands) return usageError(`unexpected argument ${rest[operands]}`);
  if (command !== 'run' && (args.repo !== undefined || args.pr !== undefined || args.forge !== undefined || args['dry-run'])) {
    return usageError('--repo, --pr, --forge and --dry-run go with the run command');
  }
  if (args.config === '') return usageError('--config needs a file');
  if (args.config) process.env.CONFIG_FILE = args.config;

  switch (command) {
    case 'serve':
    case 'worker':
      return runService(command);
    case 'check-config':
      return checkConfig(args.config || process.env.CONFIG_FILE || DEFAULT_CONFIG_FILE);
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

async function checkConfig(file: string): Promise<number> {
  try {
    await loadConfigFile(file, pluginNames());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) console.error(formatProblem(problem));
    console.error(`${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in ${file}`);
    return 1;
  }
  console.log(`${file}: OK`);
  return 0;
}

async function runCommand(job: string | undefined, args: minimist.ParsedArgs): Promise<number> {
  if (!job) return usageError('run needs a job name');
  if (!args.repo) return usageError('run needs --repo OWNER/NAME');
  const pr = Number(args.pr);
  if (!Number.isInteger(pr) || pr < 1) return usageError('run needs --pr N, a PR (MR) number');
  const forge = args.forge ?? 'github';
  if (forge !== 'github' && forge !== 'gitlab') return usageError('--forge is github or gitlab');
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    const options = readEnv();
    const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
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
  // Credentials written by the GitHub App registration flow land in .env.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let options;
  try {
    options = readEnv();
  } catch (err) {
    if (err instanceof EnvError) return usageError(err.message);
    throw err;
  }
  const log = createLogger(options.logLevel);
  let service: { close(): Promise<void> };
  try {
    service = command === 'serve' ? await serve(options, log) : await runWorker(options, log);
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
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
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
