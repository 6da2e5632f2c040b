// A commit's tree hash, which GitLab's API does not expose, read with git itself: the commit object
// alone is fetched (depth 1, no trees or blobs) into a bare repository kept per project, and its
// first line names the tree. The token travels in an HTTP header set through the environment, so it
// appears in neither the command line nor the repository's config.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;
const FETCH_TIMEOUT_MS = 60_000;
/** tree hashes remembered (a commit's tree never changes) */
const MAX_KNOWN = 10_000;

export class GitTreeHashes {
  readonly #cacheDir: string;
  readonly #env: NodeJS.ProcessEnv;
  /** repo dir -> the tail of its chain of git operations (git locks a repo during a fetch) */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #known = new Map<string, string>();

  constructor(options: { token: string; cacheDir?: string }) {
    this.#cacheDir = options.cacheDir ?? join(tmpdir(), 'ci-orchestrator-git');
    const basic = Buffer.from(`oauth2:${options.token}`).toString('base64');
    this.#env = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    };
  }

  async treeHash(cloneUrl: string, sha: string): Promise<string> {
    if (!SHA.test(sha)) throw new Error(`not a commit sha: "${sha}"`);
    const known = this.#known.get(sha);
    if (known) return known;
    const dir = join(this.#cacheDir, createHash('sha256').update(cloneUrl).digest('hex').slice(0, 16));
    const tree = await this.#serially(dir, async () => {
      await mkdir(dir, { recursive: true });
      await this.#git(dir, ['init', '--quiet', '--bare']);
      const present = await this.#git(dir, ['cat-file', '-t', sha]).then(
        (type) => type.trim() === 'commit',
        () => false,
      );
      if (!present) {
        await this.#git(dir, ['fetch', '--quiet', '--no-tags', '--depth=1', '--filter=tree:0', cloneUrl, sha]);
      }
      const commit = await this.#git(dir, ['cat-file', 'commit', sha]);
      const match = /^tree ([0-9a-f]+)$/m.exec(commit);
      if (!match) throw new Error(`commit ${sha} names no tree`);
      return match[1]!;
    });
    this.#known.set(sha, tree);
    if (this.#known.size > MAX_KNOWN) this.#known.delete(this.#known.keys().next().value!);
    return tree;
  }

  async #git(dir: string, args: string[]): Promise<string> {
    const { stdout } = await run('git', ['-C', dir, ...args], { env: this.#env, timeout: FETCH_TIMEOUT_MS });
    return stdout;
  }

  #serially<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.#queues.get(dir) ?? Promise.resolve()).then(fn, fn);
    this.#queues.set(
      dir,
      next.catch(() => {}),
    );
    return next;
  }
}
