// Starts the real server as a user does (the `npm start` command, with environment variables) and
// reads its JSON log to learn the port.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PATIENCE_MS } from './wait.js';

/** package.json's scripts, run through `exec` so signals reach the process itself, not npm. */
const SCRIPTS = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

export interface ServerProcess {
  url: string;
  /** every JSON log line so far */
  logs: Array<Record<string, unknown>>;
  child: ChildProcess;
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>;
}

export const testPrivateKey = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

/** Runs `npm start` (or another npm script) and waits for the log line that says it is ready. */
export async function startServerProcess(env: Record<string, string>, script = 'start', ready = /^listening/): Promise<ServerProcess> {
  return startProcess(SCRIPTS[script]!, env, ready);
}

/** Runs a shell command line (as a unit file or a container would) and waits for its ready log line. */
export async function startProcess(command: string, env: Record<string, string>, ready = /^listening/): Promise<ServerProcess> {
  // A WORK_DIR of its own: the default is shared by every process on the machine, other test files' included.
  const workDir = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-e2e-work-')), 'work');
  const child = spawn('sh', ['-c', `exec ${command}`], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', WORK_DIR: workDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  let buffered = '';
  const url = await new Promise<string>((resolve, reject) => {
    // Only a hang guard: a busy machine may take many seconds to start it.
    const timer = setTimeout(() => reject(new Error(`${command} did not start in ${PATIENCE_MS / 1000} s\n${stderr}`)), PATIENCE_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (ready.test(String(entry.msg))) {
            clearTimeout(timer);
            resolve(typeof entry.url === 'string' ? entry.url.replace('localhost', '127.0.0.1') : '');
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready\n${stderr}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    logs,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export { waitFor } from './wait.js';
