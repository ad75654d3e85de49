/**
 * The HTTP prober, run in a worker thread so that the main event loop (scrapes, config diffs,
 * database streams) cannot delay the timestamps. Requests to one side are serialised: that keeps
 * one keep-alive connection per side, attributes connection set-up to the request that caused it,
 * and makes the per-side rate limit exact.
 *
 * Arrival times are taken at the socket: a listener placed before undici's own records when each
 * chunk became readable, so parsing, promise hops and undici's bookkeeping after the last byte
 * (on a closing connection it builds an error object to tear the socket down) are not counted.
 */
import { parentPort } from 'node:worker_threads';
import { readFileSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type {
  HttpFailureReason,
  HttpOutcome,
  HttpRequestMessage,
  HttpSideConfig,
  HttpTimings,
  HttpTlsConfig,
  WorkerMessage,
  WorkerReply,
} from './http-types.js';
import { applySchedulingToThisThread } from './prober-scheduling.js';

const now = (): bigint => process.hrtime.bigint();
const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

interface ConnectTimes {
  start: bigint;
  lookup?: bigint;
  connect?: bigint;
  secure?: bigint;
}

interface SideState {
  key: string;
  agent: Agent;
  /** For `connection: cold`: keep-alive disabled (pipelining 0), so every request opens a connection. */
  coldAgent: Agent;
  /** Connections opened since the current request began (normally zero or one). */
  connects: ConnectTimes[];
  /** When a chunk last became readable on this side's sockets (requests to a side are serial). */
  lastReadAt: bigint;
  queue: Promise<void>;
  lastStart: number;
}

const sides = new Map<string, SideState>();
const controllers = new Map<number, AbortController>();

const TLS_FILES = { caFile: 'ca_file', certFile: 'cert_file', keyFile: 'key_file' } as const;

/** A TLS file that cannot be read: names the setting and the path, never the contents. */
function tlsFileFailure(key: keyof typeof TLS_FILES, file: string, error: unknown): ProbeFailure {
  return new ProbeFailure('config', `cannot read tls.${TLS_FILES[key]} ${file} (${errorCode(error) || 'unreadable'})`);
}

function readTlsFile(tls: HttpTlsConfig, key: keyof typeof TLS_FILES): Buffer | undefined {
  const file = tls[key];
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw tlsFileFailure(key, file, error);
  }
}

/** Modification times of the TLS files: a rotated certificate or CA bundle is picked up at the next request. */
function tlsFilesStamp(tls: HttpTlsConfig | undefined): string {
  if (!tls) return '';
  return (Object.keys(TLS_FILES) as (keyof typeof TLS_FILES)[])
    .map((key) => {
      const file = tls[key];
      if (file === undefined) return '';
      try {
        return String(statSync(file).mtimeMs);
      } catch (error) {
        throw tlsFileFailure(key, file, error);
      }
    })
    .join(',');
}

function tlsOptions(tls: HttpTlsConfig | undefined): buildConnector.BuildOptions {
  if (!tls) return {};
  return {
    ca: readTlsFile(tls, 'caFile'),
    cert: readTlsFile(tls, 'certFile'),
    key: readTlsFile(tls, 'keyFile'),
    servername: tls.serverName,
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
}

/** A connector that records when DNS, TCP and TLS finished on each new socket, and when data arrives on it. */
function timedConnector(config: HttpSideConfig, state: SideState): buildConnector.connector {
  const base = buildConnector({ timeout: config.connectTimeoutMs, ...tlsOptions(config.tls) });
  return (options, callback) => {
    const times: ConnectTimes = { start: now() };
    state.connects.push(times);
    const socket = base(options, callback) as unknown as Socket | undefined;
    // Placed before undici's own listeners, so its handling (writing the request, parsing) is not counted.
    socket?.prependOnceListener('lookup', () => (times.lookup = now()));
    socket?.prependOnceListener('connect', () => (times.connect = now()));
    socket?.prependOnceListener('secureConnect', () => (times.secure = now()));
    socket?.prependListener('readable', () => (state.lastReadAt = now()));
    return socket as never;
  };
}

function newAgent(config: HttpSideConfig, keepAlive: boolean, state: SideState): Agent {
  return new Agent({
    connect: timedConnector(config, state),
    // Cold: no pool limit, so a new connection never waits for the previous one to finish closing.
    connections: keepAlive ? 1 : null,
    pipelining: keepAlive ? 1 : 0,
    keepAliveTimeout: keepAlive ? 30_000 : 1,
    // Our own deadline governs; these only stop undici from giving up earlier.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

function sideState(config: HttpSideConfig): SideState {
  const key = JSON.stringify(config) + tlsFilesStamp(config.tls);
  const existing = sides.get(config.side);
  if (existing && existing.key === key) return existing;
  if (existing) {
    void existing.agent.close().catch(() => undefined);
    void existing.coldAgent.close().catch(() => undefined);
  }
  const state: SideState = {
    key,
    agent: undefined as unknown as Agent,
    coldAgent: undefined as unknown as Agent,
    connects: [],
    lastReadAt: 0n,
    queue: Promise.resolve(),
    lastStart: 0,
  };
  state.agent = newAgent(config, true, state);
  state.coldAgent = newAgent(config, false, state);
  sides.set(config.side, state);
  return state;
}

class ProbeFailure extends Error {
  constructor(
    readonly reason: HttpFailureReason,
    message: string,
  ) {
    super(message);
  }
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

/** OpenSSL verification codes as Node reports them, and Node's own TLS errors. */
const TLS_ERROR =
  /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|INVALID_CA|PATH_LENGTH_|INVALID_PURPOSE|HOSTNAME_MISMATCH|EPROTO)/;

function describeFailure(
  error: unknown,
  context: { received: number; expected: number | null; deadlineHit: boolean; deadlineMs: number; canceled: boolean },
): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  if (context.deadlineHit) {
    return new ProbeFailure(
      'timeout',
      `step deadline of ${context.deadlineMs} ms exceeded${context.received > 0 ? ` after ${context.received} body bytes` : ''}`,
    );
  }
  if (context.canceled) return new ProbeFailure('canceled', 'check deadline reached or sample canceled');
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (context.expected !== null && context.received < context.expected) {
    return new ProbeFailure('parse', `response body truncated: received ${context.received} of ${context.expected} bytes (${message})`);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new ProbeFailure('timeout', `connect timeout (${message})`);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new ProbeFailure('timeout', message);
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH')
    return new ProbeFailure('parse', `response body length does not match Content-Length (${message})`);
  if (code.startsWith('HPE_')) return new ProbeFailure('parse', `malformed HTTP response (${code}: ${message})`);
  if (TLS_ERROR.test(code)) return new ProbeFailure('connect', `TLS handshake failed (${code}: ${message})`);
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'UND_ERR_SOCKET',
      'UND_ERR_CLOSED',
    ].includes(code)
  ) {
    const during = context.received > 0 ? ` after ${context.received} body bytes` : '';
    return new ProbeFailure('connect', `connection failed or reset${during} (${code}: ${message})`);
  }
  return new ProbeFailure('internal', message);
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const CREDENTIALS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * The headers of one hop. The environment's headers (secrets) and any credentials go to base_url's
 * own host only, never over plain HTTP after HTTPS: a redirect to an allowed other host gets the
 * step's other headers, as browsers and curl do.
 */
function hopHeaders(config: HttpSideConfig, spec: HttpRequestMessage['spec'], url: URL, base: URL): Record<string, string> {
  const trusted = url.host === base.host && !(base.protocol === 'https:' && url.protocol === 'http:');
  if (trusted) return { ...config.headers, ...spec.headers };
  return Object.fromEntries(Object.entries(spec.headers ?? {}).filter(([name]) => !CREDENTIALS.has(name.toLowerCase())));
}
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function headerValue(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function waitForRateLimit(state: SideState, config: HttpSideConfig, signal: AbortSignal): Promise<void> {
  if (config.rateLimit <= 0) return;
  const spacing = 1000 / config.rateLimit;
  const wait = state.lastStart + spacing - performance.now();
  if (wait > 0) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, wait);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new ProbeFailure('canceled', 'canceled while waiting for the rate limit'));
        },
        { once: true },
      );
    });
  }
  state.lastStart = performance.now();
}

async function probe(message: HttpRequestMessage, state: SideState, signal: AbortSignal): Promise<HttpOutcome> {
  const { config, spec } = message;
  let method = spec.method.toUpperCase();
  if (!SAFE.has(method) && !config.allowWrites) {
    return { ok: false, reason: 'config', message: `${method} refused: environment "${config.side}" does not allow writes` };
  }
  await waitForRateLimit(state, config, signal);

  const base = new URL(config.baseUrl);
  let url = new URL(spec.path, base);
  for (const [key, value] of Object.entries(spec.query ?? {})) url.searchParams.append(key, value);
  const allowedHosts = new Set([base.host, ...config.allowedRedirectHosts]);
  let body: string | Uint8Array | undefined = spec.body;
  const deadline = new AbortController();
  let deadlineHit = false;
  const timer = setTimeout(() => {
    deadlineHit = true;
    deadline.abort();
  }, message.deadlineMs);
  const combined = AbortSignal.any([signal, deadline.signal]);
  const cold = spec.connection === 'cold';
  const agent = cold ? state.coldAgent : state.agent;
  state.connects = [];
  const timings: HttpTimings = { totalMs: 0, ttfbMs: 0, transferMs: 0, reused: true, redirects: 0 };
  // The clock starts when the request leaves the prober; a new connection moves it to the start of DNS.
  let started = now();
  let received = 0;
  let expected: number | null = null;
  try {
    for (let hop = 0; ; hop++) {
      received = 0;
      expected = null;
      const hopStart = now();
      state.lastReadAt = 0n;
      const response = await agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: method as Dispatcher.HttpMethod,
        headers: hopHeaders(config, spec, url, base),
        body: body ?? null,
        signal: combined,
        // Cold: ask the server to close, so neither end keeps idle connections piling up.
        reset: cold,
      });
      // The chunk that completed the headers is the last one read: the await resumes before the next read.
      const headersAt = state.lastReadAt || now();
      const length = headerValue(response.headers, 'content-length');
      expected = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
      if (expected !== null && expected > config.maxBodyBytes) {
        response.body.destroy();
        throw new ProbeFailure('limit', `response body of ${expected} bytes exceeds max_body_bytes (${config.maxBodyBytes})`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > config.maxBodyBytes) {
          response.body.destroy();
          throw new ProbeFailure('limit', `response body exceeds max_body_bytes (${config.maxBodyBytes}) after ${received} bytes`);
        }
        chunks.push(chunk);
      }
      const endAt = state.lastReadAt > headersAt ? state.lastReadAt : headersAt;
      // Phases of this hop; a redirect chain adds its hops up.
      const connects = state.connects.splice(0);
      const connect = connects.at(-1);
      let readyAt = hopStart;
      if (connect) {
        timings.reused = false;
        const lookup = connect.lookup ?? connect.start;
        timings.dnsMs = (timings.dnsMs ?? 0) + ms(connect.start, lookup);
        const tcp = connect.connect ?? lookup;
        timings.connectMs = (timings.connectMs ?? 0) + ms(lookup, tcp);
        if (connect.secure) timings.tlsMs = (timings.tlsMs ?? 0) + ms(tcp, connect.secure);
        readyAt = connect.secure ?? tcp;
        if (hop === 0) started = connect.start;
        if (readyAt < hopStart) readyAt = hopStart;
      }
      timings.ttfbMs += ms(readyAt, headersAt);
      timings.transferMs += ms(headersAt, endAt);
      timings.totalMs = ms(started, endAt);

      const location = headerValue(response.headers, 'location');
      if (spec.followRedirects && REDIRECTS.has(response.statusCode) && location) {
        if (hop >= config.maxRedirects) {
          throw new ProbeFailure(
            'limit',
            `more than ${config.maxRedirects} redirects (redirect loop?), last to ${new URL(location, url).pathname}`,
          );
        }
        const next = new URL(location, url);
        if (!allowedHosts.has(next.host)) {
          throw new ProbeFailure('http_status', `redirect to another host (${next.host}) refused; allow it with allowed_redirect_hosts`);
        }
        if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        timings.redirects++;
        continue;
      }
      const bodyBytes = ownedBytes(chunks, received);
      const headers: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value : [value];
      }
      return { ok: true, status: response.statusCode, headers, body: bodyBytes, url: url.pathname + url.search, timings };
    }
  } catch (error) {
    const failure = describeFailure(error, { received, expected, deadlineHit, deadlineMs: message.deadlineMs, canceled: signal.aborted });
    timings.totalMs = ms(started, now());
    return { ok: false, reason: failure.reason, message: failure.message, timings };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The body in an ArrayBuffer of its own. Buffer.concat may hand out a slice of Node's shared pool,
 * which Node 22+ refuses to transfer (DataCloneError) and which must never be detached anyway.
 */
function ownedBytes(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return offset === length ? bytes : bytes.subarray(0, offset);
}

/** Transfers the body's memory only when the body owns all of it; otherwise it is copied. */
function transferList(outcome: HttpOutcome): ArrayBuffer[] {
  if (!outcome.ok) return [];
  const { body } = outcome;
  const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
  return owned ? [body.buffer as ArrayBuffer] : [];
}

function reply(id: number, outcome: HttpOutcome): void {
  try {
    parentPort?.postMessage({ id, outcome }, transferList(outcome));
  } catch (error) {
    const message = `cannot pass the response to the exporter: ${describeError(error)}`;
    parentPort?.postMessage({ id, outcome: { ok: false, reason: 'internal', message } } satisfies WorkerReply);
  }
}

function handle(message: HttpRequestMessage): void {
  let state: SideState;
  try {
    state = sideState(message.config);
  } catch (error) {
    const failure = error instanceof ProbeFailure ? error : new ProbeFailure('internal', String(error));
    parentPort?.postMessage({ id: message.id, outcome: { ok: false, reason: failure.reason, message: failure.message } });
    return;
  }
  const controller = new AbortController();
  controllers.set(message.id, controller);
  const run = async () => {
    let outcome: HttpOutcome;
    try {
      outcome = controller.signal.aborted
        ? { ok: false, reason: 'canceled', message: 'canceled before it started' }
        : await probe(message, state, controller.signal);
    } catch (error) {
      outcome = { ok: false, reason: 'internal', message: error instanceof Error ? error.message : String(error) };
    }
    controllers.delete(message.id);
    reply(message.id, outcome);
  };
  state.queue = state.queue.then(run, run);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

// A thread that dies loses its error's text on the way out (Node 22+), so it says why first. The
// exporter fails the requests in flight with this text and starts a new thread for the next ones.
const dieWithCause = (error: unknown) => {
  parentPort?.postMessage({ type: 'fatal', message: describeError(error) } satisfies WorkerReply);
  process.exit(1);
};
process.on('uncaughtException', dieWithCause);
process.on('unhandledRejection', dieWithCause);

parentPort?.on('message', (message: WorkerMessage) => {
  if (message.type === 'request') handle(message);
  else if (message.type === 'cancel') controllers.get(message.id)?.abort();
  // Messages arrive in order, so requests sent after it are timed under the new policy. The exporter
  // sends it while no sample runs (at start and between schedulers on reload): chrt blocks this thread.
  else if (message.type === 'scheduling')
    parentPort?.postMessage({ type: 'scheduling', status: applySchedulingToThisThread(message.scheduling) } satisfies WorkerReply);
  else if (message.type === 'close') {
    void Promise.all(
      [...sides.values()].flatMap((state) =>
        [state.agent.close(), state.coldAgent.close()].map((closing) => closing.catch(() => undefined)),
      ),
    ).then(() => process.exit(0));
  }
});
