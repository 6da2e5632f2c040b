// Runs events through the real dispatcher over an in-memory forge, capturing logs.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { allPlugins } from '../../plugins/index.js';
import { repoEntrySchema } from '../../src/config/schema.js';
import { dispatchEvent } from '../../src/core/dispatch-event.js';
import type { NormalizedEvent } from '../../src/core/events.js';
import type { Plugin } from '../../src/core/plugin.js';
import type { ForgeKind } from '../../src/forge/types.js';
import { OwnersResolver } from '../../src/owners/index.js';
import { ForgeState } from '../fakes/forge-state.js';
import { MemoryForge } from '../fakes/memory-forge.js';
import { RecordingCi } from '../fakes/recording-ci.js';

export interface RigOptions {
  plugins?: readonly Plugin[];
  enabled?: string[];
  replyToUnknownCommands?: boolean;
  /** the repo entry's plugin blocks, as in the config file (approve:, lgtm:, owners:) */
  entry?: Record<string, unknown>;
  /** which forge the in-memory fake plays */
  forge?: ForgeKind;
}

export function createDispatchRig(options: RigOptions = {}) {
  const state = new ForgeState();
  state.addChange('acme/widgets', { number: 7, author: 'alice' });
  const forge = new MemoryForge(state, options.forge);
  const logs: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        logs.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  const plugins = options.plugins ?? allPlugins;
  const observed: Array<[string, string]> = [];
  const owners = new OwnersResolver();
  const ci = new RecordingCi();
  const dispatch = (event: NormalizedEvent) =>
    dispatchEvent(event, {
      forge,
      plugins,
      log,
      owners,
      ci,
      config: {
        ...repoEntrySchema.parse({ plugins: options.enabled ?? plugins.map((p) => p.name), ...options.entry }),
        replyToUnknownCommands: options.replyToUnknownCommands ?? true,
      },
      observe: (plugin, outcome) => observed.push([plugin, outcome]),
    });
  return {
    state,
    forge,
    owners,
    ci,
    logs,
    observed,
    dispatch,
    labels: () => state.change('acme/widgets', 7).labels,
    comments: () => state.comments('acme/widgets', 7).map((c) => c.body),
  };
}
