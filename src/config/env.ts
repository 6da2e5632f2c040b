// The environment, read once at the edge into typed options (Probot's convention). Credentials
// come only from here, never from the config file.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface GitHubOptions {
  appId: string;
  privateKey: string;
  webhookSecret: string;
  /** https://api.github.com, or GHE_PROTOCOL://GHE_HOST/api/v3 */
  baseUrl: string;
}

export interface GitLabOptions {
  url: string;
  token: string;
  webhookSecret: string;
}

export interface Options {
  /** undefined: no App credentials; the server offers the registration page instead */
  github?: GitHubOptions;
  gitlab?: GitLabOptions;
  redisUrl?: string;
  /** key prefix in Redis, so several deployments can share one server */
  redisPrefix: string;
  port: number;
  host?: string;
  logLevel: string;
  /** undefined: the default config.yaml if it exists, else the embedded defaults */
  configFile?: string;
  /** where runners reach this server (callback URLs, log links); undefined: this server's own address */
  publicUrl?: string;
  /** where `command` jobs keep git mirrors and worktrees */
  workDir: string;
  /** `command` jobs this process runs at once; 0: none (leave them to workers) */
  commandConcurrency: number;
  /** how long a worker's hold on a task lasts unrenewed: a dead worker's task is taken over after it */
  workerLockMs: number;
  /** where the GitHub App registration writes its credentials (`.env`), read back at start; absolute */
  dataDir: string;
  /** GitHub's web and API addresses (github.com, or GHE_HOST), known even before the App is registered */
  githubWebUrl: string;
  githubApiUrl: string;
  /** GH_ORG: register the App under this organization rather than the user's account */
  githubOrg?: string;
  /** problems worth a warning that did not stop the start (logged once the logger exists) */
  warnings: string[];
}

export class EnvError extends Error {
  override name = 'EnvError';
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function readEnv(env: NodeJS.ProcessEnv = process.env): Options {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EnvError(`PORT must be a port number, got "${env.PORT}"`);
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new EnvError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const warnings: string[] = [];
  return {
    github: readGitHub(env, warnings),
    gitlab: readGitLab(env),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX || 'ci-orchestrator',
    port,
    host: env.HOST || undefined,
    logLevel,
    configFile: env.CONFIG_FILE || undefined,
    publicUrl: readPublicUrl(env),
    workDir: env.WORK_DIR || join(tmpdir(), 'ci-orchestrator-work'),
    commandConcurrency: readCount(env, 'COMMAND_CONCURRENCY', 2, 0),
    workerLockMs: readCount(env, 'WORKER_LOCK_SECONDS', 30, 1) * 1000,
    dataDir: dataDirOf(env),
    githubWebUrl: githubWebUrl(env),
    githubApiUrl: githubApiUrl(env),
    githubOrg: env.GH_ORG || undefined,
    warnings,
  };
}

/** DATA_DIR, else the working directory (where `npm start` has always kept `.env`). */
export function dataDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DATA_DIR || process.cwd());
}

export function githubWebUrl(env: NodeJS.ProcessEnv): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL || 'https'}://${env.GHE_HOST}` : 'https://github.com';
}

export function githubApiUrl(env: NodeJS.ProcessEnv): string {
  return env.GHE_HOST ? `${githubWebUrl(env)}/api/v3` : 'https://api.github.com';
}

function readPublicUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.PUBLIC_URL) return undefined;
  let url: URL;
  try {
    url = new URL(env.PUBLIC_URL);
  } catch {
    throw new EnvError(`PUBLIC_URL must be an http(s) URL, got "${env.PUBLIC_URL}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new EnvError(`PUBLIC_URL must be an http(s) URL, got "${env.PUBLIC_URL}"`);
  return env.PUBLIC_URL.replace(/\/+$/, '');
}

function readCount(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const value = env[name] ? Number(env[name]) : fallback;
  if (!Number.isInteger(value) || value < min) throw new EnvError(`${name} must be a whole number of at least ${min}, got "${env[name]}"`);
  return value;
}

function readGitHub(env: NodeJS.ProcessEnv, warnings: string[]): GitHubOptions | undefined {
  const appId = unquote('APP_ID', env.APP_ID, warnings);
  const keyVariable = env.PRIVATE_KEY ? 'PRIVATE_KEY' : env.PRIVATE_KEY_PATH ? 'PRIVATE_KEY_PATH' : undefined;
  if (!appId && !keyVariable) return undefined;
  if (!appId) throw new EnvError(`${keyVariable} is set but APP_ID is not: set both, or neither to register a new app`);
  if (!keyVariable) throw new EnvError('APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is');
  if (!/^\d+$/.test(appId)) throw new EnvError(`APP_ID must be the App's numeric id (shown on its settings page), got "${appId}"`);
  // Never accept unsigned GitHub webhooks: no secret, no start.
  const webhookSecret = unquote('WEBHOOK_SECRET', env.WEBHOOK_SECRET, warnings);
  if (!webhookSecret) throw new EnvError('APP_ID is set but WEBHOOK_SECRET is not: webhooks could not be verified');
  const privateKey = readPrivateKey(env, warnings);
  return { appId, privateKey, webhookSecret, baseUrl: githubApiUrl(env) };
}

/**
 * A value wrapped in matching quotes loses them, with a warning: `docker run --env-file` keeps
 * quotes as part of the value, where dotenv readers strip them.
 */
function unquote(name: string, value: string | undefined, warnings: string[]): string | undefined {
  if (value === undefined) return undefined;
  const quoted = /^(["'])([\s\S]*)\1$/.exec(value.trim());
  if (!quoted) return value;
  warnings.push(
    `${name} is wrapped in quotes (docker --env-file keeps quotes as part of the value); using it without them: remove them from the env file`,
  );
  return quoted[2]!;
}

/**
 * PRIVATE_KEY (PEM with real newlines or `\n` escapes, or base64 of the PEM) or the file at
 * PRIVATE_KEY_PATH, checked with crypto.createPrivateKey so a bad key stops the start rather than
 * failing every GitHub call later. Messages describe the key's shape, never its content.
 */
export function readPrivateKey(env: NodeJS.ProcessEnv, warnings: string[] = []): string {
  if (env.PRIVATE_KEY) return parsePrivateKey(unquote('PRIVATE_KEY', env.PRIVATE_KEY, warnings)!, 'PRIVATE_KEY');
  const path = unquote('PRIVATE_KEY_PATH', env.PRIVATE_KEY_PATH, warnings)?.trim();
  if (!path) throw new EnvError('neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EnvError(`cannot read PRIVATE_KEY_PATH ${path}: ${(err as Error).message}`);
  }
  return parsePrivateKey(text, `the file at PRIVATE_KEY_PATH (${path})`);
}

/** `what` names the source in messages ("PRIVATE_KEY", "the file at PRIVATE_KEY_PATH (...)"). */
export function parsePrivateKey(text: string, what: string): string {
  const value = text.trim();
  if (/^(["'])[\s\S]*\1$/.test(value)) throw new EnvError(`${what} is wrapped in quotes: remove them`);
  if (/^["']/.test(value)) {
    throw new EnvError(
      `${what} starts with a quote but does not end with one: a multi-line value was cut at its first line (docker --env-file reads one line per variable); write the key on one line with \\n between its lines, or use PRIVATE_KEY_PATH`,
    );
  }
  let pem = value.includes('\\n') ? value.replace(/(?:\\r)?\\n/g, '\n') : value;
  if (!pem.includes('-----BEGIN')) {
    const decoded = /^[A-Za-z0-9+/=\s]+$/.test(pem) ? Buffer.from(pem, 'base64').toString('utf8') : '';
    if (!decoded.includes('-----BEGIN')) {
      throw new EnvError(
        `${what} is neither a PEM private key ("-----BEGIN RSA PRIVATE KEY-----" ...) nor a base64-encoded one: give the .pem file GitHub issued`,
      );
    }
    pem = decoded;
  }
  if (/-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(pem))
    throw new EnvError(`${what} is a public key: give the App's private key (the .pem file GitHub issued)`);
  if (!pem.includes('-----END')) {
    throw new EnvError(
      `${what} has no "-----END ... PRIVATE KEY-----" line: the value was cut at its first line (docker --env-file and some env files take one line per variable); write the key on one line with \\n between its lines, or use PRIVATE_KEY_PATH`,
    );
  }
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch (err) {
    const reason = (err as Error).message;
    const lines = /-----BEGIN[^\n]*-----\n/.test(pem) ? '' : ' (its line breaks are missing: keep them as real newlines or \\n)';
    throw new EnvError(`${what} is not a valid private key${lines}: ${reason}`);
  }
  if (type !== 'rsa') throw new EnvError(`${what} is a ${type ?? 'unknown'} key; GitHub App keys are RSA`);
  return `${pem.trim()}\n`;
}

function readGitLab(env: NodeJS.ProcessEnv): GitLabOptions | undefined {
  if (!env.GITLAB_TOKEN) return undefined;
  if (!env.GITLAB_WEBHOOK_SECRET) {
    throw new EnvError('GITLAB_TOKEN is set but GITLAB_WEBHOOK_SECRET is not: GitLab webhooks could not be verified');
  }
  return {
    url: (env.GITLAB_URL || 'https://gitlab.com').replace(/\/+$/, ''),
    token: env.GITLAB_TOKEN,
    webhookSecret: env.GITLAB_WEBHOOK_SECRET,
  };
}
