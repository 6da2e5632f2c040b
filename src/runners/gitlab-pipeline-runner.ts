// The gitlab-pipeline runner: starts a pipeline with a trigger token and reads its result by
// polling (a pipeline cannot call back by itself; the Pipeline Hook, when the project sends it to
// us, only makes the result arrive sooner). The pipeline runs on a trusted branch (config.ref or
// the change's base branch), never on the PR: it gets the refs to test as CI_ORCHESTRATOR_*
// variables and checks them out itself. The callback token is not passed: the bot reports.
//
// The trigger call is made with fetch rather than gitbeaker's PipelineTriggerTokens.trigger, which
// puts the trigger token in the query string, where it would sit in the URL of every error and
// proxy log. Reading and cancelling the pipeline go through gitbeaker with the API token.
import { GitbeakerRetryError, GitbeakerTimeoutError, Gitlab } from '@gitbeaker/rest';
import type { Logger } from 'pino';
import type { GitLabPipelineRunnerConfig } from '../config/jobs-schema.js';
import { pipelineRunState } from '../forge/gitlab/normalize.js';
import { gitbeakerRequestFailure } from '../forge/gitlab/request-failure.js';
import type { DispatchDocument, StatusReport } from '../jobs/protocol.js';
import { isRetryableStatus } from './retryable-status.js';
import { type DispatchReceipt, type Runner, RunnerError } from './runner.js';

const TIMEOUT_MS = 10_000;

export interface GitLabPipelineRunnerOptions {
  /** the instance to use when the config names none (GITLAB_URL) */
  gitlabUrl: string;
  /** the project's pipeline trigger token */
  triggerToken: string;
  /** a token that can read and cancel the project's pipelines */
  apiToken: string;
  /** how often poll() is asked; the config's poll_interval */
  pollIntervalMs?: number;
}

/** The pipeline variables: what to test, then the job's params (which cannot override them). */
export function pipelineVariables(doc: DispatchDocument): Record<string, string> {
  return {
    ...doc.job.params,
    CI_ORCHESTRATOR_RUN_ID: doc.job.id,
    CI_ORCHESTRATOR_JOB: doc.job.name,
    CI_ORCHESTRATOR_JOB_TYPE: doc.job.type,
    CI_ORCHESTRATOR_REPO: doc.refs.repo,
    CI_ORCHESTRATOR_CLONE_URL: doc.refs.clone_url,
    CI_ORCHESTRATOR_BASE_REF: doc.refs.base_ref,
    CI_ORCHESTRATOR_BASE_SHA: doc.refs.base_sha,
    CI_ORCHESTRATOR_PULLS: doc.refs.pulls.map((p) => `${p.number}:${p.sha}`).join(' '),
  };
}

export class GitLabPipelineRunner implements Runner {
  readonly type = 'gitlab-pipeline' as const;
  readonly pollIntervalMs: number | undefined;
  readonly #baseUrl: string;
  readonly #api: Gitlab<false>;

  constructor(
    private readonly config: GitLabPipelineRunnerConfig,
    private readonly options: GitLabPipelineRunnerOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs;
    this.#baseUrl = (config.url ?? options.gitlabUrl).replace(/\/+$/, '');
    this.#api = new Gitlab({ host: this.#baseUrl, token: options.apiToken, queryTimeout: TIMEOUT_MS });
  }

  async dispatch(doc: DispatchDocument, log: Logger): Promise<DispatchReceipt> {
    const project = this.#project(doc);
    const ref = this.config.ref ?? doc.refs.base_ref;
    const form = new URLSearchParams({ token: this.options.triggerToken, ref });
    for (const [key, value] of Object.entries(pipelineVariables(doc))) form.append(`variables[${key}]`, value);

    const what = `trigger a pipeline of ${project} on ${ref}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#baseUrl}/api/v4/projects/${encodeURIComponent(project)}/trigger/pipeline`, {
        method: 'POST',
        body: form,
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      text = await response.text();
    } catch (err) {
      throw new RunnerError(`GitLab: could not ${what}: ${reason(err)}`, true, { cause: err });
    }
    const body = parseJson(text) as { id?: unknown; web_url?: unknown; message?: unknown } | undefined;
    if (!response.ok) {
      const message = body?.message === undefined ? text.slice(0, 200) : JSON.stringify(body.message);
      throw new RunnerError(`GitLab: could not ${what} (HTTP ${response.status}): ${message}`, isRetryableStatus(response.status));
    }
    if (typeof body?.id !== 'number') throw new RunnerError(`GitLab: ${what}: the answer names no pipeline`, true);
    log.info({ runner: 'gitlab-pipeline', project, pipeline: body.id }, 'pipeline triggered');
    return {
      externalId: String(body.id),
      ...(typeof body.web_url === 'string' ? { url: body.web_url } : {}),
    };
  }

  async poll(doc: DispatchDocument, externalId: string): Promise<StatusReport> {
    const project = this.#project(doc);
    const pipeline = await this.#call(`read pipeline ${externalId} of ${project}`, () =>
      this.#api.Pipelines.show(project, Number(externalId)),
    );
    return { state: pipelineRunState(pipeline.status), url: pipeline.web_url, description: `pipeline ${pipeline.status}` };
  }

  async abort(doc: DispatchDocument, externalId: string | undefined, log: Logger): Promise<void> {
    if (externalId === undefined) return;
    const project = this.#project(doc);
    await this.#call(`cancel pipeline ${externalId} of ${project}`, () => this.#api.Pipelines.cancel(project, Number(externalId)));
    log.info({ runner: 'gitlab-pipeline', project, pipeline: externalId }, 'pipeline cancelled');
  }

  #project(doc: DispatchDocument): string {
    return String(this.config.project ?? doc.refs.repo);
  }

  /** Runs a gitbeaker call; its errors become RunnerErrors, retryable unless GitLab refused the request. */
  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const failure = gitbeakerRequestFailure(err);
      if (failure) {
        const retryable = failure.status === undefined || isRetryableStatus(failure.status);
        throw new RunnerError(`GitLab: could not ${what} (HTTP ${failure.status ?? '?'}): ${failure.description}`, retryable, {
          cause: err,
        });
      }
      const retryable = err instanceof GitbeakerRetryError || err instanceof GitbeakerTimeoutError || err instanceof TypeError;
      throw new RunnerError(`GitLab: could not ${what}: ${reason(err)}`, retryable, { cause: err });
    }
  }
}

/** A network error's reason ("fetch failed" alone says little; its cause says what). */
const reason = (err: unknown): string => {
  const error = err as Error & { cause?: { message?: string } };
  return error.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000}s` : (error.cause?.message ?? error.message);
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
