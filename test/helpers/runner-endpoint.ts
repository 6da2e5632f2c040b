// A local HTTP endpoint playing a webhook runner (Jenkins and friends): it records the dispatch
// documents it receives, checks their signature, answers as told, and can report back through
// the callback URL the way a runner does.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DispatchDocument } from '../../src/jobs/protocol.js';

export interface ReceivedDispatch {
  doc: DispatchDocument;
  signatureValid: boolean;
  receivedAt: number;
}

export class RunnerEndpoint {
  readonly received: ReceivedDispatch[] = [];
  /** statuses to answer with, in order; 200 once they run out */
  readonly answers: number[] = [];
  onDispatch?: (doc: DispatchDocument) => void;
  #server?: Server;
  url = '';

  constructor(readonly secret: string) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = this.answers.shift() ?? 200;
        if (status === 200) {
          const expected = `sha256=${createHmac('sha256', this.secret).update(body).digest('hex')}`;
          const doc = JSON.parse(body) as DispatchDocument;
          this.received.push({
            doc,
            signatureValid: req.headers['x-ci-orchestrator-signature-256'] === expected,
            receivedAt: performance.now(),
          });
          this.onDispatch?.(doc);
        }
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(status === 200 ? { url: 'https://ci.test/job/1' } : { error: 'nope' }));
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/dispatch`;
    return this;
  }

  /** Reports on a run as a runner does; answers the HTTP status and JSON body. */
  static async report(
    doc: DispatchDocument,
    body: unknown,
    token = doc.callback.token,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(doc.callback.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
