import type { Dispatcher } from 'undici';
import { describeFailure, ProbeFailure } from './http-failure.js';
import { now, type SideState } from './http-agents.js';
import type { HttpOutcome, HttpRequestMessage, HttpSideConfig, HttpTimings } from './http-types.js';

/**
 * One probe: a request to one side, its redirects followed hop by hop, the body read under the
 * size limit, and the phases timed from what the side's connector recorded.
 */

const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

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

interface Progress {
  received: number;
  expected: number | null;
}

/** The body of one hop, refused beyond max_body_bytes (announced or received). */
async function readBody(response: Dispatcher.ResponseData, config: HttpSideConfig, progress: Progress): Promise<Buffer[]> {
  const length = headerValue(response.headers, 'content-length');
  progress.expected = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
  if (progress.expected !== null && progress.expected > config.maxBodyBytes) {
    response.body.destroy();
    throw new ProbeFailure('limit', `response body of ${progress.expected} bytes exceeds max_body_bytes (${config.maxBodyBytes})`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    progress.received += chunk.length;
    if (progress.received > config.maxBodyBytes) {
      response.body.destroy();
      throw new ProbeFailure('limit', `response body exceeds max_body_bytes (${config.maxBodyBytes}) after ${progress.received} bytes`);
    }
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * Adds one hop's phases to the timings (a redirect chain adds its hops up); returns when the
 * request started, moved to the start of DNS when the first hop opened a connection.
 */
function timeHop(
  state: SideState,
  timings: HttpTimings,
  hop: { index: number; start: bigint; headersAt: bigint; endAt: bigint },
  started: bigint,
): bigint {
  const connect = state.connects.splice(0).at(-1);
  let readyAt = hop.start;
  if (connect) {
    timings.reused = false;
    const lookup = connect.lookup ?? connect.start;
    timings.dnsMs = (timings.dnsMs ?? 0) + ms(connect.start, lookup);
    const tcp = connect.connect ?? lookup;
    timings.connectMs = (timings.connectMs ?? 0) + ms(lookup, tcp);
    if (connect.secure) timings.tlsMs = (timings.tlsMs ?? 0) + ms(tcp, connect.secure);
    readyAt = connect.secure ?? tcp;
    if (hop.index === 0) started = connect.start;
    if (readyAt < hop.start) readyAt = hop.start;
  }
  timings.ttfbMs += ms(readyAt, hop.headersAt);
  timings.transferMs += ms(hop.headersAt, hop.endAt);
  timings.totalMs = ms(started, hop.endAt);
  return started;
}

/** Where a redirect leads, or null when the response is not one to follow. */
function redirectTarget(
  message: HttpRequestMessage,
  response: Dispatcher.ResponseData,
  url: URL,
  hop: number,
  allowedHosts: Set<string>,
): URL | null {
  const { config, spec } = message;
  const location = headerValue(response.headers, 'location');
  if (!spec.followRedirects || !REDIRECTS.has(response.statusCode) || !location) return null;
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
  return next;
}

function responseHeaders(response: Dispatcher.ResponseData): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value : [value];
  }
  return headers;
}

export async function probe(message: HttpRequestMessage, state: SideState, signal: AbortSignal): Promise<HttpOutcome> {
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
  const progress: Progress = { received: 0, expected: null };
  try {
    for (let hop = 0; ; hop++) {
      progress.received = 0;
      progress.expected = null;
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
      const chunks = await readBody(response, config, progress);
      const endAt = state.lastReadAt > headersAt ? state.lastReadAt : headersAt;
      started = timeHop(state, timings, { index: hop, start: hopStart, headersAt, endAt }, started);

      const next = redirectTarget(message, response, url, hop, allowedHosts);
      if (next) {
        if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        timings.redirects++;
        continue;
      }
      const bodyBytes = ownedBytes(chunks, progress.received);
      return {
        ok: true,
        status: response.statusCode,
        headers: responseHeaders(response),
        body: bodyBytes,
        url: url.pathname + url.search,
        timings,
      };
    }
  } catch (error) {
    const failure = describeFailure(error, { ...progress, deadlineHit, deadlineMs: message.deadlineMs, canceled: signal.aborted });
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
