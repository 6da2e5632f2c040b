// The approval notification: one comment per change, found again by its marker and edited in place.
// Its wording follows Prow's [APPROVALNOTIFIER] so Prow users recognise it.
import type { ApprovalState, OwnersFileError } from '../../src/owners/index.js';
import type { Approval } from './collect-approvals.js';

export const NOTIFICATION_MARKER = '[APPROVALNOTIFIER]';

export interface NotificationInput {
  approved: boolean;
  /** the approved label was added by a person, bypassing the OWNERS rules */
  manual: boolean;
  approvals: Approval[];
  /** undefined when the OWNERS files could not all be read */
  state?: ApprovalState;
  ownersErrors: OwnersFileError[];
  /** web link to a file on the base branch */
  fileUrl(path: string): string;
  /** web link to a user's profile */
  userUrl(login: string): string;
}

export function renderNotification(input: NotificationInput): string {
  const { approved, manual, approvals, state, ownersErrors } = input;
  const lines = [`${NOTIFICATION_MARKER} This PR is **${approved ? 'APPROVED' : 'NOT APPROVED'}**`, ''];
  if (manual && !state?.filesApproved) {
    lines.push('Approval requirements bypassed by manually added approval.', '');
  }
  const by = [...approvals]
    .sort((a, b) => a.login.toLowerCase().localeCompare(b.login.toLowerCase()))
    .map((a) => `*<a href="${a.reference}" title="${a.how}">${a.login}</a>*`);
  lines.push(`This pull-request has been approved by: ${by.join(', ')}`);

  if (ownersErrors.length > 0) {
    lines.push(
      '',
      '**The OWNERS files on the base branch could not all be read, so this PR cannot be approved through them.** Fix these on the base branch:',
      '',
    );
    for (const error of ownersErrors) lines.push(`- \`${error.file}\`: ${error.problem}`);
  }
  const suggested = state?.suggested ?? [];
  if (state && !state.filesApproved && !manual && suggested.length > 0) {
    lines.push(
      '',
      `**Once this PR has been reviewed and has the lgtm label**, please ask for approval from ${suggested.map((l) => `[${l}](${input.userUrl(l)})`).join(', ')}.`,
    );
  }
  lines.push('', 'The full list of commands accepted by this bot can be found by commenting `/help`.');

  if (state) {
    lines.push('', `<details${approved ? '' : ' open'}>`, 'Needs approval from an approver in each of these files:', '');
    for (const dir of state.dirs) {
      const link = `[${dir.ownersFile}](${input.fileUrl(dir.ownersFile)})`;
      const who = dir.approvedBy.length > 0 ? ` [${dir.approvedBy.join(', ')}]` : '';
      lines.push(dir.approved ? `- ~~${link}~~${who}` : `- **${link}**${who}`);
      if (!dir.approved && who) lines.push('  > more approvers are needed for the files this approval does not cover');
    }
    lines.push(
      '',
      'Approvers can indicate their approval by writing `/approve` in a comment',
      'Approvers can cancel approval by writing `/approve cancel` in a comment',
      '</details>',
    );
  }
  lines.push(`<!-- META=${JSON.stringify({ approvers: suggested })} -->`);
  return lines.join('\n');
}

export const isNotification = (body: string): boolean => body.trimStart().toUpperCase().startsWith(NOTIFICATION_MARKER);
