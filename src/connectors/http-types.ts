/** Types shared by the HTTP connector and its worker thread (plain data: they cross postMessage). */

export type HttpFailureReason = 'timeout' | 'connect' | 'limit' | 'parse' | 'http_status' | 'config' | 'canceled' | 'internal';

/** One side's HTTP settings with secrets revealed; lives only inside the connector and its worker. */
export interface HttpSideConfig {
  side: string;
  baseUrl: string;
  headers: Record<string, string>;
  allowWrites: boolean;
  /** Requests per second; 0 = unlimited. */
  rateLimit: number;
  maxBodyBytes: number;
  allowedRedirectHosts: string[];
  maxRedirects: number;
  connectTimeoutMs: number;
  /** Absolute paths; the worker reads the files, so key material never crosses postMessage. */
  tls?: HttpTlsConfig;
}

export interface HttpTlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

export interface HttpRequestSpec {
  method: string;
  /** Path (with optional query string) relative to the side's base URL. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  followRedirects: boolean;
  /** `keepalive` reuses the side's connection; `cold` opens a new one for this request. */
  connection: 'keepalive' | 'cold';
}

/** Milliseconds, measured with the monotonic clock in the worker thread. */
export interface HttpTimings {
  totalMs: number;
  /** Present only when this request opened a connection. */
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  /** From the moment the connection was ready (or the request started, on a reused one) to the response headers. */
  ttfbMs: number;
  /** From the response headers to the last body byte. */
  transferMs: number;
  /** Whether an existing keep-alive connection carried the request. */
  reused: boolean;
  redirects: number;
}

export type HttpOutcome =
  | { ok: true; status: number; headers: Record<string, string[]>; body: Uint8Array; url: string; timings: HttpTimings }
  | { ok: false; reason: HttpFailureReason; message: string; timings?: HttpTimings };

export interface HttpRequestMessage {
  type: 'request';
  id: number;
  config: HttpSideConfig;
  spec: HttpRequestSpec;
  deadlineMs: number;
}

/** CPU scheduling of the prober thread (config `prober`, see prober-scheduling.ts). */
export interface ProberScheduling {
  policy: 'normal' | 'realtime';
  /** SCHED_FIFO priority, 1..99, used with the real-time policy. */
  priority: number;
}

/** What the prober thread runs under: `realtime` only once the kernel accepted it. */
export interface SchedulingStatus {
  requested: ProberScheduling;
  realtime: boolean;
  thread: number | null;
  message: string;
}

export type WorkerMessage =
  HttpRequestMessage | { type: 'cancel'; id: number } | { type: 'close' } | { type: 'scheduling'; scheduling: ProberScheduling };

/** From the worker: the outcome of a request, or the scheduling it now runs under. */
export type WorkerReply =
  | { id: number; outcome: HttpOutcome }
  | { type: 'scheduling'; status: SchedulingStatus }
  /** The thread's last words before it exits on an uncaught error: the cause, kept for the requests it drops. */
  | { type: 'fatal'; message: string };
