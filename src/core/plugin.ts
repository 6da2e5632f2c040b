// What a plugin is. A plugin is a declaration: its commands' help, /help, usage errors and dispatch
// all come from the same `commands` list (Lighthouse's model). Plugins see the forge only through
// the Forge interface, never a forge SDK.
import type { Logger } from 'pino';
import type { RepoConfig } from '../config/schema.js';
import type { Change, ChangeRef, Forge } from '../forge/types.js';
import type { CiJobs } from '../jobs/ci-jobs.js';
import type { OwnersResolver } from '../owners/index.js';
import type { ParsedCommand } from './commands.js';
import type { CommentEvent, NormalizedEvent, ReviewEvent } from './events.js';

export interface PluginContext {
  event: NormalizedEvent;
  forge: Forge;
  config: RepoConfig;
  /** bound to the delivery id and the plugin name */
  log: Logger;
  /** OWNERS files, read from a base-branch sha and cached */
  owners: OwnersResolver;
  /** starts and aborts CI runs */
  ci: CiJobs;
  /** the plugins enabled on this repo, for /help */
  enabledPlugins: readonly Plugin[];
  /**
   * The commands of this event's comment or review body, as the dispatcher accepts them (created,
   * not edited; not from a bot or the bot itself); empty for every other event.
   */
  commands: readonly ParsedCommand[];
  /** the change the event is about, when it is about one */
  changeRef?: ChangeRef;
  /** the change as the forge has it now, fetched once per event */
  change(): Promise<Change>;
  /** comments on the change, mentioning the commenter and quoting the command (Prow's format) */
  reply(message: string): Promise<void>;
}

export interface CommandContext extends PluginContext {
  event: CommentEvent | ReviewEvent;
  changeRef: ChangeRef;
  command: ParsedCommand;
}

export interface CommandSpec {
  /** the command word, or several synonyms; matched case-insensitively unless caseSensitive */
  name: string | string[];
  /** argument synopsis for help, e.g. "[cancel]" */
  args?: string;
  /** who may use it, as help shows it */
  who: string;
  help: string;
  example?: string;
  caseSensitive?: boolean;
  /**
   * Acts on one command. Absent when the plugin's handle() acts on the whole comment instead (the
   * approve plugin recomputes from all comments); the declaration still feeds /help.
   */
  run?(ctx: CommandContext): Promise<void>;
}

export interface Plugin {
  /** lower-case id used in config */
  name: string;
  description: string;
  commands: CommandSpec[];
  /** reacts to events other than commands (pull_request, push, status, ...) */
  handle?(ctx: PluginContext): Promise<void>;
}

/** Identity, for type inference at the declaration site. */
export const definePlugin = (plugin: Plugin): Plugin => plugin;

export const commandNames = (spec: CommandSpec): string[] => (Array.isArray(spec.name) ? spec.name : [spec.name]);

export function commandMatches(spec: CommandSpec, name: string): boolean {
  return commandNames(spec).some((n) => (spec.caseSensitive ? n === name : n.toLowerCase() === name.toLowerCase()));
}
