// Reads one pool from the forge into the engine's snapshot: the branch head, every open change
// that targets it, and, for the changes that could be in the pool, their head contexts, the
// contexts they must pass and their approval as the queue derives it. The queue never trusts the
// `approved` label: a label is an output, and someone who could not have earned it may have set it.

import { deriveApproval } from '../../plugins/approve/derive-approval.js';
import type { Presubmit } from '../config/jobs-schema.js';
import { contextOf } from '../config/jobs-schema.js';
import type { RepoMergeQueueConfig } from '../config/merge-queue-schema.js';
import type { RepoConfig } from '../config/schema.js';
import { APPROVED } from '../core/labels.js';
import type { Change, Forge, RepoRef } from '../forge/types.js';
import { lazyChangedFiles, shouldRun } from '../jobs/select-jobs.js';
import type { OwnersResolver } from '../owners/owners-resolver.js';
import { cachedApproval } from './approval-cache.js';
import { QUEUE_CONTEXT } from './contexts.js';
import { carriesLabel, labelsMatching } from './labels.js';
import type { PoolChange } from './types.js';

export interface PoolReading {
  baseSha: string;
  changes: PoolChange[];
  /** the changes as the forge gave them, by number (the executor needs their refs and titles) */
  forgeChanges: Map<number, Change>;
  frozen: boolean;
}

/** Whether the labels and draft state alone already keep a change out (nothing more to read then). */
function ruledOutByLabels(change: Change, settings: RepoMergeQueueConfig): boolean {
  if (change.draft) return true;
  if (!settings.labels.every((entry) => carriesLabel(change.labels, entry))) return true;
  return settings.missing_labels.some((entry) => labelsMatching(change.labels, entry).length > 0);
}

/** The presubmits the queue must see pass on a change: not optional, and would run on it (Prow §6.3). */
async function requiredPresubmits(presubmits: readonly Presubmit[], change: Change, forge: Forge): Promise<Presubmit[]> {
  const files = lazyChangedFiles(() => forge.listChangedFiles(change.ref));
  const required: Presubmit[] = [];
  for (const job of presubmits) {
    if (!job.optional && (await shouldRun(job, change.baseRef, files, false, false))) required.push(job);
  }
  return required;
}

export async function readPool(input: {
  forge: Forge;
  owners: OwnersResolver;
  repo: RepoRef;
  branch: string;
  config: RepoConfig & { mergeQueue: RepoMergeQueueConfig };
  now: number;
}): Promise<PoolReading> {
  const { forge, owners, repo, branch, config, now } = input;
  const settings = config.mergeQueue;
  const [baseSha, open, protection] = await Promise.all([
    forge.branchSha(repo, branch),
    forge.searchChanges(repo, { baseRef: branch }),
    forge.requiredContexts(repo, branch),
  ]);
  const optional = new Set([...settings.optional_contexts, QUEUE_CONTEXT]);
  const ours = new Set(config.presubmits.map(contextOf));
  const needsApproval = settings.labels.some((entry) => carriesLabel([APPROVED], entry) && !entry.includes(','));

  const changes = await Promise.all(
    open.map(async (change): Promise<PoolChange> => {
      const base = {
        number: change.ref.number,
        headSha: change.headSha,
        author: change.author,
        title: change.title,
        labels: change.labels,
        draft: change.draft,
        ...(change.mergeable !== undefined ? { mergeable: change.mergeable } : {}),
      };
      // Membership checks labels and drafts first; a change they rule out costs no further reads.
      if (ruledOutByLabels(change, settings)) return { ...base, approved: false, contexts: [], requiredContexts: [] };
      const [statuses, presubmits, approved] = await Promise.all([
        forge.listStatuses(repo, change.headSha),
        requiredPresubmits(config.presubmits, change, forge),
        // Approval is only the queue's business when the pool asks for the approved label.
        needsApproval
          ? cachedApproval(forge, change, baseSha, config.approve, now, () =>
              deriveApproval(forge, owners, change, config.approve).then((a) => a.filesApproved),
            )
          : true,
      ]);
      const required = [...new Set([...protection, ...presubmits.map(contextOf), ...settings.required_contexts])].filter(
        (context) => !optional.has(context),
      );
      return {
        ...base,
        approved,
        contexts: statuses
          .filter((s) => s.context !== QUEUE_CONTEXT)
          .map((s) => ({ context: s.context, state: s.state, ...(s.description !== undefined ? { description: s.description } : {}) })),
        requiredContexts: required,
        externalContexts: required.filter((context) => !ours.has(context)),
      };
    }),
  );

  const frozenByLabel = settings.freeze_label !== '' && open.some((c) => carriesLabel(c.labels, settings.freeze_label));
  const frozenByWindow = settings.freeze_windows.some((w) => Date.parse(w.start) <= now && now < Date.parse(w.end));
  return {
    baseSha,
    changes,
    forgeChanges: new Map(open.map((c) => [c.ref.number, c])),
    frozen: frozenByLabel || frozenByWindow,
  };
}
