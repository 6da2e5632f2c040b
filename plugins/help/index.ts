// help: answers /help with the commands of the plugins enabled on this repository, generated from
// their declarations so it can never disagree with what the bot does.
import { commandNames, definePlugin, type Plugin } from '../../src/core/plugin.js';

export function renderHelp(plugins: readonly Plugin[]): string {
  const rows = plugins.flatMap((plugin) =>
    plugin.commands.map((spec) => {
      const usage = commandNames(spec)
        .map((n) => `\`/${n}${spec.args ? ` ${spec.args}` : ''}\``)
        .join(', ');
      const example = spec.example ? ` Example: \`${spec.example}\`` : '';
      return `| ${usage} | ${plugin.name} | ${spec.who} | ${spec.help}${example} |`;
    }),
  );
  return [
    'These commands work on this repository (one per line, at the start of a line):',
    '',
    '| Command | Plugin | Who can use it | What it does |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export default definePlugin({
  name: 'help',
  description: 'Lists the commands of the plugins enabled on this repository.',
  commands: [
    {
      name: 'help',
      who: 'Anyone',
      help: 'Replies with this list of commands.',
      example: '/help',
      run: (ctx) => ctx.reply(renderHelp(ctx.enabledPlugins)),
    },
  ],
});
