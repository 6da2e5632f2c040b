// Who has approved a change, recomputed from scratch from its comments and reviews (Prow's approve
// plugin, §3.6 of Prow's semantics), so the result never drifts from what the forge shows.

import type { ApproveConfig } from '../../src/config/schema.js';
import { type ParsedCommand, parseCommands } from '../../src/core/commands.js';
import { normLogin, type ReviewState } from '../../src/forge/types.js';

/** A comment, or a review with its body, in the change's history. */
export interface HistoryItem {
  author: string;
  body: string;
  /** ISO time; items are applied in this order */
  at: string;
  url: string;
  reviewState?: ReviewState;
}

export type ApprovalHow = 'Approved' | 'LGTM' | 'Author self-approved';

export interface Approval {
  /** as typed by the forge */
  login: string;
  how: ApprovalHow;
  reference: string;
}

export interface CollectInput {
  author: string;
  changeUrl: string;
  items: HistoryItem[];
  options: ApproveConfig;
}

/** Approvals keyed by normalized login. */
export function collectApprovals({ author, changeUrl, items, options }: CollectInput): Map<string, Approval> {
  const approvals = new Map<string, Approval>();
  const add = (login: string, how: ApprovalHow, reference: string) => approvals.set(normLogin(login), { login, how, reference });
  const remove = (login: string) => approvals.delete(normLogin(login));
  const isAuthor = (login: string) => normLogin(login) === normLogin(author);

  if (!options.require_self_approval) add(author, 'Author self-approved', `${changeUrl}#`);

  const ordered = items.map((item, index) => ({ item, index })).sort((a, b) => a.item.at.localeCompare(b.item.at) || a.index - b.index);
  for (const { item } of ordered) {
    if (item.reviewState && !options.ignore_review_state) {
      if (item.reviewState === 'approved') add(item.author, 'Approved', item.url);
      else if (item.reviewState === 'changes_requested') remove(item.author);
      // dismissed: neither approves nor cancels an earlier approval
    }
    for (const command of parseCommands(item.body)) {
      const name = command.name.toLowerCase();
      const cancels = command.args.join(' ').toLowerCase().includes('cancel');
      if (name === 'remove-approve' || ((name === 'approve' || (name === 'lgtm' && options.lgtm_acts_as_approve)) && cancels)) {
        remove(item.author);
      } else if (name === 'approve') {
        add(item.author, 'Approved', item.url);
      } else if (name === 'lgtm' && options.lgtm_acts_as_approve) {
        add(item.author, isAuthor(item.author) ? 'Author self-approved' : 'LGTM', item.url);
      }
    }
  }
  return approvals;
}

/** Whether the commands hold one the approve plugin reacts to. */
export function hasApprovalCommand(commands: readonly ParsedCommand[], options: ApproveConfig): boolean {
  return commands.some(({ name }) => {
    const lower = name.toLowerCase();
    return lower === 'approve' || lower === 'remove-approve' || (lower === 'lgtm' && options.lgtm_acts_as_approve);
  });
}
