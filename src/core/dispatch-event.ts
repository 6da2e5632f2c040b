// Runs one normalized event through the plugins enabled on its repo. Each plugin runs in isolation:
// one that throws is logged (with the delivery id) and counted, and the others still run.
import type { Logger } from 'pino';
import type { RepoConfig } from '../config/schema.js';
import { type Change, type ChangeRef, type Forge, normLogin } from '../forge/types.js';
import type { CiJobs } from '../jobs/ci-jobs.js';
import type { OwnersResolver } from '../owners/index.js';
import { type ParsedCommand, parseCommands } from './commands.js';
import type { CommentEvent, NormalizedEvent, ReviewEvent } from './events.js';
import { formatReply } from './format-reply.js';
import { type CommandContext, commandMatches, commandNames, type Plugin, type PluginContext } from './plugin.js';

export interface DispatchDeps {
  forge: Forge;
  config: RepoConfig;
  /** every registered plugin; the config picks the enabled ones */
  plugins: readonly Plugin[];
  owners: OwnersResolver;
  ci: CiJobs;
  log: Logger;
  /** called with each plugin's outcome and duration, for metrics */
  observe?(plugin: string, outcome: 'ok' | 'error', seconds: number): void;
}

type CommandEvent = CommentEvent | ReviewEvent;

export async function dispatchEvent(event: NormalizedEvent, deps: DispatchDeps): Promise<void> {
  const enabled = deps.plugins.filter((p) => deps.config.plugins.includes(p.name));
  const changeRef: ChangeRef | undefined = 'change' in event ? { repo: event.repo, number: event.change.number } : undefined;
  let changePromise: Promise<Change> | undefined;
  const commands = await commandsOf(event, deps.forge);
  const base = {
    event,
    commands,
    forge: deps.forge,
    config: deps.config,
    owners: deps.owners,
    ci: deps.ci,
    enabledPlugins: enabled,
    changeRef,
    change: () => {
      if (!changeRef) return Promise.reject(new Error(`a ${event.kind} event is not about a change`));
      return (changePromise ??= deps.forge.getChange(changeRef));
    },
    reply: async (message: string) => {
      if (!changeRef || (event.kind !== 'comment' && event.kind !== 'review')) {
        throw new Error(`cannot reply to a ${event.kind} event`);
      }
      await deps.forge.createComment(changeRef, formatReply(event, message));
    },
  };
  const log = deps.log.child({ delivery: event.deliveryId, event: event.kind, repo: `${event.repo.owner}/${event.repo.name}` });

  await Promise.all(
    enabled.map(async (plugin) => {
      const ctx: PluginContext = { ...base, log: log.child({ plugin: plugin.name }) };
      const started = performance.now();
      try {
        await plugin.handle?.(ctx);
        for (const command of commands) {
          const spec = plugin.commands.find((c) => commandMatches(c, command.name));
          if (spec?.run) await spec.run({ ...ctx, event: event as CommandEvent, changeRef: changeRef!, command } as CommandContext);
        }
        deps.observe?.(plugin.name, 'ok', (performance.now() - started) / 1000);
      } catch (err) {
        ctx.log.error({ err }, `plugin ${plugin.name} failed`);
        deps.observe?.(plugin.name, 'error', (performance.now() - started) / 1000);
      }
    }),
  );

  const unknown = commands.filter((c) => !enabled.some((p) => p.commands.some((spec) => commandMatches(spec, c.name))));
  if (unknown.length > 0 && deps.config.replyToUnknownCommands) {
    try {
      await base.reply(unknownCommandsMessage(unknown, enabled, deps.plugins));
    } catch (err) {
      log.error({ err }, 'could not answer an unknown command');
    }
  }
}

/** Commands only come from newly written comments and reviews, never edits, never bots. */
async function commandsOf(event: NormalizedEvent, forge: Forge): Promise<ParsedCommand[]> {
  let body: string;
  if (event.kind === 'comment' && event.action === 'created') body = event.comment.body;
  else if (event.kind === 'review' && event.action !== 'dismissed') body = event.review.body;
  else return [];
  const commands = parseCommands(body);
  if (commands.length === 0 || event.sender.isBot) return [];
  if (normLogin(event.sender.login) === normLogin(await forge.botLogin())) return [];
  return commands;
}

function unknownCommandsMessage(unknown: ParsedCommand[], enabled: readonly Plugin[], all: readonly Plugin[]): string {
  const lines = unknown.map((c) => {
    const owner = all.find((p) => p.commands.some((spec) => commandMatches(spec, c.name)));
    return owner
      ? `- \`/${c.name}\` belongs to the \`${owner.name}\` plugin, which is not enabled on this repository.`
      : `- \`/${c.name}\` is not a command I know.`;
  });
  const known = enabled.flatMap((p) => p.commands.map((spec) => `\`/${commandNames(spec)[0]}\``));
  return [
    'I did not act on these commands:',
    ...lines,
    '',
    known.length === 0
      ? 'No plugin with commands is enabled on this repository.'
      : `Commands available here: ${known.join(', ')}.${enabled.some((p) => p.name === 'help') ? ' Comment `/help` for details.' : ''}`,
  ].join('\n');
}
