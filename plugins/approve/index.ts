// approve: Prow's approve plugin. Approval follows OWNERS files read from the base branch; it is
// recomputed from all comments and reviews on every relevant event, so it never drifts. The result
// is the `approved` label and one notification comment, edited in place.

import { APPROVED, INVALID_OWNERS } from '../../src/core/labels.js';
import { definePlugin, type PluginContext } from '../../src/core/plugin.js';
import { rememberBranchHead } from '../../src/forge/read-cache.js';
import type { Change } from '../../src/forge/types.js';
import { hasApprovalCommand } from './collect-approvals.js';
import { deriveApproval } from './derive-approval.js';
import { isNotification, renderNotification } from './notification.js';

/** Events after which approval may have changed (Prow's list). */
function isRelevant({ event, commands, config }: PluginContext): boolean {
  const options = config.approve;
  switch (event.kind) {
    case 'comment':
      return hasApprovalCommand(commands, options);
    case 'review':
      return hasApprovalCommand(commands, options) || (!event.sender.isBot && !options.ignore_review_state && event.action !== 'commented');
    case 'pull_request':
      return (
        ['opened', 'reopened', 'synchronize'].includes(event.action) ||
        (event.action === 'labeled' && event.label === APPROVED && !event.sender.isBot)
      );
    default:
      return false;
  }
}

/** A file's page on the base branch, derived from the change's own URL. */
function fileUrl(change: Change, path: string): string {
  return change.ref.repo.forge === 'gitlab'
    ? change.url.replace(/\/-\/merge_requests\/\d+$/, `/-/blob/${change.baseRef}/${path}`)
    : change.url.replace(/\/pull\/\d+$/, `/blob/${change.baseRef}/${path}`);
}

async function recompute(ctx: PluginContext): Promise<void> {
  const { forge } = ctx;
  const change = await ctx.change();
  if (change.state !== 'open') return;
  const verdict = await deriveApproval(forge, ctx.owners, change, ctx.config.approve);
  const has = (label: string) => change.labels.includes(label);

  if (verdict.approved && !has(APPROVED)) await forge.addLabel(change.ref, APPROVED);
  if (!verdict.approved && has(APPROVED)) await forge.removeLabel(change.ref, APPROVED);
  if (verdict.ownersErrors.length > 0 && !has(INVALID_OWNERS)) await forge.addLabel(change.ref, INVALID_OWNERS);
  if (verdict.ownersErrors.length === 0 && has(INVALID_OWNERS)) await forge.removeLabel(change.ref, INVALID_OWNERS);

  const body = renderNotification({
    ...verdict,
    fileUrl: (path) => fileUrl(change, path),
    userUrl: (login) => `${new URL(change.url).origin}/${login}`,
  });
  const bot = await forge.botLogin();
  const existing = verdict.comments.filter((c) => c.author.toLowerCase() === bot.toLowerCase() && isNotification(c.body)).at(-1);
  if (!existing) await forge.createComment(change.ref, body);
  else if (existing.body !== body) await forge.updateComment(change.ref, existing.id, body);
  ctx.log.info({ approved: verdict.approved, manual: verdict.manual, ownersErrors: verdict.ownersErrors.length }, 'approval recomputed');
}

export default definePlugin({
  name: 'approve',
  description: 'Adds the approved label once an approver from the OWNERS files covering every changed file has approved.',
  commands: [
    {
      name: 'approve',
      args: '[no-issue|cancel]',
      who: 'Anyone; it counts only for approvers in the OWNERS files of the changed files',
      help: 'Approves the change; "/approve cancel" withdraws your approval. Approval is recomputed from all comments and reviews.',
      example: '/approve',
    },
    {
      name: 'remove-approve',
      who: 'Anyone',
      help: 'Withdraws your approval.',
      example: '/remove-approve',
    },
  ],
  async handle(ctx) {
    const { event } = ctx;
    if (event.kind === 'push') rememberBranchHead(ctx.forge, event.repo, event.branch, event.after);
    if (isRelevant(ctx)) await recompute(ctx);
  },
});
