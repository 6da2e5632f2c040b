// Background tasks of CI runs (dispatch, status writes, timeouts, polling, command runs), each
// about one run. Two implementations: BullMQ on Redis (durable, shared by every process; a task
// whose worker dies is picked up again) and memory (the embedded mode). Both retry a failing task
// with exponential backoff and ignore a task whose id is already queued.
export type TaskName = 'dispatch' | 'status' | 'timeout' | 'poll' | 'command';

/** Task data: ids only, since BullMQ stores it in Redis in clear text. */
export interface Task {
  name: TaskName;
  runId: string;
}

export interface TaskOptions {
  /** de-duplicates: a task with the same id still queued or running is not added again */
  id: string;
  delayMs?: number;
  /** tries in all (default 1) */
  attempts?: number;
}

export interface TaskAttempt {
  /** 1 for the first try */
  attempt: number;
  attempts: number;
}

export type TaskHandler = (task: Task, attempt: TaskAttempt) => Promise<void>;

export interface TaskQueue {
  add(task: Task, options: TaskOptions): Promise<void>;
  /** Starts running tasks in this process. */
  work(handler: TaskHandler, options: { concurrency: number }): void;
  /** Stops taking tasks and waits for the running ones. */
  close(): Promise<void>;
}

/** Thrown by a handler to run the task again later without spending a try (a busy slot). */
export class PostponeTask extends Error {
  constructor(readonly delayMs: number) {
    super(`postponed by ${delayMs} ms`);
    this.name = 'PostponeTask';
  }
}

/** Backoff before try n+1 after n failed tries. */
export const backoffMs = (baseMs: number, failedTries: number): number => baseMs * 2 ** (failedTries - 1);
