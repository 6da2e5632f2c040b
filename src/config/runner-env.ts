// What the runners need from the process environment: the variables their `*_env` keys name, a
// GitLab instance, the GitHub App. One check, used by check-config, by serve and worker at start
// and on a reload, and by createRunners itself, so that none of them can accept what another
// refuses.
import type { Options } from './env.js';
import type { RunnerConfig } from './jobs-schema.js';
import type { PathProblem } from './validate-jobs.js';

export interface RunnerEnvironment {
  env: NodeJS.ProcessEnv;
  /**
   * whether the GitHub App is configured (github-actions runners dispatch through it), and GitLab's
   * URL when GitLab is on (the default instance of gitlab-pipeline runners); both undefined when
   * the environment's own settings are invalid, and then not checked
   */
  forges?: { githubApp: boolean; gitlabUrl?: string };
}

/** The environment a process started with these options runs its runners in. */
export const runnerEnvironmentOf = (options: Options, env: NodeJS.ProcessEnv = process.env): RunnerEnvironment => ({
  env,
  forges: { githubApp: options.github !== undefined, ...(options.gitlab ? { gitlabUrl: options.gitlab.url } : {}) },
});

/** Every runner's unmet needs, each at the path of the key that causes it. */
export function runnerEnvProblems(runners: Readonly<Record<string, RunnerConfig>>, where: RunnerEnvironment): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const [name, config] of Object.entries(runners)) {
    // Every key ending in _env names a variable holding a secret; a default one is checked too.
    for (const [key, value] of Object.entries(config)) {
      if (key.endsWith('_env') && typeof value === 'string' && !where.env[value]) {
        problems.push({ path: ['runners', name, key], message: `the environment variable ${value} is not set` });
      }
    }
    if (!where.forges) continue;
    if (config.type === 'gitlab-pipeline' && !config.url && !where.forges.gitlabUrl) {
      problems.push({
        path: ['runners', name, 'type'],
        message: 'no GitLab instance: set url, or turn GitLab on (GITLAB_TOKEN, GITLAB_URL)',
      });
    }
    if (config.type === 'github-actions' && !where.forges.githubApp) {
      problems.push({ path: ['runners', name, 'type'], message: 'github-actions needs the GitHub App (APP_ID, PRIVATE_KEY)' });
    }
  }
  return problems;
}
