// A forge delivery at a path where no webhook is served (an App whose webhook URL is `https://host/`,
// as Probot's manifest sets it): a 404 that names the right path, and a warning in the log the first
// time, so an operator sees why no events arrive.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { GITHUB_WEBHOOK_PATH } from './github-webhook-route.js';
import { GITLAB_WEBHOOK_PATH } from './gitlab-webhook-route.js';
import type { Metrics } from './metrics.js';

/** Paths warned about, per forge; bounded, since anyone can post anywhere. */
const MAX_WARNED = 50;

export function misdirectedWebhooks(log: Logger, metrics: Metrics): RequestHandler {
  const warned = new Set<string>();
  return (req, res, next) => {
    const github = req.get('x-github-event');
    const gitlab = req.get('x-gitlab-event');
    const forge = github ? 'github' : gitlab ? 'gitlab' : undefined;
    const path = forge === 'github' ? GITHUB_WEBHOOK_PATH : GITLAB_WEBHOOK_PATH;
    if (!forge || req.method !== 'POST' || req.path === path) {
      next();
      return;
    }
    const event = (github ?? gitlab)!;
    const where = forge === 'github' ? "the App's settings (Webhook URL)" : "the project's Settings > Webhooks";
    metrics.delivery(forge, event, 'misdirected');
    const key = `${forge} ${req.path}`;
    if (!warned.has(key) && warned.size < MAX_WARNED) {
      warned.add(key);
      log.warn(
        { forge, event, path: req.path },
        `${forge === 'github' ? 'GitHub' : 'GitLab'} delivered a webhook to ${req.path}, where none is served: set the webhook URL to https://<this host>${path} in ${where}; until then no events arrive (warned once)`,
      );
    }
    res.status(404).json({
      error: `${forge === 'github' ? 'GitHub' : 'GitLab'} webhooks go to ${path}, not ${req.path}: change the webhook URL in ${where}`,
    });
  };
}
