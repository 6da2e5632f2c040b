// A new run record for a start request: queued, with the refs to test and its de-duplication key.
import { contextOf, durationSeconds } from '../config/jobs-schema.js';
import type { StartRequest } from './ci-jobs.js';
import { activeKey, DEFAULT_DESCRIPTION, newRunId, type RunRecord } from './run-record.js';

export function newRun(request: StartRequest): RunRecord {
  const now = Date.now();
  const { job } = request;
  const subject = request.type === 'presubmit' ? { change: request.pull.number } : { branch: request.baseRef };
  const sha = request.type === 'presubmit' ? request.pull.sha : request.baseSha;
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
    refs: {
      forge: request.repo.forge,
      repo: `${request.repo.owner}/${request.repo.name}`,
      clone_url: request.cloneUrl,
      base_ref: request.baseRef,
      base_sha: request.baseSha,
      pulls: request.type === 'presubmit' ? [request.pull] : [],
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
