// `ci-orchestrator serve`: the HTTP server plus queue workers in one process.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Options } from './config/env.js';
import { createRuntime } from './runtime.js';
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

export async function serve(options: Options, log: Logger): Promise<RunningServer> {
  const runtime = await createRuntime(options, log);
  const app = await createHttpApp(runtime);
  runtime.work(WORKER_CONCURRENCY);
  // Without HOST, Node listens on every interface (the Dockerfile sets HOST=0.0.0.0 explicitly).
  const server = options.host ? app.listen(options.port, options.host) : app.listen(options.port);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : 'localhost'}:${port}`;
  runtime.listeningOn(url);
  log.info({ url }, `listening on ${url}`);
  log.info(`runner callbacks go to ${options.publicUrl ?? url}${options.publicUrl ? '' : ' (set PUBLIC_URL to the address runners reach)'}`);
  log.info(options.github
    ? `GitHub: App ${options.github.appId}, webhooks at ${url}/api/github/webhooks (API ${options.github.baseUrl})`
    : `GitHub: no App credentials (APP_ID, PRIVATE_KEY): open ${url}/probot to register the GitHub App from app.yml`);
  log.info(options.gitlab
    ? `GitLab: ${options.gitlab.url}, webhooks at ${url}/api/gitlab/webhooks`
    : 'GitLab: off (set GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET to turn it on)');
  return {
    url,
    reload: () => runtime.reload(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await runtime.close();
    },
  };
}
