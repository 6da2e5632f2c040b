// Label names the plugins share, as Prow spells them.
export const HOLD = 'do-not-merge/hold';
