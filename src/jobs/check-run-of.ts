// How a run shows as a GitHub check run (reporting.github: checks). The title is the text a commit
// status would carry, " BaseSHA:<sha>" included, because listStatuses reads a check run's title as
// its description: the merge queue then judges a check run exactly as it judged the status.
import type { CheckRunConclusion, CheckRunStatus, CheckRunWrite } from '../forge/types.js';
import type { RunState } from './protocol.js';
import { commitStatusOf, type RunRecord } from './run-record.js';

const STATUS: Record<RunState, CheckRunStatus> = {
  queued: 'queued',
  pending: 'queued',
  running: 'in_progress',
  success: 'completed',
  failure: 'completed',
  error: 'completed',
  aborted: 'completed',
};

/**
 * `neutral` is never written: GitHub counts it as passing a required check, and no unfinished or
 * failed run has passed anything. A run that errored (could not be dispatched, the runner broke)
 * did not pass either, so it reads as a failure.
 */
function conclusionOf(run: Pick<RunRecord, 'state' | 'timedOut'>): CheckRunConclusion | undefined {
  switch (run.state) {
    case 'success':
      return 'success';
    case 'failure':
      return 'failure';
    case 'aborted':
      return 'cancelled';
    case 'error':
      return run.timedOut ? 'timed_out' : 'failure';
    default:
      return undefined;
  }
}

/** The run's page on this server (its state, refs and, for `command` jobs, its log). */
export const runPageUrl = (run: Pick<RunRecord, 'id'>, publicUrl: string): string => `${publicUrl.replace(/\/+$/, '')}/jobs/${run.id}`;

export function checkRunOf(run: RunRecord, publicUrl: string): CheckRunWrite {
  const page = runPageUrl(run, publicUrl);
  const conclusion = conclusionOf(run);
  const pulls = run.refs.pulls.map((p) => `#${p.number} at \`${p.sha.slice(0, 12)}\``).join(', ');
  const summary = [
    run.description.replace(/\s+/g, ' ').trim(),
    '',
    run.url ? `Runner: ${run.url}` : 'The runner has not given a link yet.',
    '',
    `Job \`${run.job}\` (${run.type}) on \`${run.refs.base_ref}\` at \`${run.refs.base_sha.slice(0, 12)}\`${pulls ? ` with ${pulls}` : ''}.`,
    `Run \`${run.id}\`: ${page}`,
  ].join('\n');
  return {
    name: run.context,
    status: STATUS[run.state],
    ...(conclusion ? { conclusion } : {}),
    detailsUrl: run.url ?? page,
    externalId: run.id,
    title: commitStatusOf(run).description ?? run.description,
    summary,
  };
}
