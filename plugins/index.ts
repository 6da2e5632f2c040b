// The plugin registry: every plugin the bot ships, by name. Config enables them per repository.
import type { Plugin } from '../src/core/plugin.js';
import help from './help/index.js';
import hold from './hold/index.js';

export const allPlugins: readonly Plugin[] = [help, hold];

export const pluginNames = (): string[] => allPlugins.map((p) => p.name);
