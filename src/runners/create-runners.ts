// Builds the configured runners. Secrets come from the environment variables the configuration
// names; what is missing is found by the same check check-config runs (runnerEnvProblems), and
// stops the process at start (or fails a reload) naming the runner, not at the first job.
import type { Probot } from 'probot';
import type { RunnerConfig } from '../config/jobs-schema.js';
import { durationSeconds } from '../config/jobs-schema.js';
import { runnerEnvProblems } from '../config/runner-env.js';
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
  const problems = runnerEnvProblems(configs, {
    env: deps.env,
    forges: { githubApp: deps.probot !== undefined, ...(deps.gitlabUrl ? { gitlabUrl: deps.gitlabUrl } : {}) },
  });
  if (problems.length > 0) {
    throw new RunnerSetupError(problems.map((p) => `runner "${p.path[1]}": ${p.path.slice(2).join('.')}: ${p.message}`).join('\n'));
  }
  const secret = (name: string): string => deps.env[name]!;
  const octokitFor = deps.probot ? installationOctokits(deps.probot) : undefined;
  return new Map(
    Object.entries(configs).map(([name, config]): [string, Runner] => {
      switch (config.type) {
        case 'webhook':
          return [name, new WebhookRunner(config, { secret: secret(config.secret_env) })];
        case 'gitlab-pipeline':
          return [
            name,
            new GitLabPipelineRunner(config, {
              gitlabUrl: (config.url ?? deps.gitlabUrl)!,
              triggerToken: secret(config.trigger_token_env),
              apiToken: secret(config.api_token_env),
              pollIntervalMs: durationSeconds(config.poll_interval) * 1000,
            }),
          ];
        case 'github-actions':
          return [name, new GitHubActionsRunner(config, { octokitFor: octokitFor! })];
        case 'command':
          return [name, new CommandRunner(config, { queue: deps.commandQueue, publicUrl: deps.publicUrl })];
      }
    }),
  );
}
