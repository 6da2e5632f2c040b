// The Probot app: every GitHub event Probot verified is normalized and handed to ingest, which
// queues it. No plugin work happens here, so the webhook is acknowledged in milliseconds.
import type { ApplicationFunction } from 'probot';
import { normalizeGitHubEvent } from './forge/github/normalize.js';
import { HttpError, type Ingest } from './server/ingest.js';

export function createGitHubApp(ingest: Ingest): ApplicationFunction {
  return (app) => {
    app.onAny(async (context) => {
      let events;
      try {
        events = normalizeGitHubEvent(context.name, context.payload, context.id);
      } catch (err) {
        throw new HttpError(400, `malformed ${context.name} payload: ${(err as Error).message}`);
      }
      await ingest({ forge: 'github', eventName: context.name, deliveryId: context.id, events });
    });
  };
}
