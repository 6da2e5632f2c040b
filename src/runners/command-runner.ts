// The `command` runner's dispatch: the run goes onto the command queue, where the serving process
// or any `ci-orchestrator worker` takes it (src/jobs/command-worker.ts). Its log is the bot's page.
import type { CommandRunnerConfig } from '../config/jobs-schema.js';
import type { DispatchDocument } from '../jobs/protocol.js';
import type { TaskQueue } from '../queue/task-queue.js';
import type { DispatchReceipt, Runner } from './runner.js';

export class CommandRunner implements Runner {
  readonly type = 'command';

  constructor(
    readonly config: CommandRunnerConfig,
    private readonly options: { queue: TaskQueue; publicUrl: () => string },
  ) {}

  async dispatch(doc: DispatchDocument): Promise<DispatchReceipt> {
    // A worker that dies mid-run leaves the task stalled; BullMQ hands it to another worker.
    await this.options.queue.add({ name: 'command', runId: doc.job.id }, { id: `command-${doc.job.id}` });
    return { url: `${this.options.publicUrl().replace(/\/+$/, '')}/jobs/${doc.job.id}` };
  }
}
