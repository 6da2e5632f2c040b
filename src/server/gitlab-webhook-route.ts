// GitLab webhooks: X-Gitlab-Token compared in constant time, the body parsed and normalized, the
// delivery queued once per Idempotency-Key (or X-Gitlab-Event-UUID, or the body's hash).
import { createHash } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { normalizeGitLabEvent } from '../forge/gitlab/normalize.js';
import { WEBHOOK_BODY_LIMIT } from './github-webhook-route.js';
import { HttpError, type Ingest } from './ingest.js';
import type { Metrics } from './metrics.js';
import { timingSafeEqualStrings } from './timing-safe-equal.js';

export const GITLAB_WEBHOOK_PATH = '/api/gitlab/webhooks';

export function gitlabWebhookRoute(deps: { secret: string; log: Logger; metrics: Metrics; ingest: Ingest }): RequestHandler[] {
  const handle: RequestHandler = async (req, res) => {
    const eventName = req.get('x-gitlab-event') ?? 'unknown';
    const token = req.get('x-gitlab-token');
    if (!token || !timingSafeEqualStrings(token, deps.secret)) {
      deps.log.warn({ event: eventName, ip: req.ip }, token ? 'GitLab webhook with a wrong token' : 'GitLab webhook without a token');
      deps.metrics.delivery('gitlab', eventName, 'unauthorized');
      res.status(401).json({ error: 'X-Gitlab-Token missing or wrong' });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const deliveryId = req.get('idempotency-key') ?? req.get('x-gitlab-event-uuid') ?? createHash('sha256').update(body).digest('hex');
    const malformed = (reason: string) => {
      deps.log.warn({ event: eventName, delivery: deliveryId, reason }, 'malformed GitLab webhook');
      deps.metrics.delivery('gitlab', eventName, 'malformed');
      res.status(400).json({ error: reason });
    };
    if (eventName === 'unknown') return malformed('X-Gitlab-Event header missing');
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return malformed('body is not valid JSON');
    }
    let events;
    try {
      events = normalizeGitLabEvent(eventName, payload, deliveryId);
    } catch (err) {
      return malformed((err as Error).message);
    }
    try {
      const outcome = await deps.ingest({ forge: 'gitlab', eventName, deliveryId, events });
      res.status(200).json({ outcome });
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      deps.log.error({ err, delivery: deliveryId }, 'could not accept a GitLab webhook');
      res.status(status).json({ error: (err as Error).message });
    }
  };
  return [express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), handle];
}
