// Builds the document a runner receives (docs/runner-protocol.md) from a stored run.
import { API_VERSION, type DispatchDocument } from './protocol.js';
import type { RunRecord } from './run-record.js';

export const callbackUrl = (publicUrl: string, runId: string): string => `${publicUrl.replace(/\/+$/, '')}/api/v1/jobs/${runId}/status`;

/** `token` is the run's fresh callback token; empty where the document only identifies the run. */
export function dispatchDocument(run: RunRecord, token: string, publicUrl: string): DispatchDocument {
  return {
    apiVersion: API_VERSION,
    job: {
      id: run.id,
      name: run.job,
      type: run.type,
      context: run.context,
      params: run.params,
      timeout_seconds: run.timeoutSeconds,
    },
    refs: run.refs,
    callback: { url: callbackUrl(publicUrl, run.id), token },
  };
}
