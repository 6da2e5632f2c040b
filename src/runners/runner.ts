// What every runner kind implements. A runner takes a dispatch document to wherever jobs run
// (an HTTP endpoint, a GitLab pipeline, a GitHub Actions workflow, the command queue) and, when the
// runner cannot call back itself, reads the result on demand.
import type { Logger } from 'pino';
import type { RunnerType } from '../config/jobs-schema.js';
import type { DispatchDocument, StatusReport } from '../jobs/protocol.js';

/** What dispatch learnt about the run on the runner's side. */
export interface DispatchReceipt {
  /** the runner's page for the run, when known (the commit status links to it) */
  url?: string;
  /** the runner's id for the run (pipeline id, workflow run id), for poll() and abort() */
  externalId?: string;
}

export interface Runner {
  readonly type: RunnerType;
  /** how often poll() is asked while a run is unfinished */
  readonly pollIntervalMs?: number;
  /** Hands the job to the runner. Throws RunnerError; a retryable one is tried again with backoff. */
  dispatch(doc: DispatchDocument, log: Logger): Promise<DispatchReceipt>;
  /**
   * Asks the runner for the run's state, for runners that do not call back (gitlab-pipeline).
   * Undefined while the runner cannot say yet.
   */
  poll?(doc: DispatchDocument, externalId: string, log: Logger): Promise<StatusReport | undefined>;
  /** Best effort: stops the run (a new push superseded it). */
  abort?(doc: DispatchDocument, externalId: string | undefined, log: Logger): Promise<void>;
}

/**
 * A runner refused or failed. `retryable` is false when trying again cannot help (a 4xx answer,
 * a missing secret): the run then ends as an error at once, with this message as the reason.
 */
export class RunnerError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RunnerError';
  }
}
