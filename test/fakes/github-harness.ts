// The GitHub adapter over the fake GitHub API, for the conformance suite.
import { ForgeOctokit } from '../../src/forge/github/forge-octokit.js';
import { GitHubForge } from '../../src/forge/github/github-forge.js';
import { ForgeState } from './forge-state.js';
import { startGitHubApi } from './github-api.js';
import type { ForgeHarness } from './harnesses.js';

export const githubHarness: ForgeHarness = {
  name: 'GitHub adapter over the fake GitHub API',
  reviewsKeepChangesRequested: true,
  async start() {
    const state = new ForgeState();
    const api = await startGitHubApi(state);
    // The App's Octokit class, with a token instead of app credentials (Probot's auth strategy then
    // sends it as-is) and without GitHub's one-second spacing of writes.
    const octokit = new ForgeOctokit({ auth: { token: 'test' }, baseUrl: api.url, requestPolicy: { writeSpacingMs: 0 } });
    return {
      forge: new GitHubForge(octokit, { botLogin: async () => state.botLogin }),
      state,
      repo: { forge: 'github', owner: 'acme', name: 'widgets' },
      close: () => api.close(),
    };
  },
};
