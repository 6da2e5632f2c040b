// Whose changes the bot tests without asking: Prow's TrustedUser and TrustedPullRequest, first
// hit wins, in Prow's order.
//
// "Collaborator" means write access or more (GitHub write/maintain/admin, GitLab Developer or
// more), not Prow's any-collaborator: GitHub answers `read` for anyone on a public repository and
// GitLab gives Guests and Reporters read, so a lower bar would trust everybody there.
import type { TriggerConfig } from '../config/jobs-schema.js';
import { hasLabel, OK_TO_TEST } from '../core/labels.js';
import { type Forge, normLogin, permissionRank, type RepoRef } from '../forge/types.js';

export interface Trust {
  trusted: boolean;
  /** why: for logs when trusted, for the refusal reply when not */
  reason: string;
}

const APP_SUFFIX = '[bot]';
const withoutAppSuffix = (login: string) => normLogin(login).replace(/\[bot\]$/, '');

/** The bot itself, as either form a GitHub App's login takes ("ci-bot", "ci-bot[bot]"). */
export const isBotItself = (login: string, botLogin: string): boolean => withoutAppSuffix(login) === withoutAppSuffix(botLogin);

export async function trustedUser(forge: Forge, repo: RepoRef, config: TriggerConfig, login: string): Promise<Trust> {
  if (isBotItself(login, await forge.botLogin())) return { trusted: true, reason: 'the bot itself' };
  if (await forge.isOrgMember(repo, login)) return { trusted: true, reason: 'a member of the org' };
  if (!config.only_org_members && permissionRank[await forge.permission(repo, login)] >= permissionRank.write) {
    return { trusted: true, reason: 'a collaborator' };
  }
  // Only the "<app>[bot]" login of a listed app: neither "<app>" alone nor "<app>[bot]suffix".
  const user = normLogin(login);
  if (user.endsWith(APP_SUFFIX) && config.trusted_apps.some((app) => normLogin(app) === user.slice(0, -APP_SUFFIX.length))) {
    return { trusted: true, reason: 'a trusted app' };
  }
  const secondOrg = config.trusted_org !== '' && config.trusted_org.toLowerCase() !== repo.owner.split('/')[0]!.toLowerCase();
  if (secondOrg && (await forge.isOrgMember({ forge: repo.forge, owner: config.trusted_org, name: '' }, login))) {
    return { trusted: true, reason: 'a member of the trusted secondary org' };
  }
  const unmet = [
    'not a member of the org',
    ...(config.only_org_members ? [] : ['not a collaborator']),
    ...(secondOrg ? ['not a member of the trusted secondary org'] : []),
  ];
  return { trusted: false, reason: `${unmet.join(', ')}; satisfy at least one of these conditions` };
}

/** A change is tested automatically when its author is trusted or it carries `ok-to-test`. */
export async function trustedPullRequest(
  forge: Forge,
  repo: RepoRef,
  config: TriggerConfig,
  change: { author: string; labels: readonly string[] },
): Promise<boolean> {
  if (!config.ignore_ok_to_test && hasLabel(change.labels, OK_TO_TEST)) return true;
  return (await trustedUser(forge, repo, config, change.author)).trusted;
}
