// `ci-orchestrator run JOB --repo owner/name --pr N`: reproduces a presubmit on this machine. It
// builds the dispatch document the bot would send (the PR's head merged into the base branch's
// current head) and, for a `command` job, runs the script here as a worker would, printing its log.
import type { Logger } from 'pino';
import { Probot } from 'probot';
import { pluginNames } from '../plugins/index.js';
import { formatProblem } from './config/config-problem.js';
import { EnvError, type Options } from './config/env.js';
import { RepoFileLoader } from './config/in-repo/repo-file-loader.js';
import { durationSeconds, type Presubmit, type RunnerConfig } from './config/jobs-schema.js';
import { repoConfigResolver } from './config/resolve-repo-config.js';
import { createForgeProvider } from './forge/forge-provider.js';
import { gitAuthHeader } from './forge/git-auth.js';
import { ForgeOctokit } from './forge/github/forge-octokit.js';
import { type ForgeKind, parseRepoFullName } from './forge/types.js';
import { dispatchDocument } from './jobs/dispatch-document.js';
import { newRun } from './jobs/new-run.js';
import { runCommandJob } from './runners/command/run-command-job.js';
import { loadConfig } from './runtime.js';

export interface RunLocallyArgs {
  job: string;
  repo: string;
  pr: number;
  forge: ForgeKind;
  /** print the dispatch document instead of running anything */
  dryRun: boolean;
}

/** A problem with what the user asked for; the CLI prints it and exits 2. */
export class RunLocallyError extends Error {}

export async function runLocally(args: RunLocallyArgs, options: Options, log: Logger, out: NodeJS.WritableStream): Promise<number> {
  const config = await loadConfig(options, log);
  const repo = parseRepoFullName(args.forge, args.repo);
  const operator = repoConfigResolver(config, pluginNames())(repo);
  const noSuchJob = (presubmits: readonly Presubmit[]) =>
    new RunLocallyError(
      `${args.repo} has no presubmit "${args.job}"${presubmits.length > 0 ? ` (it has: ${presubmits.map((j) => j.name).join(', ')})` : ''}`,
    );
  // A job of the repository's own file is known once its default branch is read, below.
  let job = operator.presubmits.find((j) => j.name === args.job);
  if (!job && !operator.inRepoConfig) throw noSuchJob(operator.presubmits);

  let probot: Probot | undefined;
  let installationId: number | undefined;
  if (args.forge === 'github') {
    if (!options.github) throw new EnvError('reading a GitHub PR needs the App credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET)');
    probot = new Probot({
      Octokit: ForgeOctokit,
      appId: options.github.appId,
      privateKey: options.github.privateKey,
      baseUrl: options.github.baseUrl,
      log: log.child({ name: 'probot' }),
    });
    const app = await probot.auth();
    installationId = (await app.rest.apps.getRepoInstallation({ owner: repo.owner, repo: repo.name })).data.id;
  } else if (!options.gitlab) {
    throw new EnvError('reading a GitLab MR needs GITLAB_TOKEN (and GITLAB_URL, GITLAB_WEBHOOK_SECRET)');
  }
  const forge = await createForgeProvider({ probot, gitlab: options.gitlab }).forRepo(repo, installationId);
  if (!job) {
    const { config: withFile, problems } = await new RepoFileLoader().effective(forge, repo, operator);
    for (const problem of problems ?? []) log.warn(`repository configuration file set aside: ${formatProblem(problem)}`);
    job = withFile.presubmits.find((j) => j.name === args.job);
    if (!job) throw noSuchJob(withFile.presubmits);
  }
  const runner: RunnerConfig | undefined = config.runners[job.runner];
  const change = await forge.getChange({ repo, number: args.pr });
  const run = newRun({
    type: 'presubmit',
    job,
    repo,
    installationId,
    cloneUrl: await forge.cloneUrl(repo),
    baseRef: change.baseRef,
    baseSha: await forge.branchSha(repo, change.baseRef),
    pull: { number: change.ref.number, sha: change.headSha, author: change.author, title: change.title, ref: change.headRef },
    reason: 'run locally',
  });
  const doc = dispatchDocument(run, '', options.publicUrl ?? `http://localhost:${options.port}`);

  if (args.dryRun || runner?.type !== 'command') {
    out.write(`${JSON.stringify({ ...doc, callback: undefined }, null, 2)}\n`);
    if (args.dryRun) return 0;
    throw new RunLocallyError(
      `"${job.name}" runs on the ${runner?.type} runner "${job.runner}": only command jobs run locally; above is the document that runner would receive`,
    );
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    out.write(
      `# ${job.name} on ${args.repo}#${args.pr}: ${change.baseRef}@${doc.refs.base_sha.slice(0, 12)} + ${change.headSha.slice(0, 12)}, in ${options.workDir}\n`,
    );
    const result = await runCommandJob(doc, runner, {
      workRoot: options.workDir,
      gitAuthHeader: await gitAuthHeader(args.forge, installationId, probot, options.gitlab?.token),
      onOutput: (chunk) => out.write(chunk),
      signal: abort.signal,
      timeoutMs: durationSeconds(job.timeout) * 1000,
    });
    out.write(`# ${result.state}: ${result.description}\n`);
    return result.state === 'success' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
