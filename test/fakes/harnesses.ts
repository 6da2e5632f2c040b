// The Forge implementations the conformance suite runs against. Each harness starts a fresh
// ForgeState and a Forge in front of it (over HTTP where the forge is real).

import type { Forge, RepoRef } from '../../src/forge/types.js';
import { ForgeState } from './forge-state.js';
import { githubHarness } from './github-harness.js';
import { gitlabHarness } from './gitlab-harness.js';
import { MemoryForge } from './memory-forge.js';

export interface ForgeHarnessInstance {
  forge: Forge;
  state: ForgeState;
  repo: RepoRef;
  close(): Promise<void>;
}

export interface ForgeHarness {
  name: string;
  /** false where the forge has no "changes requested" review state (GitLab) */
  reviewsKeepChangesRequested: boolean;
  start(): Promise<ForgeHarnessInstance>;
}

const memory: ForgeHarness = {
  name: 'in-memory fake',
  reviewsKeepChangesRequested: true,
  async start() {
    const state = new ForgeState();
    return {
      forge: new MemoryForge(state),
      state,
      repo: { forge: 'github', owner: 'acme', name: 'widgets' },
      close: async () => {},
    };
  },
};

export const forgeHarnesses: ForgeHarness[] = [memory, githubHarness, gitlabHarness];
