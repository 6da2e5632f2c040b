// Turning selected jobs into start requests. The CI service de-duplicates, queues and reports; this
// only says which jobs, on which refs, and why.
import type { Postsubmit, Presubmit } from '../../src/config/jobs-schema.js';
import type { PushEvent } from '../../src/core/events.js';
import type { PluginContext } from '../../src/core/plugin.js';
import type { Change } from '../../src/forge/types.js';
import { filterPresubmits, lazyChangedFiles, testAllFilter } from '../../src/jobs/select-jobs.js';

/** Starts presubmits on the change merged into the current tip of its base branch. */
export async function startPresubmits(ctx: PluginContext, change: Change, jobs: readonly Presubmit[], reason: string): Promise<void> {
  if (jobs.length === 0) return;
  // As Prow: a change the forge reports as unmergeable (conflicts) gets no runs.
  if (change.mergeable === false) {
    ctx.log.info({ jobs: jobs.map((j) => j.name), reason }, 'not starting jobs: the change is not mergeable');
    return;
  }
  const repo = change.ref.repo;
  const [cloneUrl, baseSha] = await Promise.all([ctx.forge.cloneUrl(repo), ctx.forge.branchSha(repo, change.baseRef)]);
  const outcomes = await ctx.ci.start(
    jobs.map((job) => ({
      type: 'presubmit' as const,
      job,
      repo,
      installationId: ctx.event.installationId,
      cloneUrl,
      baseRef: change.baseRef,
      baseSha,
      reason,
      pull: { number: change.ref.number, sha: change.headSha, author: change.author, title: change.title, ref: change.headRef },
    })),
  );
  ctx.log.info({ outcomes, reason }, 'presubmits requested');
}

/** Prow's "run all automatic jobs": what `/test all` would select. */
export async function startAutomaticJobs(ctx: PluginContext, change: Change, reason: string): Promise<void> {
  const changes = lazyChangedFiles(() => ctx.forge.listChangedFiles(change.ref));
  await startPresubmits(ctx, change, await filterPresubmits(ctx.config.presubmits, testAllFilter, change.baseRef, changes), reason);
}

/** Starts postsubmits on the pushed commit. */
export async function startPostsubmits(ctx: PluginContext, push: PushEvent, jobs: readonly Postsubmit[]): Promise<void> {
  if (jobs.length === 0) return;
  const cloneUrl = await ctx.forge.cloneUrl(push.repo);
  const outcomes = await ctx.ci.start(
    jobs.map((job) => ({
      type: 'postsubmit' as const,
      job,
      repo: push.repo,
      installationId: push.installationId,
      cloneUrl,
      baseRef: push.branch,
      baseSha: push.after,
      reason: `push to ${push.branch} by @${push.sender.login}`,
    })),
  );
  ctx.log.info({ outcomes, branch: push.branch }, 'postsubmits requested');
}
