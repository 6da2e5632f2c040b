// The runners' side of the HTTP API (docs/runner-protocol.md): status reports with a per-run
// bearer token, a run's public record, and a command run's log.
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { JobService } from '../jobs/job-service.js';
import { statusReportSchema } from '../jobs/protocol.js';
import type { Metrics } from './metrics.js';

/** Largest report body accepted. */
const MAX_REPORT_BYTES = '64kb';

export function jobRoutes(deps: { jobs: JobService; log: Logger; metrics: Metrics }): Router {
  const { jobs, log, metrics } = deps;
  const router = express.Router();
  const fail = (res: express.Response, status: number, outcome: string, error: string) => {
    metrics.callbacks.inc({ outcome });
    res.status(status).json({ error });
  };

  router.post('/api/v1/jobs/:id/status', express.json({ limit: MAX_REPORT_BYTES, type: () => true }), async (req, res) => {
    const id = req.params.id;
    const token = /^Bearer +(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
    const access = await jobs.authorize(id, token);
    if (access === 'not_found') return fail(res, 404, 'not_found', `no run ${id}`);
    if (access === 'unauthorized') {
      log.warn({ run: id, token: token ? 'wrong or spent' : 'missing' }, 'runner report refused: bad token');
      return fail(res, 401, 'unauthorized', "missing, wrong or spent token (a run's token is valid until it ends)");
    }
    const parsed = statusReportSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
      return fail(res, 400, 'malformed', `${field || 'body'}: ${issue.message}`);
    }
    const result = await jobs.report(id, parsed.data);
    if (!result) return fail(res, 404, 'not_found', `no run ${id}`);
    metrics.callbacks.inc({ outcome: result.changed ? 'changed' : 'unchanged' });
    res.json({ run: id, state: result.run.state, changed: result.changed });
  });

  router.get('/api/v1/jobs/:id', async (req, res) => {
    const run = await jobs.describe(req.params.id);
    if (!run) return void res.status(404).json({ error: `no run ${req.params.id}` });
    res.json(run);
  });

  router.get('/jobs/:id', async (req, res) => {
    const run = await jobs.describe(req.params.id);
    if (!run) return void res.status(404).type('text/plain').send(`no run ${req.params.id}\n`);
    const log = await jobs.readLog(run.id);
    res
      .type('text/plain')
      .send(
        [
          `${run.job} (${run.type}) on ${run.refs.repo}: ${run.state}: ${run.description}`,
          `base ${run.refs.base_ref}@${run.refs.base_sha}${run.refs.pulls.map((p) => ` + #${p.number}@${p.sha}`).join('')}`,
          '',
          log ?? '(no output recorded)',
        ].join('\n'),
      );
  });

  // Body errors (not JSON, too large) answer with the parser's status and say so.
  const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
    const status = (err as { status?: number }).status;
    if (status === 413) return fail(res, 413, 'too_large', `body: larger than ${MAX_REPORT_BYTES}`);
    if (status === 400) return fail(res, 400, 'malformed', 'body: not valid JSON');
    next(err);
  };
  router.use(bodyErrors);
  return router;
}
