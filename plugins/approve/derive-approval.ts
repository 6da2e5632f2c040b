// Whether a change is approved, derived from forge state alone: its changed files, its comments and
// reviews, and the OWNERS files of its base branch at that branch's current sha (never the PR's own
// OWNERS edits). The merge queue calls this too, since labels are outputs, not trust.
import type { ApproveConfig } from '../../src/config/schema.js';
import { APPROVED } from '../../src/core/labels.js';
import { branchHead, changedFiles } from '../../src/forge/read-cache.js';
import { type Change, type Comment, type Forge, normLogin } from '../../src/forge/types.js';
import { type ApprovalState, computeApprovalState, type OwnersFileError, type OwnersResolver, parentDir } from '../../src/owners/index.js';
import { type Approval, collectApprovals, type HistoryItem } from './collect-approvals.js';

export interface ApprovalVerdict {
  /** the OWNERS rules are met, or a person added the approved label */
  approved: boolean;
  /** the OWNERS rules are met */
  filesApproved: boolean;
  /** a person (not the bot) added the approved label while the rules are not met */
  manual: boolean;
  approvals: Approval[];
  /** undefined when OWNERS files could not be read: then nothing is approved through them */
  state?: ApprovalState;
  ownersErrors: OwnersFileError[];
  /** the change's comments as read for this verdict (the notification lives among them) */
  comments: Comment[];
}

/** Whether the OWNERS file at `path` (or OWNERS_ALIASES, which every file depends on) governs any of `files`. */
function governsAny(path: string, files: string[]): boolean {
  const dir = parentDir(path);
  return dir === '' || files.some((file) => file.startsWith(`${dir}/`)); // '': root OWNERS or OWNERS_ALIASES
}

/** A link to a comment or review on the change's page, as each forge anchors them. */
function anchor(change: Change, kind: 'comment' | 'review', id: number): string {
  if (change.ref.repo.forge === 'gitlab') return kind === 'comment' ? `${change.url}#note_${id}` : change.url;
  return `${change.url}#${kind === 'comment' ? 'issuecomment' : 'pullrequestreview'}-${id}`;
}

const isBotLogin = (login: string, bot: string) => normLogin(login) === normLogin(bot) || login.endsWith('[bot]');

export async function deriveApproval(
  forge: Forge,
  owners: OwnersResolver,
  change: Change,
  options: ApproveConfig,
): Promise<ApprovalVerdict> {
  const ref = change.ref;
  const [files, comments, reviews, baseSha, bot] = await Promise.all([
    changedFiles(forge, change),
    forge.listComments(ref),
    options.ignore_review_state ? Promise.resolve([]) : forge.listReviews(ref),
    branchHead(forge, ref.repo, change.baseRef),
    forge.botLogin(),
  ]);
  const snapshot = await owners.load(forge, ref.repo, baseSha);
  const items: HistoryItem[] = [
    // An edited comment is not trusted: anyone with write access could have put a command in it.
    ...comments
      .filter((c) => !isBotLogin(c.author, bot) && c.createdAt === c.updatedAt)
      .map((c) => ({ author: c.author, body: c.body, at: c.createdAt, url: anchor(change, 'comment', c.id) })),
    ...reviews
      .filter((r) => !isBotLogin(r.author, bot))
      .map((r) => ({ author: r.author, body: r.body, at: r.submittedAt, url: anchor(change, 'review', r.id), reviewState: r.state })),
  ];
  const approvals = collectApprovals({ author: change.author, changeUrl: change.url, items, options });
  // Only OWNERS files that govern a changed file (and the aliases) can sway this verdict; a broken
  // file elsewhere in the repo does not block every change.
  const ownersErrors = snapshot.errors.filter((e) => governsAny(e.file, files));
  const state = ownersErrors.length > 0 ? undefined : computeApprovalState(snapshot.owners, files, approvals.keys(), { seed: ref.number });
  const filesApproved = state?.filesApproved ?? false;
  let manual = false;
  if (!filesApproved && change.labels.includes(APPROVED)) {
    const labeler = await forge.lastLabeler(ref, APPROVED);
    manual = labeler !== undefined && !isBotLogin(labeler, bot);
  }
  return { approved: filesApproved || manual, filesApproved, manual, approvals: [...approvals.values()], state, ownersErrors, comments };
}
