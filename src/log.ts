import { writeSync } from 'node:fs';
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Rewrites a log line's fields before they are written (main.ts passes the personal data scrubber). */
export type LogFieldsFilter = (fields: Record<string, unknown>) => Record<string, unknown>;

/** `json`: one JSON object a line (the default); `logfmt`: key=value pairs, as Go exporters write with --log.format=logfmt. */
export const logFormats = ['json', 'logfmt'] as const;
export type LogFormat = (typeof logFormats)[number];

/** Logs go to stderr, one line per event; stdout stays free for CLI output. Every line has `level` (a word) and `time` (ISO 8601). */
export function createLogger(level = 'info', filter?: LogFieldsFilter, format: LogFormat = 'json'): Logger {
  return pino(
    {
      level,
      base: { service: 'fidelity-exporter' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), ...(filter ? { log: filter } : {}) },
    },
    format === 'logfmt' ? logfmtStderr : pino.destination(2),
  );
}

/** A pino destination that rewrites each JSON line as logfmt (synchronously, like pino.destination(2)). */
const logfmtStderr = {
  write(line: string): void {
    writeSync(2, `${toLogfmt(JSON.parse(line) as Record<string, unknown>)}\n`);
  },
};

/** `time=... level=info msg="exporter listening" check=orders`; nested values as JSON, quoted when needed. */
export function toLogfmt(fields: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = fields;
  const ordered: Array<[string, unknown]> = [['time', time], ['level', level], ['msg', msg], ...Object.entries(rest)];
  return ordered
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${logfmtValue(value)}`)
    .join(' ');
}

function logfmtValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === '' || /[\s"=\\]/.test(text) ? JSON.stringify(text) : text;
}

export const silentLogger: Logger = pino({ level: 'silent' });
