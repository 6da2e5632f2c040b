// Gives the Forge to act on for an event: on GitHub an adapter authenticated as the App's
// installation the event came from, on GitLab the adapter for the configured instance.
import type { Probot } from 'probot';
import type { GitLabOptions } from '../config/env.js';
import type { NormalizedEvent } from '../core/events.js';
import { GitHubForge } from './github/github-forge.js';
import { GitLabForge } from './gitlab/gitlab-forge.js';
import type { Forge, RepoRef } from './types.js';

export interface ForgeProvider {
  forEvent(event: NormalizedEvent): Promise<Forge>;
  /** The forge for a repo; on GitHub through the installation that covers it. */
  forRepo(repo: RepoRef, installationId?: number): Promise<Forge>;
}

export function createForgeProvider(options: { probot?: Probot; gitlab?: GitLabOptions }): ForgeProvider {
  const { probot, gitlab } = options;
  const githubForges = new Map<number, Promise<GitHubForge>>();
  let githubLogin: Promise<string> | undefined;
  // The App's own login ("<slug>[bot]"), asked once with the App's JWT.
  const botLogin = () =>
    (githubLogin ??= probot!
      .auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then(({ data }) => `${data?.slug}[bot]`)
      .catch((err) => {
        githubLogin = undefined;
        throw err;
      }));
  const gitlabForge = gitlab ? new GitLabForge({ host: gitlab.url, token: gitlab.token }) : undefined;

  return {
    forEvent(event) {
      return this.forRepo(event.repo, event.installationId);
    },
    async forRepo(repo, installation) {
      if (repo.forge === 'gitlab') {
        if (!gitlabForge) throw new Error('GitLab is needed but GITLAB_TOKEN is not set');
        return gitlabForge;
      }
      if (!probot) throw new Error('GitHub is needed but the GitHub App is not configured');
      if (installation === undefined) throw new Error(`no GitHub App installation is known for ${repo.owner}/${repo.name}`);
      let forge = githubForges.get(installation);
      if (!forge) {
        // Installation tokens are refreshed by Probot's Octokit as they expire, so one per installation lasts.
        forge = probot.auth(installation).then((octokit) => new GitHubForge(octokit, { botLogin }));
        forge.catch(() => githubForges.delete(installation));
        githubForges.set(installation, forge);
      }
      return forge;
    },
  };
}
