// Telling a change's people that the repository's file was set aside: one comment per change and
// per set of problems (a marker in the comment says which), so every event that finds the same
// broken file does not comment again.
import { createHash } from 'node:crypto';
import { type ChangeRef, type Forge, normLogin } from '../../forge/types.js';
import { type ConfigProblem, formatProblem } from '../config-problem.js';
import { REPO_FILE_PATH } from './settings.js';

const MARKER = 'ci-orchestrator:repo-file-problems';

export function repoFileProblemsComment(problems: readonly ConfigProblem[], read: { branch: string; sha: string }): string {
  const lines = problems.map(formatProblem);
  const digest = createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
  // Backticks would end the code block: the text comes from the file.
  const listed = lines.map((line) => line.replace(/`/g, "'")).join('\n');
  return [
    `The repository's configuration file \`${REPO_FILE_PATH}\` (on \`${read.branch}\` at ${read.sha.slice(0, 12)}) cannot be used,` +
      " so only the operator's configuration applies here: the jobs and options the file sets are ignored until it is fixed.",
    '',
    '```text',
    listed,
    '```',
    '',
    `Fix it on \`${read.branch}\`; \`ci-orchestrator check-config --repo-file ${REPO_FILE_PATH}\` checks it beforehand.`,
    `<!-- ${MARKER} ${digest} -->`,
  ].join('\n');
}

/** Comments on the change unless a comment of the bot already says the same. */
export async function reportRepoFileProblems(
  forge: Forge,
  change: ChangeRef,
  problems: readonly ConfigProblem[],
  read: { branch: string; sha: string },
): Promise<boolean> {
  const body = repoFileProblemsComment(problems, read);
  const marker = body.slice(body.lastIndexOf('<!--'));
  const bot = normLogin(await forge.botLogin());
  const comments = await forge.listComments(change);
  if (comments.some((c) => normLogin(c.author) === bot && c.body.includes(marker))) return false;
  await forge.createComment(change, body);
  return true;
}
