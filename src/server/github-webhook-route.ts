// GitHub webhooks: the signature is checked here, on the raw bytes, before Probot's middleware (which
// verifies again and routes the event to the app). GitHub's middleware answers a bad signature with
// 400; we answer 401, log it, and count it, and nothing reaches the queue.
import { verify } from '@octokit/webhooks-methods';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

export const GITHUB_WEBHOOK_PATH = '/api/github/webhooks';
/** GitHub sends no delivery above 25 MB. */
export const WEBHOOK_BODY_LIMIT = '25mb';

export function verifyGitHubWebhook(secret: string, log: Logger, metrics: Metrics): RequestHandler[] {
  const check: RequestHandler = async (req, res, next) => {
    const event = req.get('x-github-event') ?? 'unknown';
    const delivery = req.get('x-github-delivery');
    const signature = req.get('x-hub-signature-256');
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let valid = false;
    try {
      valid = !!signature && (await verify(secret, body, signature));
    } catch {
      valid = false; // malformed signature header: never a crash (CVE-2023-50728)
    }
    if (!valid) {
      log.warn({ event, delivery, ip: req.ip }, signature ? 'GitHub webhook with a wrong signature' : 'GitHub webhook without a signature');
      metrics.delivery('github', event, 'unauthorized');
      res.status(401).json({ error: 'signature missing or does not match' });
      return;
    }
    try {
      JSON.parse(body);
    } catch {
      log.warn({ event, delivery }, 'GitHub webhook with malformed JSON');
      metrics.delivery('github', event, 'malformed');
      res.status(400).json({ error: 'body is not valid JSON' });
      return;
    }
    // Probot's middleware reads a string body as the raw payload.
    req.body = body;
    next();
  };
  return [express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), check];
}
