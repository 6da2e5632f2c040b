// The environment, read once at the edge into typed options (Probot's convention). Credentials
// come only from here, never from the config file.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  return {
    github: readGitHub(env),
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
  };
}

function readPublicUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.PUBLIC_URL) return undefined;
  let url: URL;
  try {
    url = new URL(env.PUBLIC_URL);
  } catch {
    throw new EnvError(`PUBLIC_URL must be an http(s) URL, got "${env.PUBLIC_URL}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EnvError(`PUBLIC_URL must be an http(s) URL, got "${env.PUBLIC_URL}"`);
  return env.PUBLIC_URL.replace(/\/+$/, '');
}

function readCount(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const value = env[name] ? Number(env[name]) : fallback;
  if (!Number.isInteger(value) || value < min) throw new EnvError(`${name} must be a whole number of at least ${min}, got "${env[name]}"`);
  return value;
}

function readGitHub(env: NodeJS.ProcessEnv): GitHubOptions | undefined {
  const privateKey = readPrivateKey(env);
  if (!env.APP_ID && !privateKey) return undefined;
  if (!env.APP_ID) throw new EnvError('PRIVATE_KEY is set but APP_ID is not: set both, or neither to register a new app');
  if (!privateKey) throw new EnvError('APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is');
  // Never accept unsigned GitHub webhooks: no secret, no start.
  if (!env.WEBHOOK_SECRET) throw new EnvError('APP_ID is set but WEBHOOK_SECRET is not: webhooks could not be verified');
  const baseUrl = env.GHE_HOST
    ? `${env.GHE_PROTOCOL || 'https'}://${env.GHE_HOST}/api/v3`
    : 'https://api.github.com';
  return { appId: env.APP_ID, privateKey, webhookSecret: env.WEBHOOK_SECRET, baseUrl };
}

/** PRIVATE_KEY (PEM, escaped newlines or base64) or the file at PRIVATE_KEY_PATH. */
function readPrivateKey(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PRIVATE_KEY) {
    const key = env.PRIVATE_KEY.replace(/\\n/g, '\n');
    if (key.includes('-----BEGIN')) return key;
    const decoded = Buffer.from(key, 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) return decoded;
    throw new EnvError('PRIVATE_KEY is neither a PEM key nor a base64-encoded one');
  }
  if (env.PRIVATE_KEY_PATH) {
    try {
      return readFileSync(env.PRIVATE_KEY_PATH, 'utf8');
    } catch (err) {
      throw new EnvError(`cannot read PRIVATE_KEY_PATH ${env.PRIVATE_KEY_PATH}: ${(err as Error).message}`);
    }
  }
  return undefined;
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
