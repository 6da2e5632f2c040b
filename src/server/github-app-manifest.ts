// The GitHub App manifest the registration page sends to GitHub: app.yml (events, permissions, name)
// plus the URLs of this server, so the new App delivers its webhooks where the bot listens.
// https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GITHUB_WEBHOOK_PATH } from './github-webhook-route.js';

export const SETUP_PATHS = {
  /** the registration page */
  register: '/probot',
  /** where GitHub sends the browser back with the code (the manifest's redirect_url) */
  callback: '/probot/setup',
  /** entering the credentials of an App created by hand */
  import: '/probot/import',
} as const;

/** Read from the working directory, as Probot does (the Docker image has it in /app). */
export const MANIFEST_FILE = 'app.yml';

/**
 * The address the browser used to reach this server: PUBLIC_URL if set, else the request's own
 * (X-Forwarded-Proto and X-Forwarded-Host first, as Probot reads them, for a server behind a proxy).
 */
export function requestBaseUrl(req: IncomingMessage, publicUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const first = (header: string | string[] | undefined) => (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  const forwardedProto = first(req.headers['x-forwarded-proto']);
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted;
  const protocol = forwardedProto === 'http' || forwardedProto === 'https' ? forwardedProto : encrypted ? 'https' : 'http';
  const host = first(req.headers['x-forwarded-host']) || req.headers.host || 'localhost';
  return `${protocol}://${host}`;
}

/** app.yml as an object; the error names the file and the problem. */
export function readManifestFile(file = join(process.cwd(), MANIFEST_FILE)): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the App manifest ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
  let manifest: unknown;
  try {
    manifest = parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest))
    throw new Error(`${file} must be a YAML mapping (the GitHub App manifest)`);
  return manifest as Record<string, unknown>;
}

/**
 * app.yml with this server's URLs. They win over any in app.yml: the webhook must reach
 * GITHUB_WEBHOOK_PATH here, and the pages after registration and installation are this server's.
 */
export function appManifest(fromFile: Record<string, unknown>, baseUrl: string): Record<string, unknown> {
  const hook = typeof fromFile.hook_attributes === 'object' && fromFile.hook_attributes ? fromFile.hook_attributes : {};
  return {
    name: 'ci-orchestrator',
    public: false,
    ...fromFile,
    url: fromFile.url ?? baseUrl,
    hook_attributes: { ...hook, url: `${baseUrl}${GITHUB_WEBHOOK_PATH}`, active: true },
    redirect_url: `${baseUrl}${SETUP_PATHS.callback}`,
    // After an installation GitHub sends the browser to setup_url (the root page says what is
    // configured); callback_urls serve user authorization, which the bot does not ask for.
    setup_url: `${baseUrl}/`,
    callback_urls: [`${baseUrl}/`],
  };
}

/** Where the browser posts the manifest: github.com (or GHE_HOST), under GH_ORG if set. */
export function createAppUrl(githubWebUrl: string, org: string | undefined, state: string): string {
  const owner = org ? `/organizations/${encodeURIComponent(org)}` : '';
  return `${githubWebUrl}${owner}/settings/apps/new?state=${encodeURIComponent(state)}`;
}
