// A new run record for a start request: queued, with the refs to test and its de-duplication key.
// A batch (a merge-queue test) has no change: its sha is the base, its refs list every pull in order.
import { contextOf, durationSeconds } from '../config/jobs-schema.js';
import type { StartRequest } from './ci-jobs.js';
import type { Pull } from './protocol.js';
import { activeKey, DEFAULT_DESCRIPTION, newRunId, type RunRecord, type RunSubject } from './run-record.js';

export function newRun(request: StartRequest): RunRecord {
  if (request.type === 'batch' && (request.pulls.length === 0 || !request.testId)) {
    throw new TypeError(`batch run of ${request.job.name}: needs a test id and at least one pull`);
  }
  const now = Date.now();
  const { job } = request;
  const subject: RunSubject =
    request.type === 'presubmit'
      ? { change: request.pull.number }
      : request.type === 'batch'
        ? { test: request.testId }
        : { branch: request.baseRef };
  const sha = request.type === 'presubmit' ? request.pull.sha : request.baseSha;
  const pulls = request.type === 'presubmit' ? [request.pull] : request.type === 'batch' ? request.pulls : [];
  return {
    id: newRunId(),
    job: job.name,
    context: contextOf(job),
    type: request.type,
    runner: job.runner,
    repo: request.repo,
    installationId: request.installationId,
    change: request.type === 'presubmit' ? request.pull.number : undefined,
    sha,
    ...(request.type === 'batch' ? { testId: request.testId } : {}),
    refs: {
      forge: request.repo.forge,
      repo: `${request.repo.owner}/${request.repo.name}`,
      clone_url: request.cloneUrl,
      base_ref: request.baseRef,
      base_sha: request.baseSha,
      pulls: pulls.map(pullRef),
    },
    params: job.params,
    timeoutSeconds: durationSeconds(job.timeout),
    maxConcurrency: job.max_concurrency,
    activeKey: activeKey(request.repo, subject, sha, job.name),
    reason: request.reason,
    state: 'queued',
    description: DEFAULT_DESCRIPTION.queued,
    attempts: 0,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

/** Only the protocol's fields of a pull: the refs go to runners as they are stored. */
function pullRef({ number, sha, author, title, ref }: Pull): Pull {
  return { number, sha, author, ...(title === undefined ? {} : { title }), ...(ref === undefined ? {} : { ref }) };
}
