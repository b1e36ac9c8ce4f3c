/** Structured logging (pino). Never log tokens, passwords or message text: log ids and sizes. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Logs go to stderr: stdout carries only the ready line other tools wait for. */
export function createLogger(level: string): Logger {
  return pino(
    {
    level,
    base: { svc: 'parley-server' },
      redact: { paths: ['token', '*.token', 'password', '*.password', 'body.text', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}
