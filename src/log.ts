import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Rewrites a log line's fields before they are written (main.ts passes the personal data scrubber). */
export type LogFieldsFilter = (fields: Record<string, unknown>) => Record<string, unknown>;

/** Logs go to stderr as JSON lines, like other exporters; stdout stays free for CLI output. */
export function createLogger(level = 'info', filter?: LogFieldsFilter): Logger {
  return pino({ level, base: { service: 'fidelity-exporter' }, ...(filter ? { formatters: { log: filter } } : {}) }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
