// Builds the configured runners. Secrets come from the environment variables the configuration
// names; a missing one stops the process at start with the runner's name, not at the first job.
import type { Probot } from 'probot';
import type { RunnerConfig } from '../config/jobs-schema.js';
import { durationSeconds } from '../config/jobs-schema.js';
import type { TaskQueue } from '../queue/task-queue.js';
import { CommandRunner } from './command-runner.js';
import { GitHubActionsRunner, installationOctokits } from './github-actions-runner.js';
import { GitLabPipelineRunner } from './gitlab-pipeline-runner.js';
import type { Runner } from './runner.js';
import { WebhookRunner } from './webhook-runner.js';

export class RunnerSetupError extends Error {
  override name = 'RunnerSetupError';
}

export interface RunnerDeps {
  env: NodeJS.ProcessEnv;
  /** GITLAB_URL, the default instance of gitlab-pipeline runners */
  gitlabUrl?: string;
  /** present when the GitHub App is configured (github-actions runners need it) */
  probot?: Probot;
  /** the command queue `command` runners put runs on */
  commandQueue: TaskQueue;
  publicUrl: () => string;
}

export function createRunners(configs: Record<string, RunnerConfig>, deps: RunnerDeps): Map<string, Runner> {
  const secret = (runner: string, key: string, name: string): string => {
    const value = deps.env[name];
    if (!value) throw new RunnerSetupError(`runner "${runner}": the environment variable ${name} (${key}) is not set`);
    return value;
  };
  const octokitFor = deps.probot ? installationOctokits(deps.probot) : undefined;
  return new Map(Object.entries(configs).map(([name, config]): [string, Runner] => {
    switch (config.type) {
      case 'webhook':
        return [name, new WebhookRunner(config, { secret: secret(name, 'secret_env', config.secret_env) })];
      case 'gitlab-pipeline': {
        const gitlabUrl = config.url ?? deps.gitlabUrl;
        if (!gitlabUrl) throw new RunnerSetupError(`runner "${name}": no GitLab instance (set url, or GITLAB_URL)`);
        return [name, new GitLabPipelineRunner(config, {
          gitlabUrl,
          triggerToken: secret(name, 'trigger_token_env', config.trigger_token_env),
          apiToken: secret(name, 'api_token_env', config.api_token_env),
          pollIntervalMs: durationSeconds(config.poll_interval) * 1000,
        })];
      }
      case 'github-actions':
        if (!octokitFor) throw new RunnerSetupError(`runner "${name}": github-actions needs the GitHub App (APP_ID, PRIVATE_KEY)`);
        return [name, new GitHubActionsRunner(config, { octokitFor })];
      case 'command':
        return [name, new CommandRunner(config, { queue: deps.commandQueue, publicUrl: deps.publicUrl })];
    }
  }));
}
