// Runs events through the real dispatcher over an in-memory forge, capturing logs.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { dispatchEvent } from '../../src/core/dispatch-event.js';
import type { NormalizedEvent } from '../../src/core/events.js';
import type { Plugin } from '../../src/core/plugin.js';
import { allPlugins } from '../../plugins/index.js';
import { ForgeState } from '../fakes/forge-state.js';
import { MemoryForge } from '../fakes/memory-forge.js';

export function createDispatchRig(options: { plugins?: readonly Plugin[]; enabled?: string[]; replyToUnknownCommands?: boolean } = {}) {
  const state = new ForgeState();
  state.addChange('acme/widgets', { number: 7, author: 'alice' });
  const forge = new MemoryForge(state);
  const logs: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, new Writable({
    write(chunk, _enc, done) {
      logs.push(JSON.parse(chunk.toString()));
      done();
    },
  }));
  const plugins = options.plugins ?? allPlugins;
  const observed: Array<[string, string]> = [];
  const dispatch = (event: NormalizedEvent) => dispatchEvent(event, {
    forge, plugins, log,
    config: { plugins: options.enabled ?? plugins.map((p) => p.name), replyToUnknownCommands: options.replyToUnknownCommands ?? true },
    observe: (plugin, outcome) => observed.push([plugin, outcome]),
  });
  return {
    state, forge, logs, observed, dispatch,
    labels: () => state.change('acme/widgets', 7).labels,
    comments: () => state.comments('acme/widgets', 7).map((c) => c.body),
  };
}
