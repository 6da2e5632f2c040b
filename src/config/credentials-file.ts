// The GitHub App's credentials on disk: `$DATA_DIR/.env`, written by the registration pages and read
// at start. Written with mode 0600, atomically (a temporary file renamed over it), one line per
// variable without quotes and with the key's newlines as `\n`: the form that both Node's .env reader
// and `docker run --env-file` read to the same value.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { dataDirOf } from './env.js';

export const CREDENTIALS_FILE_NAME = '.env';

export const credentialsPath = (dataDir: string): string => join(dataDir, CREDENTIALS_FILE_NAME);

/**
 * Loads `$DATA_DIR/.env` into `env` if it exists; variables already set win over the file.
 * Returns the file loaded (if any) and warnings (a file others can read).
 */
export function loadCredentialsFile(env: NodeJS.ProcessEnv = process.env): { file?: string; warnings: string[] } {
  const file = credentialsPath(dataDirOf(env));
  if (!existsSync(file)) return { warnings: [] };
  const warnings: string[] = [];
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    warnings.push(`${file} holds secrets but other users may read it: chmod 600 ${file}`);
  }
  // Node's own .env parser, the one process.loadEnvFile uses.
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) env[key] ??= value;
  return { file, warnings };
}

/**
 * Why this process cannot write credentials into `dir` (created if missing, not its parents), or undefined if it
 * can. Tried for real with a probe file: permission bits do not tell (root, read-only mounts).
 */
export function unwritableReason(dir: string): string | undefined {
  const probe = join(dir, `.write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    ensureDirectory(dir);
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe);
    return undefined;
  } catch (err) {
    const uid = process.getuid?.();
    return `DATA_DIR ${dir} is not writable by this process${uid === undefined ? '' : ` (uid ${uid})`}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

/**
 * Sets `values` in `$dir/.env`, keeping the file's other lines; mode 0600. Returns the file.
 * Values must be single-line once newlines are written as `\n`.
 */
export function saveCredentials(dir: string, values: Record<string, string>): string {
  const file = credentialsPath(dir);
  const lines = existsSync(file) ? withoutAssignments(readFileSync(file, 'utf8'), Object.keys(values)) : [];
  for (const [key, value] of Object.entries(values)) {
    const line = value.replace(/\r?\n/g, '\\n');
    // Unquoted values end at a '#' (a comment) and lose surrounding spaces: refuse what would change.
    if (/[#"'`]|^\s|\s$/.test(line)) throw new Error(`${key} cannot be written to ${file} unquoted`);
    lines.push(`${key}=${line}`);
  }
  ensureDirectory(dir);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600); // the umask cannot widen 0600, but an odd filesystem might
    renameSync(temporary, file);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
  return file;
}

/**
 * Creates the directory itself if missing, not its parents: a DATA_DIR whose parent is missing is a
 * typo to report (and a recursive mkdir spins forever on some paths, such as under /proc).
 */
function ensureDirectory(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** The file's lines less those assigning `keys` (and the rest of a quoted multi-line value). */
function withoutAssignments(text: string, keys: string[]): string[] {
  const kept: string[] = [];
  let openQuote: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (openQuote) {
      if (line.includes(openQuote)) openQuote = undefined;
      continue;
    }
    const assignment = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (assignment && keys.includes(assignment[1]!)) {
      const value = assignment[2]!;
      const quote = /^["'`]/.exec(value)?.[0];
      if (quote && !value.slice(1).includes(quote)) openQuote = quote;
      continue;
    }
    kept.push(line);
  }
  while (kept.length > 0 && kept.at(-1) === '') kept.pop();
  return kept;
}
