// The HTTP header git sends to fetch a repository: an installation token (GitHub) or the bot's
// token (GitLab). It travels through GIT_CONFIG_* environment variables, never argv or a config file.
import type { Probot } from 'probot';
import type { ForgeKind } from './types.js';

export async function gitAuthHeader(
  forge: ForgeKind,
  installationId: number | undefined,
  probot?: Probot,
  gitlabToken?: string,
): Promise<string | undefined> {
  const basic = (user: string, token: string) => `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  if (forge === 'gitlab') return gitlabToken ? basic('oauth2', gitlabToken) : undefined;
  if (!probot || installationId === undefined) return undefined;
  const octokit = await probot.auth(installationId);
  const { token } = (await octokit.auth({ type: 'installation' })) as { token: string };
  return basic('x-access-token', token);
}
