// The configuration an event is handled with: the operator's for the repository, with the
// repository's own file merged in when the operator enables it and the file is valid. Handling
// never fails for the file: a file set aside is logged, and on an event where the bot acts on a
// change (a change opened or pushed to, a command) the change gets one comment saying why; as in
// Prow, the operator's jobs still run.
import type { Logger } from 'pino';
import { parseCommands } from '../../core/commands.js';
import type { NormalizedEvent } from '../../core/events.js';
import { rememberBranchHead } from '../../forge/read-cache.js';
import { type Forge, repoFullName } from '../../forge/types.js';
import { formatProblem } from '../config-problem.js';
import type { RepoConfig } from '../schema.js';
import type { RepoFileLoader } from './repo-file-loader.js';
import { reportRepoFileProblems } from './report-repo-file-problems.js';

type ForgeEvent = Exclude<NormalizedEvent, { kind: 'runner' }>;

export async function configForEvent(
  event: ForgeEvent,
  forge: Forge,
  operator: RepoConfig,
  loader: RepoFileLoader,
  log: Logger,
): Promise<RepoConfig> {
  if (!operator.inRepoConfig?.enabled) return operator;
  // A push says where its branch is now: the default branch's file is read at the pushed commit.
  if (event.kind === 'push' && !event.deleted) rememberBranchHead(forge, event.repo, event.branch, event.after);
  const repo = repoFullName(event.repo);
  let effective;
  try {
    effective = await loader.effective(forge, event.repo, operator);
  } catch (err) {
    log.warn(
      { err, repo, delivery: event.deliveryId },
      "repository configuration file: cannot read it; the operator's configuration applies",
    );
    return operator;
  }
  const { problems, read } = effective;
  if (problems && read) {
    log.warn(
      { repo, branch: read.branch, sha: read.sha, delivery: event.deliveryId, problems: problems.map(formatProblem) },
      "repository configuration file set aside: the operator's configuration applies",
    );
    if ('change' in event && actsOnChange(event)) {
      await reportRepoFileProblems(forge, { repo: event.repo, number: event.change.number }, problems, read).catch((err: unknown) =>
        log.warn({ err, repo }, 'repository configuration file: could not comment on the change'),
      );
    }
  }
  return effective.config;
}

/** Events on which the bot may act on a change: where a comment about its configuration belongs. */
function actsOnChange(event: ForgeEvent): boolean {
  switch (event.kind) {
    case 'pull_request':
      return ['opened', 'reopened', 'synchronize', 'ready_for_review'].includes(event.action);
    case 'comment':
      return event.action === 'created' && !event.sender.isBot && parseCommands(event.comment.body).length > 0;
    case 'review':
      return event.action !== 'dismissed' && !event.sender.isBot && parseCommands(event.review.body).length > 0;
    default:
      return false;
  }
}
