// `ci-orchestrator serve`: the HTTP server plus queue workers in one process.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { credentialsPath } from './config/credentials-file.js';
import type { Options } from './config/env.js';
import { createRuntime, type Runtime } from './runtime.js';
import { createHttpApp } from './server.js';

/** Deliveries handled at once by this process's workers. */
export const WORKER_CONCURRENCY = 10;

export interface RunningServer {
  url: string;
  /** reads the configuration file again; an invalid one is logged and the current one kept */
  reload(): Promise<unknown>;
  /** stops taking requests, then finishes the work in flight */
  close(): Promise<void>;
}

/**
 * `rereadOptions` reads the environment again (with the credentials file): after the GitHub App's
 * registration the server swaps in a runtime built from it, on the same port, without a restart.
 */
export async function serve(options: Options, log: Logger, rereadOptions?: () => Options): Promise<RunningServer> {
  let url = '';
  const start = async (opts: Options): Promise<{ runtime: Runtime; app: Express }> => {
    const runtime = await createRuntime(opts, log);
    const app = await createHttpApp({ ...runtime, onGitHubRegistered: rereadOptions ? reload : undefined });
    return { runtime, app };
  };
  let current = await start(options);
  // Like a restart, minus the downtime: the new runtime starts, takes the requests, and the old one
  // finishes what it holds (as on SIGTERM).
  async function reload(): Promise<void> {
    const next = rereadOptions!();
    if (!next.github) throw new Error('the saved credentials did not configure the GitHub App');
    for (const warning of next.warnings) log.warn(warning);
    const started = await start(next);
    started.runtime.listeningOn(url);
    started.runtime.work(WORKER_CONCURRENCY);
    const previous = current;
    current = started;
    log.info(
      `GitHub: App ${next.github.appId} configured, webhooks at ${next.publicUrl ?? url}/api/github/webhooks (API ${next.github.baseUrl}); reloaded without a restart`,
    );
    await previous.runtime.close();
  }
  current.runtime.work(WORKER_CONCURRENCY);
  const server = createServer((req, res) => current.app(req, res));
  // Without HOST, Node listens on every interface (the Dockerfile sets HOST=0.0.0.0 explicitly).
  if (options.host) server.listen(options.port, options.host);
  else server.listen(options.port);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : 'localhost'}:${port}`;
  current.runtime.listeningOn(url);
  const base = options.publicUrl ?? url;
  log.info({ url }, `listening on ${url}`);
  log.info(`runner callbacks go to ${base}${options.publicUrl ? '' : ' (set PUBLIC_URL to the address runners reach)'}`);
  log.info(
    options.github
      ? `GitHub: App ${options.github.appId}, webhooks at ${base}/api/github/webhooks (API ${options.github.baseUrl})`
      : `GitHub: no App credentials (APP_ID, PRIVATE_KEY): open ${base}/probot to register the GitHub App from app.yml; its credentials will be saved in ${credentialsPath(options.dataDir)}`,
  );
  log.info(
    options.gitlab
      ? `GitLab: ${options.gitlab.url}, webhooks at ${base}/api/gitlab/webhooks`
      : 'GitLab: off (set GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET to turn it on)',
  );
  return {
    url,
    reload: () => current.runtime.reload(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await current.runtime.close();
    },
  };
}
