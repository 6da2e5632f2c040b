// Without GitHub App credentials the server offers Probot's own registration pages (the manifest
// flow built from app.yml): "Register GitHub App" at /probot, and /probot/import for an existing
// app. Probot writes the credentials to .env; a restart picks them up.
import type { Logger } from 'pino';

type SetupHandler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<boolean>;

export async function createGitHubSetupHandler(options: { host?: string; port: number; log: Logger }): Promise<SetupHandler> {
  // Probot does not export its setup app; load it by file next to Probot's entry point.
  const { setupAppFactory } = await import(new URL('./apps/setup.js', import.meta.resolve('probot')).href) as {
    setupAppFactory(o: { host?: string; port: number; log: Logger }): () => Promise<SetupHandler>;
  };
  // The setup app would otherwise open a smee.io channel, which this server does not consume;
  // set WEBHOOK_PROXY_URL yourself to develop through a proxy.
  process.env.NO_SMEE_SETUP ??= 'true';
  return setupAppFactory(options)();
}
