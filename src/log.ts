import { pino, type Logger as PinoLogger } from 'pino';
import { builtinDetectorNames, createDetectors } from './compare/detectors.js';
import { protectText } from './compare/privacy.js';

export type Logger = PinoLogger;

const detectors = createDetectors({ builtins: builtinDetectorNames });
const MAX_DEPTH = 4;

/**
 * Personal data in a log line's fields becomes a mark (`<email>`). Results reach the log already
 * protected by the examples policy; this catches what other messages may quote (a server error).
 */
export function scrubLogFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return protectText(value, { detectors, hashKey: '', policy: 'show' });
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => scrubLogFields(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubLogFields(item, depth + 1)]));
}

/** Logs go to stderr as JSON lines, like other exporters; stdout stays free for CLI output. */
export function createLogger(level = 'info'): Logger {
  return pino(
    { level, base: { service: 'fidelity-exporter' }, formatters: { log: (fields) => scrubLogFields(fields) as Record<string, unknown> } },
    pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
