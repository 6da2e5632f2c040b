// Label names the plugins share, as Prow spells them.
export const HOLD = 'do-not-merge/hold';
export const APPROVED = 'approved';
export const LGTM = 'lgtm';
export const INVALID_OWNERS = 'do-not-merge/invalid-owners-file';
