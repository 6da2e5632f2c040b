// The webhook runner: POSTs the dispatch document to an endpoint from the operator's config, signed
// the way GitHub signs its webhooks, so the receiver (a small service, Jenkins' Generic Webhook
// Trigger) can check it comes from us. The endpoint only accepts the job; the run reports to the
// callback URL in the document. Redirects are refused, the whole exchange is bounded in time and
// bytes, and neither the secret nor the callback token ever reaches
// an error message: a receiver echoing its request back gets them cut out.
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { WebhookRunnerConfig } from '../config/jobs-schema.js';
import type { DispatchDocument } from '../jobs/protocol.js';
import { isRetryableStatus } from './retryable-status.js';
import { type DispatchReceipt, type Runner, RunnerError } from './runner.js';

const TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_BODY_IN_MESSAGE = 200;

/** What a receiver may answer: a link to its page for the run. */
const answerSchema = z.object({ url: z.url({ protocol: /^https?$/ }).max(2000) });

export interface WebhookRunnerOptions {
  /** HMAC-SHA256 key (the value of the config's secret_env) */
  secret: string;
  fetch?: typeof fetch;
  /** the whole exchange, connection to last byte; 10 s */
  timeoutMs?: number;
}

export class WebhookRunner implements Runner {
  readonly type = 'webhook' as const;
  readonly #fetch: typeof fetch;
  /** for messages and logs: the URL's query may hold a token (Generic Webhook Trigger's ?token=) */
  readonly #origin: string;

  constructor(
    private readonly config: WebhookRunnerConfig,
    private readonly options: WebhookRunnerOptions,
  ) {
    this.#fetch = options.fetch ?? fetch;
    this.#origin = new URL(config.url).origin;
  }

  async dispatch(doc: DispatchDocument, log: Logger): Promise<DispatchReceipt> {
    const body = JSON.stringify(doc);
    const signature = createHmac('sha256', this.options.secret).update(body).digest('hex');
    const timeoutMs = this.options.timeoutMs ?? TIMEOUT_MS;
    const secrets = [this.options.secret, doc.callback.token];
    let status: number;
    let text: string;
    try {
      const response = await this.#fetch(this.config.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'ci-orchestrator',
          'X-CI-Orchestrator-Run': doc.job.id,
          'X-CI-Orchestrator-Signature-256': `sha256=${signature}`,
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await readAtMost(response, MAX_RESPONSE_BYTES);
    } catch (err) {
      throw this.#networkError(err, timeoutMs);
    }

    if (status < 200 || status > 299) {
      const excerpt = redact(text.slice(0, MAX_BODY_IN_MESSAGE), secrets).trim();
      const retryable = isRetryableStatus(status);
      const what = retryable ? 'answered' : 'refused the job with';
      throw new RunnerError(`webhook runner at ${this.#origin} ${what} HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`, retryable);
    }
    log.info({ runner: 'webhook', endpoint: this.#origin, status }, 'webhook runner accepted the job');
    const answer = answerSchema.safeParse(parseJson(text));
    return answer.success ? { url: answer.data.url } : {};
  }

  #networkError(err: unknown, timeoutMs: number): RunnerError {
    const error = err as Error & { cause?: { message?: string } };
    if (error.name === 'TimeoutError') {
      return new RunnerError(`webhook runner at ${this.#origin} did not answer within ${timeoutMs / 1000}s`, true, { cause: err });
    }
    // fetch's redirect: 'error' fails with "unexpected redirect": a config to fix, not a hiccup
    const reason = error.cause?.message ?? error.message;
    if (/redirect/i.test(reason)) {
      return new RunnerError(`webhook runner at ${this.#origin} answered with a redirect, which is not followed`, false, { cause: err });
    }
    return new RunnerError(`webhook runner at ${this.#origin} could not be reached: ${reason}`, true, { cause: err });
  }
}

/** The body as text, stopping after `max` bytes. */
async function readAtMost(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, max));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const redact = (text: string, secrets: string[]): string =>
  secrets.reduce((t, secret) => (secret ? t.split(secret).join('[redacted]') : t), text);
