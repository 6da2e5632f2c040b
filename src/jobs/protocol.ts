// The runner protocol (docs/runner-protocol.md): the dispatch document a runner receives and the
// status report it sends back. Both are zod schemas so that the bot validates what it receives and
// the published JSON Schemas (docs/schemas/) are generated from the same source.
import { z } from 'zod';

export const API_VERSION = 'ci-orchestrator/v1';

export const jobTypeSchema = z.enum(['presubmit', 'postsubmit', 'batch']);

export const pullSchema = z.strictObject({
  number: z.number().int().positive().describe('PR number (GitLab: MR iid)'),
  sha: z.string().describe('head commit of the PR, merged into the base with --no-ff'),
  author: z.string().describe('login of the PR author'),
  title: z.string().optional(),
  ref: z.string().optional().describe('the PR head branch'),
});

export const refsSchema = z.strictObject({
  forge: z.enum(['github', 'gitlab']),
  repo: z.string().describe('"owner/name" (GitLab: "group/subgroup/project")'),
  clone_url: z.string().describe('HTTPS clone URL of the repository'),
  base_ref: z.string().describe('the branch the code is tested against'),
  base_sha: z.string().describe('the commit of base_ref to test against'),
  pulls: z.array(pullSchema).describe('PRs to merge into base_sha, in order; empty for postsubmits'),
});

export const dispatchDocumentSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    job: z.strictObject({
      id: z.string().describe('the run id, as in the callback URL'),
      name: z.string(),
      type: jobTypeSchema,
      context: z.string().describe('the commit status context the results are reported under'),
      params: z.record(z.string(), z.string()).describe('job parameters from the configuration'),
      timeout_seconds: z.number().int().positive().describe('the run is ended as an error if it has not finished by then'),
    }),
    refs: refsSchema,
    callback: z.strictObject({
      url: z.string().describe('POST the status reports here'),
      token: z.string().describe('send as "Authorization: Bearer <token>"; valid for this run only, until it ends'),
    }),
  })
  .describe('What ci-orchestrator sends a runner to start a job.');

export const runStateSchema = z.enum(['pending', 'running', 'success', 'failure', 'error', 'aborted']);

/** A runner's report, the body of POST /api/v1/jobs/{id}/status. */
export const statusReportSchema = z
  .strictObject({
    state: runStateSchema,
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional()
      .describe('where people can follow the run; shown as the status link'),
    description: z.string().max(1000).optional().describe('one line for the commit status (shortened to fit)'),
  })
  .describe("A runner's report on a run.");

export type JobType = z.infer<typeof jobTypeSchema>;
export type Pull = z.infer<typeof pullSchema>;
export type Refs = z.infer<typeof refsSchema>;
export type DispatchDocument = z.infer<typeof dispatchDocumentSchema>;
export type StatusReport = z.infer<typeof statusReportSchema>;
/** A run's state as runners report it; the bot adds `queued` before a runner has the job. */
export type ReportedState = z.infer<typeof runStateSchema>;
export type RunState = 'queued' | ReportedState;

/** States a run never leaves. */
export const TERMINAL_STATES: ReadonlySet<RunState> = new Set(['success', 'failure', 'error', 'aborted']);
export const isTerminal = (state: RunState): boolean => TERMINAL_STATES.has(state);

/** Order of progress: a report may only move a run forward (a late `pending` cannot undo `success`). */
export const STATE_RANK: Record<RunState, number> = {
  queued: 0,
  pending: 1,
  running: 2,
  success: 3,
  failure: 3,
  error: 3,
  aborted: 3,
};
