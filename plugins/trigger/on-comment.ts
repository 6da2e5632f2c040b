// A comment (or review body) on a change: Prow's generic-comment flow.
import type { CommentEvent, ReviewEvent } from '../../src/core/events.js';
import { NEEDS_OK_TO_TEST, OK_TO_TEST } from '../../src/core/labels.js';
import type { PluginContext } from '../../src/core/plugin.js';
import type { Change } from '../../src/forge/types.js';
import { helpNote, isRelevant, OK_TO_TEST_CANCEL_RE, OK_TO_TEST_RE, stripCodeBlocks } from '../../src/jobs/job-patterns.js';
import { commentFilter, filterPresubmits, lazyChangedFiles } from '../../src/jobs/select-jobs.js';
import { isBotItself, trustedPullRequest, trustedUser } from '../../src/jobs/trust.js';
import { cancelRefusal, helpMessage, untrustedReply } from './messages.js';
import { startPresubmits } from './start-jobs.js';

/** The text and author of a newly written comment or review; edits and dismissals act on nothing. */
function writtenText(event: CommentEvent | ReviewEvent): { body: string; author: string } | undefined {
  if (event.kind === 'comment') return event.action === 'created' ? event.comment : undefined;
  return event.action === 'dismissed' ? undefined : event.review;
}

export async function onComment(ctx: PluginContext, event: CommentEvent | ReviewEvent): Promise<void> {
  const written = writtenText(event);
  if (!written || event.change.state !== 'open') return;
  const { forge, config } = ctx;
  const honourOkToTest = !config.trigger.ignore_ok_to_test;
  if (!isRelevant(stripCodeBlocks(written.body), config.presubmits, honourOkToTest)) return;
  // The dispatcher's rule for commands, repeated because a custom trigger need not be a command.
  if (event.sender.isBot || isBotItself(event.sender.login, await forge.botLogin())) return;

  const change = await ctx.change();
  if (change.state !== 'open') return;
  const repo = change.ref.repo;
  const commenter = await trustedUser(forge, repo, config.trigger, written.author);
  if (!commenter.trusted && !(await trustedPullRequest(forge, repo, config.trigger, change))) {
    ctx.log.info({ login: written.author, reason: commenter.reason }, 'testing refused: untrusted user on an untrusted change');
    return ctx.reply(untrustedReply(config.trigger, commenter.reason));
  }

  // Past the gate, Prow reads the whole text again, code blocks included.
  const { body } = written;
  const labels = labelWriter(ctx, change);
  if (honourOkToTest && OK_TO_TEST_RE.test(body)) await labels.add(OK_TO_TEST);
  if (labels.has(OK_TO_TEST)) await labels.remove(NEEDS_OK_TO_TEST);
  if (honourOkToTest && OK_TO_TEST_CANCEL_RE.test(body)) {
    // Revoking needs the commenter's own trust, not the change's.
    if (!commenter.trusted) return ctx.reply(cancelRefusal(commenter.reason));
    await labels.remove(OK_TO_TEST);
    await labels.add(NEEDS_OK_TO_TEST);
    return;
  }

  const filter = await commentFilter(body, honourOkToTest, () => forge.listStatuses(repo, change.headSha));
  const changes = lazyChangedFiles(() => forge.listChangedFiles(change.ref));
  const jobs = await filterPresubmits(config.presubmits, filter, change.baseRef, changes);
  const note = helpNote(body, jobs.length);
  if (note !== undefined) return ctx.reply(helpMessage(config.presubmits, repo, change.baseRef, note));
  await startPresubmits(ctx, change, jobs, `comment by @${written.author}`);
}

/** Adds and removes labels, skipping writes the change's labels make needless. */
function labelWriter(ctx: PluginContext, change: Change) {
  const present = new Set(change.labels.map((l) => l.toLowerCase()));
  return {
    has: (label: string) => present.has(label),
    async add(label: string) {
      if (present.has(label)) return;
      await ctx.forge.addLabel(change.ref, label);
      present.add(label);
    },
    async remove(label: string) {
      if (!present.has(label)) return;
      await ctx.forge.removeLabel(change.ref, label);
      present.delete(label);
    },
  };
}
