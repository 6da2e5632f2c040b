// The github-actions runner: starts a workflow with workflow_dispatch. The workflow file comes from
// a trusted branch (config.ref or the change's base branch), never from the PR; it gets the refs to
// test as inputs and checks them out itself. Its result arrives as workflow_run events: with
// return_run_details GitHub answers the run's id, which the job service matches them by; where it
// answers 204 instead (older GitHub Enterprise Server), the run is found by its title, which the
// workflow sets with `run-name: ${{ inputs.ci_orchestrator_run }}`. The callback token is not
// passed: the bot reports.

import type { Logger } from 'pino';
import type { Probot } from 'probot';
import type { GitHubActionsRunnerConfig } from '../config/jobs-schema.js';
import type { Octokit } from '../forge/github/github-forge.js';
import type { DispatchDocument } from '../jobs/protocol.js';
import { isRetryableStatus } from './retryable-status.js';
import { type DispatchReceipt, type Runner, RunnerError } from './runner.js';

export type OctokitFor = (owner: string, repo: string) => Promise<Octokit>;

export interface GitHubActionsRunnerOptions {
  /** an Octokit that may act on the repository (the App's installation on it) */
  octokitFor: OctokitFor;
}

/** The workflow's inputs: the job's params, the run id and the refs to test (as JSON). */
export function workflowInputs(doc: DispatchDocument): Record<string, string> {
  return { ...doc.job.params, ci_orchestrator_run: doc.job.id, ci_orchestrator_refs: JSON.stringify(doc.refs) };
}

/** How long a repository's installation is trusted to stay the same (an App can be reinstalled). */
const INSTALLATION_TTL_MS = 60 * 60 * 1000;

/**
 * Octokits for the App's installation on a repository, found with the App's JWT and kept per
 * repository for an hour (Probot's installation Octokit renews its token as it expires).
 */
export function installationOctokits(probot: Probot): OctokitFor {
  const cache = new Map<string, { octokit: Promise<Octokit>; until: number }>();
  return (owner, repo) => {
    const key = `${owner}/${repo}`.toLowerCase();
    const now = Date.now();
    const found = cache.get(key);
    if (found && found.until > now) return found.octokit;
    const octokit = probot
      .auth()
      .then((app) => app.rest.apps.getRepoInstallation({ owner, repo }))
      .then(({ data }) => probot.auth(data.id));
    octokit.catch(() => cache.delete(key));
    cache.set(key, { octokit, until: now + INSTALLATION_TTL_MS });
    return octokit;
  };
}

export class GitHubActionsRunner implements Runner {
  readonly type = 'github-actions' as const;

  constructor(
    private readonly config: GitHubActionsRunnerConfig,
    private readonly options: GitHubActionsRunnerOptions,
  ) {}

  async dispatch(doc: DispatchDocument, log: Logger): Promise<DispatchReceipt> {
    const [owner, repo] = this.#repo(doc);
    const ref = this.config.ref ?? doc.refs.base_ref;
    const workflow = this.config.workflow;
    const response = await this.#call(`dispatch workflow ${workflow} of ${owner}/${repo} on ${ref}`, async () => {
      const octokit = await this.options.octokitFor(owner, repo);
      return octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        owner,
        repo,
        workflow_id: workflow,
        ref,
        inputs: workflowInputs(doc),
        return_run_details: true,
      });
    });
    // 200 with the run's details; 204 (no body) where GitHub does not know return_run_details
    const details = response.status === 200 ? (response.data as { workflow_run_id?: number; html_url?: string }) : {};
    log.info({ runner: 'github-actions', repo: `${owner}/${repo}`, workflow, workflowRun: details.workflow_run_id }, 'workflow dispatched');
    return {
      ...(details.workflow_run_id !== undefined ? { externalId: String(details.workflow_run_id) } : {}),
      ...(details.html_url ? { url: details.html_url } : {}),
    };
  }

  async abort(doc: DispatchDocument, externalId: string | undefined, log: Logger): Promise<void> {
    if (externalId === undefined) return; // a run GitHub did not name cannot be found to stop
    const [owner, repo] = this.#repo(doc);
    await this.#call(`cancel workflow run ${externalId} of ${owner}/${repo}`, async () => {
      const octokit = await this.options.octokitFor(owner, repo);
      await octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel', { owner, repo, run_id: Number(externalId) });
    });
    log.info({ runner: 'github-actions', repo: `${owner}/${repo}`, workflowRun: externalId }, 'workflow run cancelled');
  }

  #repo(doc: DispatchDocument): [owner: string, repo: string] {
    const full = this.config.repo ?? doc.refs.repo;
    const slash = full.indexOf('/');
    return [full.slice(0, slash), full.slice(slash + 1)];
  }

  /** Runs an Octokit call; its errors become RunnerErrors, retryable unless GitHub refused the request. */
  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // Octokit's RequestError carries the status (500 for a network failure) and GitHub's message
      const status = err instanceof Error && 'status' in err && typeof err.status === 'number' ? err.status : undefined;
      const message = err instanceof Error ? err.message : String(err);
      const retryable = status === undefined || isRetryableStatus(status);
      throw new RunnerError(`GitHub: could not ${what}${status ? ` (HTTP ${status})` : ''}: ${message}`, retryable, { cause: err });
    }
  }
}
