// Label names the plugins share, as Prow spells them.
export const HOLD = 'do-not-merge/hold';
export const APPROVED = 'approved';
export const LGTM = 'lgtm';
export const INVALID_OWNERS = 'do-not-merge/invalid-owners-file';
/** trigger: a trusted user vouched for the change, so its jobs run automatically */
export const OK_TO_TEST = 'ok-to-test';
/** trigger: the author is not trusted and nobody has vouched for the change yet */
export const NEEDS_OK_TO_TEST = 'needs-ok-to-test';
/** merge queue: the forge refused to merge the change for a conflict with its base branch */
export const NEEDS_REBASE = 'needs-rebase';

/** Whether `labels` hold `name`; label names compare case-insensitively, as in Prow. */
export const hasLabel = (labels: readonly string[], name: string): boolean => labels.some((l) => l.toLowerCase() === name.toLowerCase());
