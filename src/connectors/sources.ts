import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { request } from 'undici';
import { SampleError } from '../core/errors.js';
import type { ConfigFormat, ConfigSourceConfig } from '../config/config-sources.js';
import { formatFromPath, parseConfigText, SourceParseError } from './config-parse.js';
import { Limiter } from './limiter.js';

export { formatFromPath, nestDottedKeys, parseConfigText, parseProperties, SourceParseError } from './config-parse.js';

/**
 * Reads configuration sources: files (JSON, YAML, TOML, INI, .env, Java .properties), HTTP
 * endpoints returning JSON, and environment-variable maps. I/O only; comparing is done in
 * compare/. Error messages name the source and a line/column, never a value of the document.
 */

export interface SourceDocument {
  document: unknown;
  /** How the document was read: a file format, `json` for HTTP, `env` for variable maps. */
  format: ConfigFormat;
  bytes: number;
}

export interface ReadOptions {
  signal: AbortSignal;
  /** Milliseconds this read may take (the check's remaining time, or the source's own timeout). */
  timeoutMs: number;
}

function errorCode(error: unknown): string {
  return (error as { code?: unknown } | null)?.code?.toString() ?? 'unknown';
}

async function readFileCapped(
  path: string,
  maxBytes: number,
  label: string,
  signal: AbortSignal,
): Promise<{ text: string; bytes: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = errorCode(error);
    throw new SampleError(code === 'EACCES' || code === 'EPERM' ? 'auth' : 'connect', `${label}: cannot read ${path} (${code})`);
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new SampleError('limit', `${label}: ${path} is ${size} bytes, more than max_bytes ${maxBytes}`);
    const buffer = await handle.readFile({ signal });
    if (buffer.length > maxBytes) throw new SampleError('limit', `${label}: ${path} is more than max_bytes ${maxBytes}`);
    return { text: textOf(buffer, label), bytes: buffer.length };
  } catch (error) {
    if (error instanceof SampleError) throw error;
    if (signal.aborted) throw new SampleError('timeout', `${label}: reading ${path} did not finish in time`);
    throw new SampleError('connect', `${label}: cannot read ${path} (${errorCode(error)})`);
  } finally {
    await handle.close();
  }
}

/**
 * The document as text, or a parse error that says it is not text (an image or archive in place
 * of the file, a compressed response), rather than the parser's confusion about its first byte.
 * Like git and file(1): a NUL byte, or many control characters, in the first 8 KiB means binary.
 */
export function textOf(buffer: Buffer, label: string): string {
  const head = buffer.subarray(0, 8192);
  let control = 0;
  for (const byte of head) if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b) || byte === 0x7f) control += 1;
  if (head.includes(0) || control > head.length * 0.1) {
    throw new SampleError('parse', `${label}: not a text document (binary content, ${buffer.length} bytes)`);
  }
  return buffer.toString('utf8');
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

async function readHttp(source: ConfigSourceConfig, label: string, options: ReadOptions): Promise<{ text: string; bytes: number }> {
  const url = source.url?.reveal() ?? '';
  const timeoutMs = Math.max(1, Math.ceil(Math.min(source.timeout ?? options.timeoutMs, options.timeoutMs)));
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]);
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(source.headers ?? {})) headers[name.toLowerCase()] = value.reveal();
  // The URL is a secret (tokens in query strings): messages name the source, never the URL.
  try {
    const response = await request(url, { method: 'GET', headers, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const { statusCode, body } = response;
    if (statusCode < 200 || statusCode > 299) {
      await body.dump().catch(() => undefined);
      const reason = statusCode === 401 || statusCode === 403 ? 'auth' : 'http_status';
      throw new SampleError(reason, `${label}: HTTP status ${statusCode}`);
    }
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (declared > source.max_bytes) {
      await body.dump().catch(() => undefined);
      throw new SampleError('limit', `${label}: response of ${declared} bytes is more than max_bytes ${source.max_bytes}`);
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > source.max_bytes) {
        body.destroy();
        throw new SampleError('limit', `${label}: response is more than max_bytes ${source.max_bytes}`);
      }
      chunks.push(chunk);
    }
    return { text: textOf(Buffer.concat(chunks), label), bytes };
  } catch (error) {
    if (error instanceof SampleError) throw error;
    if (options.signal.aborted) throw new SampleError('timeout', `${label}: no answer before the check timeout`);
    if (signal.aborted || TIMEOUT_CODES.has(errorCode(error)))
      throw new SampleError('timeout', `${label}: no answer within ${timeoutMs} ms`);
    throw new SampleError('connect', `${label}: request failed (${errorCode(error)})`);
  }
}

/** Reads and parses one source. `label` names it in errors ("staging source \"app\""). */
export async function readConfigSource(source: ConfigSourceConfig, label: string, options: ReadOptions): Promise<SourceDocument> {
  if (source.env !== undefined) {
    return { document: { ...source.env }, format: 'env', bytes: 0 };
  }
  let read: { text: string; bytes: number };
  let format: ConfigFormat;
  if (source.url !== undefined) {
    read = await readHttp(source, label, options);
    format = 'json';
  } else {
    const path = (source.file ?? source.env_file) as string;
    const known = source.env_file !== undefined ? 'env' : (source.format ?? formatFromPath(path));
    if (known === undefined) throw new SampleError('config', `${label}: cannot tell the format of ${path} from its name; set format`);
    format = known;
    read = await readFileCapped(path, source.max_bytes, label, options.signal);
  }
  try {
    return { document: await parseOffLoop(read.text, format, options.signal), format, bytes: read.bytes };
  } catch (error) {
    if (error instanceof SampleError) throw error;
    const message = error instanceof SourceParseError ? error.message : `cannot parse as ${format}`;
    throw new SampleError('parse', `${label}: ${message}`);
  }
}

/** Documents at least this big in a format slower than JSON are parsed in a worker thread. */
export const WORKER_PARSE_BYTES = 256 * 1024;

/** The built worker; when running from TypeScript sources (tsx), the worker registers tsx first. */
function startParseWorker(workerData: { text: string; format: ConfigFormat }): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./config-parse-worker.js', import.meta.url), { workerData });
  const worker = new URL('./config-parse-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); })`;
  return new Worker(code, { eval: true, workerData });
}

/**
 * JSON is parsed in place (about 5 ms per 100k keys), after a turn of the event loop so that the
 * two sides' parses never run back to back; large documents of the slower formats go to a worker.
 */
async function parseOffLoop(text: string, format: ConfigFormat, signal: AbortSignal): Promise<unknown> {
  if (format === 'json' || text.length < WORKER_PARSE_BYTES) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
    return parseConfigText(text, format);
  }
  return parseWorkers.run(() => parseInWorker(text, format, signal), signal);
}

/** Parse workers across all checks: never more than the cores left beside the main thread. */
const parseWorkers = new Limiter(Math.max(1, availableParallelism() - 1));

async function parseInWorker(text: string, format: ConfigFormat, signal: AbortSignal): Promise<unknown> {
  signal.throwIfAborted();
  const worker = startParseWorker({ text, format });
  try {
    return await new Promise<unknown>((resolve, reject) => {
      const onAbort = () => reject(new SampleError('timeout', 'parsing did not finish before the check timeout'));
      signal.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (message: { ok: boolean; document?: unknown; message?: string }) => {
        signal.removeEventListener('abort', onAbort);
        if (message.ok) resolve(message.document);
        else reject(new SourceParseError(message.message ?? `cannot parse as ${format}`));
      });
      worker.once('error', () => {
        signal.removeEventListener('abort', onAbort);
        reject(new SourceParseError(`cannot parse as ${format}`));
      });
    });
  } finally {
    void worker.terminate();
  }
}
