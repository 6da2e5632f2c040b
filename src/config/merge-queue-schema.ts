// The merge queue's settings: per repo (`repos.<key>.merge_queue`) and for the whole bot (the
// top-level `merge_queue`). Names follow Prow's tide where tide has one.
import { z } from 'zod';
import { DURATION, duration, durationSeconds } from './jobs-schema.js';

const label = z.string().min(1);

/** A window when nothing merges, e.g. a release freeze; ISO 8601 times with a zone. */
const freezeWindowSchema = z
  .strictObject({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  })
  .refine((w) => !(Date.parse(w.start) >= Date.parse(w.end)), { message: 'end must be after start', path: ['end'] });

export const repoMergeQueueSchema = z.strictObject({
  /** ours: batches, bisection and speculation; tide: Prow's decision order; serial: one change at a time */
  policy: z.enum(['ours', 'tide', 'serial']).default('ours'),
  /** labels every change needs; "a,b" means either */
  labels: z.array(label).default(['lgtm', 'approved']),
  /** labels that keep a change out; "family/*" matches the family */
  missing_labels: z.array(label).default(['do-not-merge/*', 'needs-rebase', 'needs-ok-to-test']),
  /** most changes tested together; 1 disables batching */
  batch_size: z.number().int().min(1).max(64).default(8),
  /** most merge-queue tests in flight at once per branch (the speculation depth) */
  max_tests_in_flight: z.number().int().min(1).max(32).default(3),
  /** ordered label sets: a change with every label of an earlier set goes first */
  priority: z.array(z.array(label).min(1)).default([]),
  merge_method: z.enum(['merge', 'squash', 'rebase']).default('merge'),
  /** labels that override merge_method on one change ("" turns one off) */
  merge_label: z.string().default('merge-method-merge'),
  squash_label: z.string().default('merge-method-squash'),
  rebase_label: z.string().default('merge-method-rebase'),
  /** contexts required on top of branch protection's and the non-optional presubmits' */
  required_contexts: z.array(z.string().min(1)).default([]),
  /** contexts never required, even when branch protection lists them */
  optional_contexts: z.array(z.string().min(1)).default([]),
  /** a change targeting the branch with this label freezes merging on it ("" turns it off) */
  freeze_label: z.string().default('merge-queue/freeze'),
  /** times when nothing merges on any branch of the repo */
  freeze_windows: z.array(freezeWindowSchema).default([]),
});

export const mergeQueueSchema = z.strictObject({
  /** how often every pool is recomputed from the forge (events only bring it sooner) */
  sync_period: duration
    // (a malformed duration is already reported by `duration`)
    .refine(
      (d) => !DURATION.test(d) || d === '' || durationSeconds(d) >= 10,
      'must be at least 10s: each sync reads every pool from the forge',
    )
    .default('60s'),
});

export type RepoMergeQueueConfig = z.infer<typeof repoMergeQueueSchema>;
export type MergeQueueConfig = z.infer<typeof mergeQueueSchema>;
