// Pull-request events: Prow's trigger flow for them.
import type { PullRequestEvent } from '../../src/core/events.js';
import { hasLabel, LGTM, NEEDS_OK_TO_TEST, OK_TO_TEST } from '../../src/core/labels.js';
import type { PluginContext } from '../../src/core/plugin.js';
import { isBotItself, trustedPullRequest, trustedUser } from '../../src/jobs/trust.js';
import { DRAFT_NOTICE, welcomeMessage } from './messages.js';
import { startAutomaticJobs } from './start-jobs.js';

export async function onPullRequest(ctx: PluginContext, event: PullRequestEvent): Promise<void> {
  if (ctx.config.presubmits.length === 0) return;
  const ref = { repo: event.repo, number: event.change.number };
  switch (event.action) {
    case 'opened':
      return onOpened(ctx);
    case 'reopened':
    case 'ready_for_review':
      return startIfTrusted(ctx, `pull request ${event.action}`);
    case 'synchronize':
      // The old head's runs are worthless now; abort them before the new head's runs start.
      await ctx.ci.abortChange(ref, 'aborted by trigger: new commits were pushed');
      return startIfTrusted(ctx, 'new commits pushed');
    case 'closed':
      await ctx.ci.abortChange(ref, 'aborted by trigger: the change was closed');
      return;
    case 'labeled':
      return onLabeled(ctx, event);
    default:
      // `edited` acts in Prow only when the base branch changed, which our event does not tell.
      return;
  }
}

async function onOpened(ctx: PluginContext): Promise<void> {
  const { forge, config } = ctx;
  const change = await ctx.change();
  const author = await trustedUser(forge, change.ref.repo, config.trigger, change.author);
  if (author.trusted) {
    if (change.draft) {
      await forge.createComment(change.ref, DRAFT_NOTICE);
      return;
    }
    return startAutomaticJobs(ctx, change, 'pull request opened');
  }
  ctx.log.info({ author: change.author, reason: author.reason }, 'untrusted author: waiting for /ok-to-test');
  await forge.createComment(change.ref, welcomeMessage(change, config.trigger));
  if (!config.trigger.ignore_ok_to_test && !hasLabel(change.labels, OK_TO_TEST)) await forge.addLabel(change.ref, NEEDS_OK_TO_TEST);
}

/** Runs the automatic jobs of a trusted change that is not a draft. */
async function startIfTrusted(ctx: PluginContext, reason: string): Promise<void> {
  const change = await ctx.change();
  if (!(await trustedPullRequest(ctx.forge, change.ref.repo, ctx.config.trigger, change))) return;
  if (hasLabel(change.labels, NEEDS_OK_TO_TEST)) await ctx.forge.removeLabel(change.ref, NEEDS_OK_TO_TEST);
  if (!change.draft) await startAutomaticJobs(ctx, change, reason);
}

async function onLabeled(ctx: PluginContext, event: PullRequestEvent): Promise<void> {
  const label = event.label?.toLowerCase();
  if (label === LGTM) {
    // An lgtm vouches for an untrusted change once; a trusted one is tested anyway.
    const change = await ctx.change();
    if (change.draft || (await trustedPullRequest(ctx.forge, change.ref.repo, ctx.config.trigger, change))) return;
    return startAutomaticJobs(ctx, change, `${LGTM} label added to an untrusted change`);
  }
  if (label === OK_TO_TEST && !ctx.config.trigger.ignore_ok_to_test) {
    // The bot adds the label on /ok-to-test, whose comment has started the jobs already.
    if (isBotItself(event.sender.login, await ctx.forge.botLogin())) return;
    return startIfTrusted(ctx, `${OK_TO_TEST} label added by @${event.sender.login}`);
  }
}
