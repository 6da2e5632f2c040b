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

const USAGE = `Usage: ci-orchestrator <command> [--config FILE]

Commands:
  serve          start the HTTP server (GitHub and GitLab webhooks) and queue workers
  worker         process queued work from Redis (REDIS_URL), without an HTTP server
  check-config   validate the configuration file and print every problem
  help           print this help

Options:
  --config FILE  configuration file (default: $CONFIG_FILE, else ${DEFAULT_CONFIG_FILE} if present)
  -h, --help     print this help

Environment: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, GHE_HOST, GHE_PROTOCOL,
GITLAB_URL, GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET, REDIS_URL, REDIS_PREFIX, PORT, HOST, LOG_LEVEL, CONFIG_FILE.
See README.md and docs/configuration.md.`;

/** Shutdown waits this long for work in flight, then exits anyway. */
const SHUTDOWN_DEADLINE_MS = 25_000;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  let args: minimist.ParsedArgs;
  try {
    args = minimist(argv, {
      string: ['config'],
      boolean: ['help'],
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
  if (rest.length > 0) return usageError(`unexpected argument ${rest[0]}`);
  if (args.config === '') return usageError('--config needs a file');
  if (args.config) process.env.CONFIG_FILE = args.config;

  switch (command) {
    case 'serve':
    case 'worker':
      return runService(command);
    case 'check-config':
      return checkConfig(args.config || process.env.CONFIG_FILE || DEFAULT_CONFIG_FILE);
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
