// The configuration a running process uses, as one holder: consumers ask for the current one when
// they act (per event, per sync), and hear of a change when they keep something built from it
// (the runners, the sync period). A reload (SIGHUP, or the file changing) reads and checks the
// whole file again, environment included; an invalid one is logged problem by problem and the
// previous configuration stays in force.
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type ConfigProblem, formatProblem } from './config-problem.js';
import { parseConfig, readConfigText } from './load-config.js';
import type { RunnerEnvironment } from './runner-env.js';
import type { Config } from './schema.js';

export interface ConfigSource {
  /** the configuration in force now */
  current(): Config;
  /** `listener` is called with each configuration that replaces the current one; answers an unsubscribe */
  onChange(listener: (config: Config, previous: Config) => void): () => void;
}

/** A configuration that never changes (the embedded defaults, tests). */
export const fixedConfig = (config: Config): ConfigSource => ({ current: () => config, onChange: () => () => {} });

export type ReloadOutcome =
  | { outcome: 'reloaded' }
  /** the file changed back to what was last read: nothing to do */
  | { outcome: 'unchanged' }
  | { outcome: 'failed'; problems: ConfigProblem[] }
  /** running on the embedded defaults: there is no file to read */
  | { outcome: 'no-file' };

export interface FileConfigOptions {
  /** undefined: the embedded defaults */
  file?: string;
  knownPlugins: readonly string[];
  /** what the runners need; a configuration lacking any of it is refused, at start as on a reload */
  environment?: RunnerEnvironment;
  log: Logger;
}

/** How long the file must be quiet before a change is read: editors and deployments write in bursts. */
export const WATCH_DEBOUNCE_MS = 300;

export class FileConfigSource implements ConfigSource {
  #config: Config;
  /** the text last read, so a change event that changed nothing is not a reload */
  #text?: string;
  readonly #listeners = new Set<(config: Config, previous: Config) => void>();
  #reloading: Promise<ReloadOutcome> = Promise.resolve({ outcome: 'unchanged' });
  #watcher?: FSWatcher;
  #debounce?: NodeJS.Timeout;

  private constructor(
    private readonly options: FileConfigOptions,
    config: Config,
    text?: string,
  ) {
    this.#config = config;
    this.#text = text;
  }

  /** Reads and checks the file (or takes `fallback` when there is none). Throws ConfigError. */
  static async load(options: FileConfigOptions, fallback: () => Config): Promise<FileConfigSource> {
    if (!options.file) return new FileConfigSource(options, fallback());
    const text = await readConfigText(options.file);
    return new FileConfigSource(options, parseConfig(text, options.file, options.knownPlugins, options), text);
  }

  get file(): string | undefined {
    return this.options.file;
  }

  current(): Config {
    return this.#config;
  }

  onChange(listener: (config: Config, previous: Config) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the file again and puts it in force if it is valid; one reload at a time. */
  reload(reason: 'signal' | 'file changed'): Promise<ReloadOutcome> {
    const reloading = this.#reloading.catch(() => undefined).then(() => this.#reload(reason));
    this.#reloading = reloading;
    return reloading;
  }

  async #reload(reason: 'signal' | 'file changed'): Promise<ReloadOutcome> {
    const { file, log } = this.options;
    if (!file) {
      log.info('configuration reload: no configuration file (running on the embedded defaults), nothing to read');
      return { outcome: 'no-file' };
    }
    let next: Config;
    try {
      const text = await readConfigText(file);
      if (reason === 'file changed' && text === this.#text) return { outcome: 'unchanged' };
      this.#text = text;
      next = parseConfig(text, file, this.options.knownPlugins, this.options);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const problem of err.problems) log.error({ file, reason }, formatProblem(problem));
      log.error(
        { file, reason, problems: err.problems.length },
        `configuration reload failed: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in ${file}; keeping the previous one`,
      );
      return { outcome: 'failed', problems: err.problems };
    }
    const previous = this.#config;
    this.#config = next;
    for (const listener of this.#listeners) {
      try {
        listener(next, previous);
      } catch (err) {
        log.error({ err, file }, 'configuration reload: a part of the bot could not take the new configuration');
      }
    }
    log.info({ file, reason }, 'configuration reloaded');
    return { outcome: 'reloaded' };
  }

  /**
   * Reloads when the file changes. The directory is watched, not the file: editors replace a file
   * by renaming another over it, and Kubernetes swaps a ConfigMap's files by a symbolic link.
   */
  watch(debounceMs = WATCH_DEBOUNCE_MS): void {
    const { file, log } = this.options;
    if (!file || this.#watcher) return;
    const name = basename(file);
    try {
      this.#watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
        if (changed && changed !== name && !changed.startsWith('..')) return;
        clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => {
          this.reload('file changed').catch((err: unknown) => log.error({ err, file }, 'configuration reload failed'));
        }, debounceMs);
      });
      this.#watcher.on('error', (err) => log.warn({ err, file }, 'configuration file: watching stopped (SIGHUP still reloads)'));
    } catch (err) {
      log.warn({ err, file }, 'configuration file: cannot watch it for changes (SIGHUP still reloads)');
    }
  }

  /** Stops watching; waits for a reload in progress. */
  async close(): Promise<void> {
    clearTimeout(this.#debounce);
    this.#watcher?.close();
    this.#watcher = undefined;
    await this.#reloading.catch(() => {});
  }
}
