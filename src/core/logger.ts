// The root logger. Secrets that could ride along in logged objects are redacted by path.
import { type Logger, pino } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-gitlab-token"]',
  'req.headers["x-hub-signature-256"]',
  'headers.authorization',
  'headers["x-gitlab-token"]',
  '*.token',
  '*.privateKey',
  '*.webhookSecret',
  '*.secret',
  'err.request.headers.authorization',
  'err.config.headers.authorization',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as never) : pino(options);
}
