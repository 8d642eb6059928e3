/**
 * Structured logs (pino, JSON lines) to stderr. Keys that could hold secrets are redacted, and callers log
 * URLs only through sanitizeUrl; messages never carry credentials.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** A logger for the CLI and the daemon; `level` from PROMOTER_LOG_LEVEL (default info). */
export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.PROMOTER_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: {
        paths: ['*.authorization', '*.password', '*.token', '*.secret', 'headers.authorization'],
        censor: '<redacted>',
      },
    },
    (opts.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (tests, JSON-only output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
