import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Logs go to stderr as JSON lines, like other exporters; stdout stays free for CLI output. */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'fidelity-exporter' } }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
