// A CiJobs that records what plugins ask of it, for plugin tests.
import type { CiJobs, StartOutcome, StartRequest } from '../../src/jobs/ci-jobs.js';
import type { ChangeRef } from '../../src/forge/types.js';

export class RecordingCi implements CiJobs {
  readonly started: StartRequest[] = [];
  readonly aborted: Array<{ ref: ChangeRef; reason: string }> = [];
  /** job names answered with `running` instead of `started` */
  readonly running = new Set<string>();
  /** every call in order: "start <job>" per started job, "abort" */
  readonly calls: string[] = [];
  #next = 0;

  async start(requests: StartRequest[]): Promise<StartOutcome[]> {
    return requests.map((request) => {
      const outcome = this.running.has(request.job.name) ? 'running' : 'started';
      if (outcome === 'started') {
        this.started.push(request);
        this.calls.push(`start ${request.job.name}`);
      }
      return { job: request.job.name, outcome, runId: `run${++this.#next}` };
    });
  }

  async abortChange(ref: ChangeRef, reason: string): Promise<number> {
    this.aborted.push({ ref, reason });
    this.calls.push('abort');
    return 0;
  }

  /** names of the jobs started so far */
  startedJobs(): string[] {
    return this.started.map((r) => r.job.name);
  }
}
