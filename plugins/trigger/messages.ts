// What the trigger plugin says: the job list of `/test ?` (Prow's structure), the welcome message
// for untrusted authors, and its refusals.
import type { Presubmit, TriggerConfig } from '../../src/config/jobs-schema.js';
import { NEEDS_OK_TO_TEST, OK_TO_TEST } from '../../src/core/labels.js';
import { type Change, type RepoRef, repoFullName } from '../../src/forge/types.js';
import { rerunCommandOf } from '../../src/jobs/job-patterns.js';
import { branchMatches, needsExplicitTrigger } from '../../src/jobs/select-jobs.js';

export const HELP_HEADERS = {
  required: 'The following commands are available to trigger required jobs:',
  optional: 'The following commands are available to trigger optional jobs:',
} as const;

const fenced = (text: string) => ['```', text, '```'];
const sorted = (items: Iterable<string>) => [...new Set(items)].sort();

/** The jobs that can run on `branch`, by rerun command, with the note above them. */
export function helpMessage(presubmits: readonly Presubmit[], repo: RepoRef, branch: string, note: string): string {
  const jobs = presubmits.filter((job) => branchMatches(job, branch));
  if (jobs.length === 0) return `No presubmit jobs available for ${repoFullName(repo)}@${branch}.`;
  const required = sorted(jobs.filter((job) => !job.optional).map(rerunCommandOf));
  const optional = sorted(jobs.filter((job) => job.optional).map(rerunCommandOf));
  const testAll = sorted(jobs.filter((job) => !needsExplicitTrigger(job)).map((job) => job.name));
  const section = (header: string, commands: string[]) => (commands.length > 0 ? [header, ...commands.flatMap(fenced), ''] : []);
  const lines = [...(note ? [note, ''] : []), ...section(HELP_HEADERS.required, required), ...section(HELP_HEADERS.optional, optional)];
  if (testAll.length === required.length + optional.length) lines.push('Use `/test all` to run all jobs.');
  else if (testAll.length > 0)
    lines.push('Use `/test all` to run the following jobs that are triggered automatically:', ...testAll.flatMap(fenced));
  return lines.join('\n').trimEnd();
}

export const DRAFT_NOTICE = [
  'CI does not run on draft changes. Mark this change ready for review to run its automatic jobs.',
  'You can still run them now with `/test all`.',
].join('\n');

/** The people page of an org (GitHub) or top-level group (GitLab), on the forge the change is on. */
function orgLink(change: Change, org: string): string {
  const origin = new URL(change.url).origin;
  const url = change.ref.repo.forge === 'github' ? `${origin}/orgs/${org}/people` : `${origin}/groups/${org}/-/group_members`;
  return `[${org}](${url})`;
}

/** The first comment on a change whose author is not trusted. */
export function welcomeMessage(change: Change, config: TriggerConfig): string {
  const org = change.ref.repo.owner.split('/')[0]!;
  const orgs =
    config.trusted_org && config.trusted_org.toLowerCase() !== org.toLowerCase()
      ? `${orgLink(change, org)} or ${orgLink(change, config.trusted_org)}`
      : orgLink(change, org);
  const body = config.ignore_ok_to_test
    ? [
        'Changes from authors who are not trusted are not tested automatically on this repository, and `/ok-to-test` is turned off here.',
        `Trusted users, such as members of ${orgs}, can run the jobs with \`/test all\` or \`/test <job>\`.`,
      ]
    : [
        `I am waiting for a member of ${orgs} to verify that this change is reasonable to test. If it is, they should reply with \`/ok-to-test\` on its own line. Until then, new commits will not be tested automatically, but test commands from trusted users still work.`,
        '',
        `Regular contributors should join the org to skip this step. Once the change is verified, it gets the \`${OK_TO_TEST}\` label instead of \`${NEEDS_OK_TO_TEST}\`.`,
      ];
  return [
    `Hi @${change.author}. Thanks for your change.`,
    '',
    ...body,
    '',
    'Comment `/test ?` to list the jobs of this repository.',
    '',
    '<details>',
    '',
    "I am ci-orchestrator, a bot that runs CI jobs when trusted users ask for them with commands such as `/test`, `/retest` and `/ok-to-test`, following the conventions of Kubernetes' Prow.",
    '',
    '</details>',
  ].join('\n');
}

/** The reply to an untrusted user's test command on an untrusted change. */
export function untrustedReply(config: TriggerConfig, reason: string): string {
  const why = config.ignore_ok_to_test
    ? 'Authors who are not trusted cannot trigger testing on this repository (`/ok-to-test` is turned off here); trusted users can run the jobs with `/test`.'
    : 'Cannot trigger testing until a trusted user reviews this change and leaves an `/ok-to-test` message.';
  return `${why} You are ${reason}.`;
}

export const cancelRefusal = (reason: string): string => `Only trusted users can cancel \`/ok-to-test\`. You are ${reason}.`;
