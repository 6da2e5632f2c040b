// GitHub's Re-run button on one of the bot's check runs (and "Re-run all checks" on its suite): the
// job runs again as `/test <job>` from the person who pressed it would run it, on the change's
// current head (the check run may be on an older one). A postsubmit runs again on its commit.
//
// GitHub shows the button only to people who may write to the repository, but a GitHub App can ask
// for a re-run through the API too, so the sender is judged as a `/test` commenter is: bots are
// ignored, and the sender must be trusted unless the change is.

import { contextOf } from '../../src/config/jobs-schema.js';
import type { RerunRequestEvent } from '../../src/core/events.js';
import type { PluginContext } from '../../src/core/plugin.js';
import { repoFullName } from '../../src/forge/types.js';
import type { RunSummary } from '../../src/jobs/ci-jobs.js';
import { filterPresubmits, lazyChangedFiles, namedFilter } from '../../src/jobs/select-jobs.js';
import { isBotItself, trustedPullRequest, trustedUser } from '../../src/jobs/trust.js';
import { startPresubmits } from './start-jobs.js';

const sameRepo = (a: RunSummary['repo'], b: RunSummary['repo']) =>
  a.forge === b.forge && repoFullName(a).toLowerCase() === repoFullName(b).toLowerCase();

export async function onRerunRequest(ctx: PluginContext, event: RerunRequestEvent): Promise<void> {
  const { forge, config, log } = ctx;
  const who = event.sender.login;
  if (event.sender.isBot || isBotItself(who, await forge.botLogin())) {
    log.info({ login: who }, 're-run request ignored: it comes from a bot');
    return;
  }
  const checks = event.checkRun
    ? [event.checkRun]
    : event.checkSuiteId !== undefined && forge.listCheckSuiteRuns
      ? await forge.listCheckSuiteRuns(event.repo, event.checkSuiteId)
      : [];

  // Each check run names its run (external id); the run says which change and job it was.
  const ids = checks.flatMap((c) => (c.externalId ? [c.externalId] : []));
  const runs = (await ctx.ci.runStates(ids)).filter((run): run is RunSummary => run !== undefined && sameRepo(run.repo, event.repo));
  const presubmits = new Map<number, Set<string>>();
  const postsubmits: RunSummary[] = [];
  const want = (change: number, job: string) => presubmits.set(change, (presubmits.get(change) ?? new Set()).add(job));
  for (const check of checks) {
    const run = runs.find((r) => r.id === check.externalId);
    if (run?.type === 'presubmit' && run.change !== undefined) want(run.change, run.job);
    else if (run?.type === 'postsubmit') postsubmits.push(run);
    else if (!run) {
      // A run the store no longer keeps: its context names the job, GitHub names the changes.
      const job = config.presubmits.find((j) => contextOf(j) === check.name);
      if (job) for (const number of event.changeNumbers) want(number, job.name);
      else log.info({ check: check.name }, 're-run request for a check run no configured job reports: ignored');
    }
  }

  const sender = presubmits.size + postsubmits.length > 0 ? await trustedUser(forge, event.repo, config.trigger, who) : undefined;
  for (const [number, names] of presubmits) {
    const change = await forge.getChange({ repo: event.repo, number });
    if (change.state !== 'open') {
      log.info({ change: number, jobs: [...names] }, 're-run request ignored: the change is not open');
      continue;
    }
    if (!sender?.trusted && !(await trustedPullRequest(forge, event.repo, config.trigger, change))) {
      log.info({ login: who, reason: sender?.reason, change: number }, 're-run refused: untrusted user on an untrusted change');
      continue;
    }
    const changes = lazyChangedFiles(() => forge.listChangedFiles(change.ref));
    const jobs = await filterPresubmits(config.presubmits, namedFilter(names), change.baseRef, changes);
    await startPresubmits(ctx, change, jobs, `re-run requested by @${who} on GitHub`);
  }
  if (postsubmits.length > 0 && !sender?.trusted) {
    log.info({ login: who, reason: sender?.reason }, 'postsubmit re-run refused: untrusted user');
    return;
  }
  for (const run of postsubmits) {
    const job = config.postsubmits.find((j) => j.name === run.job);
    if (!job) continue;
    const outcomes = await ctx.ci.start([
      {
        type: 'postsubmit',
        job,
        repo: event.repo,
        installationId: event.installationId,
        cloneUrl: await forge.cloneUrl(event.repo),
        baseRef: run.baseRef,
        baseSha: run.sha,
        reason: `re-run requested by @${who} on GitHub`,
      },
    ]);
    log.info({ outcomes, branch: run.baseRef }, 'postsubmit re-run requested');
  }
}
