import { parentPort, workerData } from 'node:worker_threads';
import type { ConfigFormat } from '../config/config-sources.js';
import { parseConfigText, SourceParseError } from './config-parse.js';

/**
 * Parses one large YAML/TOML/INI/.properties/.env document off the main thread (those parsers are
 * far slower than JSON.parse: a 100k-key YAML file takes about a second), so that /metrics keeps
 * answering meanwhile. Only the message of a SourceParseError, which holds no document text,
 * goes back.
 */
const { text, format } = workerData as { text: string; format: ConfigFormat };
try {
  parentPort?.postMessage({ ok: true, document: parseConfigText(text, format) });
} catch (error) {
  parentPort?.postMessage({ ok: false, message: error instanceof SourceParseError ? error.message : `cannot parse as ${format}` });
}
