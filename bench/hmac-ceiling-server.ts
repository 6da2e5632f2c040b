// The ceiling for bench/webhook-ingest.ts: a bare express 5 app whose one POST route reads the raw
// body and verifies the X-Hub-Signature-256 HMAC (the same `verify` the real route uses), then
// answers 200. No queue, no Probot, no Redis. Spawned as its own process by the bench, so that it
// competes for the CPU the way the real server does.
//
//   WEBHOOK_SECRET=... PORT=0 node --import tsx bench/hmac-ceiling-server.ts
//
// Prints one JSON line {"url": ...} on stdout once listening; exits on SIGTERM/SIGINT.
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import express from 'express';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('hmac-ceiling-server: WEBHOOK_SECRET is required');
  process.exit(2);
}

const app = express();
app.disable('x-powered-by');
app.post('/api/github/webhooks', express.raw({ type: () => true, limit: '25mb' }), async (req, res) => {
  const signature = req.get('x-hub-signature-256');
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  let valid = false;
  try {
    valid = !!signature && (await verify(secret, body, signature));
  } catch {
    valid = false;
  }
  if (!valid) {
    res.status(401).json({ error: 'signature missing or does not match' });
    return;
  }
  res.status(200).send('ok\n');
});

const port = Number(process.env.PORT ?? 0);
const server = process.env.HOST ? app.listen(port, process.env.HOST) : app.listen(port);
server.once('listening', () => {
  const { port: bound } = server.address() as AddressInfo;
  const url = `http://localhost:${bound}`;
  console.log(JSON.stringify({ url, msg: `listening on ${url}` }));
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
