// The HTTP server: GitHub webhooks through Probot's middleware (mounted before any body parser),
// GitLab webhooks, /healthz, /metrics, the runners' API, the merge queue's pages, a root page, and
// without GitHub App credentials the App's registration pages.
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { createNodeMiddleware, type Probot } from 'probot';
import { createGitHubApp } from './app.js';
import type { Options } from './config/env.js';
import type { Ci } from './jobs/create-ci.js';
import type { MergeQueue } from './merge-queue/merge-queue.js';
import type { EventQueue } from './queue/event-queue.js';
import { SETUP_PATHS } from './server/github-app-manifest.js';
import { githubSetupRoutes } from './server/github-setup.js';
import { GITHUB_WEBHOOK_PATH, verifyGitHubWebhook } from './server/github-webhook-route.js';
import { GITLAB_WEBHOOK_PATH, gitlabWebhookRoute } from './server/gitlab-webhook-route.js';
import { createIngest } from './server/ingest.js';
import { jobRoutes } from './server/job-routes.js';
import { mergeQueueRoutes } from './server/merge-queue-routes.js';
import type { Metrics } from './server/metrics.js';
import { misdirectedWebhooks } from './server/misdirected-webhook.js';
import { rootPage } from './server/root-page.js';

export interface HttpDeps {
  options: Options;
  log: Logger;
  metrics: Metrics;
  queue: EventQueue;
  ci: Ci;
  mergeQueue: MergeQueue;
  /** present when the GitHub App is configured */
  probot?: Probot;
  /** without an App: takes the credentials the registration pages saved into use */
  onGitHubRegistered?: () => Promise<void>;
}

export async function createHttpApp(deps: HttpDeps): Promise<Express> {
  const { options, log, metrics, queue, probot, ci } = deps;
  const ingest = createIngest(queue, metrics);
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    const forge = req.path === GITHUB_WEBHOOK_PATH ? 'github' : req.path === GITLAB_WEBHOOK_PATH ? 'gitlab' : undefined;
    if (forge) {
      const end = metrics.ackSeconds.startTimer({ forge });
      res.on('finish', () => end());
    }
    next();
  });

  app.use(misdirectedWebhooks(log, metrics));
  app.get('/', rootPage(options));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', queue: queue.kind, durable: queue.durable, github: !!probot, gitlab: !!options.gitlab });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use(jobRoutes({ jobs: ci.jobs, log, metrics }));
  app.use(mergeQueueRoutes({ mergeQueue: deps.mergeQueue }));

  if (options.gitlab) {
    app.post(GITLAB_WEBHOOK_PATH, ...gitlabWebhookRoute({ secret: options.gitlab.webhookSecret, log, metrics, ingest }));
  } else {
    app.post(GITLAB_WEBHOOK_PATH, (_req, res) => {
      res.status(404).json({ error: 'GitLab is not configured on this server (set GITLAB_TOKEN)' });
    });
  }

  if (probot && options.github) {
    // The registration pages are gone once the App is configured (a page kept open, a reload).
    app.get(Object.values(SETUP_PATHS), (_req, res) => res.redirect(303, '/'));
    app.post(GITHUB_WEBHOOK_PATH, ...verifyGitHubWebhook(options.github.webhookSecret, log, metrics));
    const middleware = await createNodeMiddleware(createGitHubApp(ingest), { probot, webhooksPath: GITHUB_WEBHOOK_PATH });
    app.use((req, res, next) => void middleware(req, res, next));
  } else {
    app.post(GITHUB_WEBHOOK_PATH, (_req, res) => {
      res.status(404).json({ error: `the GitHub App is not configured yet: register it at ${SETUP_PATHS.register}` });
    });
    app.use(githubSetupRoutes({ options, log, onRegistered: deps.onGitHubRegistered }));
  }
  return app;
}
