// lgtm: Prow's lgtm plugin. A reviewer vouches for the change with /lgtm; the `lgtm` label goes
// again on the next push unless the pushed tree is the one that was vouched for (store_tree_hash)
// or the author is in the sticky-LGTM team. The same code serves GitHub and GitLab: events arrive
// normalized, and GitLab MR approvals/unapprovals are `review` events 'approved'/'dismissed'.
//
// The whole comment is judged at once in handle() (the command specs carry no run()), because
// Prow tests the add pattern first: a comment holding both "/lgtm" and "/lgtm cancel" adds.
import type { ParsedCommand } from '../../src/core/commands.js';
import type { CommentEvent, ReviewEvent } from '../../src/core/events.js';
import { LGTM } from '../../src/core/labels.js';
import { definePlugin, type PluginContext } from '../../src/core/plugin.js';
import { type Change, type Comment, normLogin, permissionRank } from '../../src/forge/types.js';

type Want = 'add' | 'cancel';

// Prow's patterns, per line: exactly one space before "no-issue"/"cancel", nothing else after.
const ADD = /^\/lgtm(?: no-issue)?\s*$/i;
const CANCEL = /^\/(?:remove-lgtm|lgtm cancel)\s*$/i;

/** What the commands ask for; add wins when both are there (Prow tests add first). */
export function lgtmWant(commands: readonly ParsedCommand[]): Want | undefined {
  const lines = commands.map((c) => c.line);
  if (lines.some((l) => ADD.test(l))) return 'add';
  if (lines.some((l) => CANCEL.test(l))) return 'cancel';
  return undefined;
}

export const REFUSAL = {
  author: 'authors cannot LGTM their own PR. You may still cancel an LGTM with `/lgtm cancel`.',
  collaborator: 'only collaborators with write access to this repository may add or cancel LGTM.',
  owners: 'only reviewers and approvers in the OWNERS files of the changed files may add or cancel LGTM.',
} as const;

export const NEW_CHANGES_NOTICE = 'New changes are detected. LGTM label has been removed.';

// The tree hash the lgtm was given on, in a comment the bot posts when it adds the label. The HTML
// comment is the machine-readable part; only a never-edited bot comment counts (Prow's rule).
const TREE_HASH_MARKER = /<!-- ci-orchestrator:lgtm-tree-hash=([0-9a-f]+) -->/i;

export function treeHashComment(treeHash: string): string {
  return [
    'LGTM label has been added.',
    '',
    '<details>',
    '',
    `Git tree hash: ${treeHash}`,
    '',
    '</details>',
    `<!-- ci-orchestrator:lgtm-tree-hash=${treeHash} -->`,
  ].join('\n');
}

const RETIRED_TREE_HASH_COMMENT = '~~LGTM label has been added.~~ The LGTM was cancelled; the tree hash recorded here no longer counts.';

const isBotComment = (c: Comment, bot: string) => normLogin(c.author) === normLogin(bot);

/** The tree hash of the newest never-edited bot comment that records one. */
export function storedTreeHash(comments: readonly Comment[], bot: string): string | undefined {
  const newestFirst = [...comments].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
  for (const c of newestFirst) {
    const match = TREE_HASH_MARKER.exec(c.body);
    if (match && isBotComment(c, bot) && c.createdAt === c.updatedAt) return match[1]!.toLowerCase();
  }
  return undefined;
}

/** The lgtm label as the change carries it (labels compare case-insensitively, as in Prow). */
const lgtmLabelOf = (change: Change): string | undefined => change.labels.find((l) => l.toLowerCase() === LGTM);

async function stickyAuthor(ctx: PluginContext, change: Change): Promise<boolean> {
  const team = ctx.config.lgtm.trusted_team_for_sticky_lgtm;
  return team !== '' && ctx.forge.isTeamMember(change.ref.repo, team, change.author);
}

/** What the event asks of lgtm, and who asks; undefined when it asks nothing. */
function intentOf(ctx: PluginContext): { want: Want; login: string } | undefined {
  const { event, config, commands } = ctx;
  if (event.kind === 'comment') {
    const want = lgtmWant(commands);
    return want && { want, login: event.comment.author };
  }
  if (event.kind === 'review') {
    // A command in the body overrides the review state (the dispatcher reads no body of a dismissal).
    const fromBody = lgtmWant(commands);
    const fromState = !event.sender.isBot && config.lgtm.review_acts_as_lgtm ? reviewWant(event) : undefined;
    const want = fromBody ?? fromState;
    return want && { want, login: event.review.author };
  }
  return undefined;
}

function reviewWant(event: ReviewEvent): Want | undefined {
  switch (event.action) {
    case 'approved':
      return 'add';
    case 'changes_requested':
      return 'cancel';
    // GitLab's unapproval withdraws an MR approval: the nearest thing to a cancel. A dismissed
    // GitHub review does nothing, as in Prow.
    case 'dismissed':
      return event.forge === 'gitlab' ? 'cancel' : undefined;
    default:
      return undefined;
  }
}

/** Why `login` may not change LGTM on the change, or undefined when they may. */
async function refusal(ctx: PluginContext, change: Change, login: string): Promise<string | undefined> {
  const { forge } = ctx;
  const repo = change.ref.repo;
  if (!ctx.config.owners.skip_collaborators) {
    // GitHub: collaborator with write access; GitLab: project member with Developer access or more.
    return permissionRank[await forge.permission(repo, login)] >= permissionRank.write ? undefined : REFUSAL.collaborator;
  }
  // OWNERS from the base branch as it is now: OWNERS edited in the change itself grant nothing.
  const sha = await forge.branchSha(repo, change.baseRef);
  const { owners } = await ctx.owners.load(forge, repo, sha);
  const files = await forge.listChangedFiles(change.ref);
  const allowed = files.some((f) => owners.reviewers(f).has(login) || owners.approvers(f).has(login));
  return allowed ? undefined : REFUSAL.owners;
}

async function applyLgtm(ctx: PluginContext & { event: CommentEvent | ReviewEvent }, want: Want, who: string): Promise<void> {
  const { forge, config } = ctx;
  const bot = await forge.botLogin();
  const login = normLogin(who);
  if (login === normLogin(bot)) return;
  const change = await ctx.change();
  if (change.state !== 'open') return;

  const isAuthor = login === normLogin(change.author);
  if (isAuthor && want === 'add') return ctx.reply(REFUSAL.author);
  if (!isAuthor) {
    const reason = await refusal(ctx, change, login);
    if (reason) {
      ctx.log.info({ login, want, reason }, 'lgtm refused');
      return ctx.reply(reason);
    }
  }

  const present = lgtmLabelOf(change);
  if (want === 'cancel') {
    if (!present) return;
    await forge.removeLabel(change.ref, present);
    ctx.log.info({ login }, 'lgtm removed');
    // Prow deletes its tree-hash comments here; the Forge cannot delete comments, so they are
    // edited instead, which both drops the marker and makes them "edited" (never counted again).
    if (config.lgtm.store_tree_hash) {
      for (const c of await forge.listComments(change.ref)) {
        if (isBotComment(c, bot) && TREE_HASH_MARKER.test(c.body)) await forge.updateComment(change.ref, c.id, RETIRED_TREE_HASH_COMMENT);
      }
    }
    return;
  }

  if (present) return;
  // Record the tree hash before adding the label, and only when no valid record of it exists yet,
  // so a redelivered event neither leaves an unrecorded lgtm nor posts the record twice.
  if (config.lgtm.store_tree_hash && forge.treeHash && !(await stickyAuthor(ctx, change))) {
    const treeHash = (await forge.treeHash(change.ref.repo, change.headSha)).toLowerCase();
    if (storedTreeHash(await forge.listComments(change.ref), bot) !== treeHash) {
      await forge.createComment(change.ref, treeHashComment(treeHash));
    }
  }
  await forge.addLabel(change.ref, LGTM);
  ctx.log.info({ login }, 'lgtm added');
}

/** A push to the change: lgtm goes, unless the author is sticky or the tree is the vouched one. */
async function onPush(ctx: PluginContext): Promise<void> {
  const { forge, config } = ctx;
  const change = await ctx.change();
  if (change.state !== 'open') return;
  const present = lgtmLabelOf(change);
  if (!present) return;
  if (await stickyAuthor(ctx, change)) return;
  if (config.lgtm.store_tree_hash && forge.treeHash) {
    const stored = storedTreeHash(await forge.listComments(change.ref), await forge.botLogin());
    // A tree hash that cannot be read keeps nothing: lgtm goes, as for any push.
    const current =
      stored &&
      (await forge.treeHash(change.ref.repo, change.headSha).catch((err: unknown) => {
        ctx.log.warn({ err }, 'tree hash unavailable; removing lgtm');
        return undefined;
      }));
    if (stored && current && stored === current.toLowerCase()) {
      ctx.log.info({ treeHash: stored }, 'lgtm kept: the tree is unchanged');
      return;
    }
  }
  await forge.removeLabel(change.ref, present);
  await forge.createComment(change.ref, NEW_CHANGES_NOTICE);
  ctx.log.info({ headSha: change.headSha }, 'lgtm removed: new changes');
}

const WHO =
  'Collaborators with write access (with owners.skip_collaborators: OWNERS reviewers and approvers of the changed files); the author may only cancel';

export default definePlugin({
  name: 'lgtm',
  description: `Adds the ${LGTM} label when a reviewer vouches for the change; a push removes it.`,
  commands: [
    {
      name: 'lgtm',
      args: '[cancel|no-issue]',
      who: WHO,
      help: `Adds the ${LGTM} label; "/lgtm cancel" removes it. Nothing else may follow on the line. A new push removes the label.`,
      example: '/lgtm',
    },
    {
      name: 'remove-lgtm',
      who: WHO,
      help: `Removes the ${LGTM} label (same as "/lgtm cancel").`,
      example: '/remove-lgtm',
    },
  ],
  async handle(ctx) {
    const { event } = ctx;
    if (event.kind === 'pull_request') {
      if (event.action === 'synchronize') await onPush(ctx);
      return;
    }
    if (event.kind !== 'comment' && event.kind !== 'review') return;
    const intent = intentOf(ctx);
    if (intent) await applyLgtm({ ...ctx, event }, intent.want, intent.login);
  },
});
