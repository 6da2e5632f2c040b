// The GitLab adapter over the fake GitLab API, for the conformance suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitLabForge } from '../../src/forge/gitlab/gitlab-forge.js';
import { ForgeState } from './forge-state.js';
import { startGitLabApi } from './gitlab-api.js';
import type { ForgeHarness } from './harnesses.js';

export const gitlabHarness: ForgeHarness = {
  name: 'GitLab adapter over the fake GitLab API',
  reviewsKeepChangesRequested: false,
  async start() {
    const state = new ForgeState();
    const api = await startGitLabApi(state);
    const gitCacheDir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-git-cache-'));
    return {
      forge: new GitLabForge({ host: api.url, token: 'test', gitCacheDir }),
      state,
      repo: { forge: 'gitlab', owner: 'acme', name: 'widgets' },
      close: async () => {
        await api.close();
        rmSync(gitCacheDir, { recursive: true, force: true });
      },
    };
  },
};
