// The plugin registry: every plugin the bot ships, by name. Config enables them per repository.
import type { Plugin } from '../src/core/plugin.js';
import approve from './approve/index.js';
import help from './help/index.js';
import hold from './hold/index.js';
import lgtm from './lgtm/index.js';
import trigger from './trigger/index.js';

export const allPlugins: readonly Plugin[] = [approve, help, hold, lgtm, trigger];

export const pluginNames = (): string[] => allPlugins.map((p) => p.name);
