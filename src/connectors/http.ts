import { Worker } from 'node:worker_threads';
import type { EnvironmentConfig } from '../config/schema.js';
import type {
  HttpOutcome,
  HttpRequestSpec,
  HttpSideConfig,
  ProberScheduling,
  SchedulingStatus,
  WorkerMessage,
  WorkerReply,
} from './http-types.js';

export type {
  HttpOutcome,
  HttpRequestSpec,
  HttpSideConfig,
  HttpTimings,
  HttpFailureReason,
  ProberScheduling,
  SchedulingStatus,
} from './http-types.js';

const NORMAL: ProberScheduling = { policy: 'normal', priority: 0 };

/** Whether two settings put the prober thread under the same policy (the priority matters only for realtime). */
export function sameScheduling(a: ProberScheduling, b: ProberScheduling): boolean {
  return a.policy === b.policy && (a.policy === 'normal' || a.priority === b.priority);
}

function normalStatus(requested: ProberScheduling, message: string): SchedulingStatus {
  return { requested, realtime: false, thread: null, message };
}

/**
 * HTTP connector: I/O only. Requests run in a worker thread (see http-worker.ts) so that their
 * timings are not distorted by work on the main event loop; this module hands requests over and
 * returns outcomes. A failed request is an outcome with a closed reason, never a throw.
 */

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** The worker's view of an environment's `http` section, secrets revealed (they never leave the connector). */
export function httpSideConfig(side: string, environment: EnvironmentConfig): HttpSideConfig | null {
  const http = environment.http;
  if (!http) return null;
  return {
    side,
    baseUrl: http.base_url,
    headers: Object.fromEntries(Object.entries(http.headers).map(([name, value]) => [name, value.reveal()])),
    allowWrites: http.allow_writes,
    rateLimit: http.rate_limit,
    maxBodyBytes: http.max_body_bytes,
    allowedRedirectHosts: http.allowed_redirect_hosts,
    maxRedirects: http.max_redirects,
    connectTimeoutMs: http.timeouts.connect,
    ...(http.tls && {
      tls: {
        caFile: http.tls.ca_file,
        certFile: http.tls.cert_file,
        keyFile: http.tls.key_file,
        serverName: http.tls.server_name,
        insecureSkipVerify: http.tls.insecure_skip_verify,
      },
    }),
  };
}

interface Pending {
  /** The thread the request was handed to: only its death fails the request. */
  worker: Worker;
  resolve(outcome: HttpOutcome): void;
}

const fromSource = import.meta.url.endsWith('.ts');
const workerFile = new URL(fromSource ? './http-worker.ts' : './http-worker.js', import.meta.url);

/**
 * Starts the prober thread. Built code starts the worker file directly; source runs (tests, tsx)
 * register tsx in the worker first. `prelude` is extra module code run after the worker loaded (fault
 * injection in tests).
 */
export function startHttpWorker(prelude = ''): Worker {
  if (!fromSource && prelude === '') return new Worker(workerFile);
  const load = fromSource
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(workerFile.href)}); })`
    : `import(${JSON.stringify(workerFile.href)})`;
  return new Worker(`${load}.then(() => { ${prelude} });`, { eval: true });
}

/** An error's text as the worker reports it; Node 22+ hands a thread's uncaught error over without its message. */
function describeWorkerError(error: Error): string {
  return error.message !== '' ? error.message : `${error.name} (no message; the prober thread reported its cause separately)`;
}

export class HttpClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private scheduling: ProberScheduling = NORMAL;
  private schedulingStatus: SchedulingStatus = normalStatus(NORMAL, 'normal scheduling');
  private schedulingWaiters: Array<(status: SchedulingStatus) => void> = [];

  constructor(private readonly start: () => Worker = () => startHttpWorker()) {}

  /** What the prober thread runs under now (`realtime` only once the kernel accepted it). */
  get schedulingState(): SchedulingStatus {
    return this.schedulingStatus;
  }

  /**
   * Sets the prober thread's CPU scheduling; resolves with what the kernel accepted. Call it while no
   * request is in flight (setting the policy blocks the prober thread for a moment).
   */
  setScheduling(requested: ProberScheduling): Promise<SchedulingStatus> {
    const unchanged = sameScheduling(requested, this.scheduling);
    this.scheduling = requested;
    if (!this.worker && requested.policy === 'normal') {
      // A worker starts under normal scheduling: nothing to change until it runs.
      this.schedulingStatus = normalStatus(requested, 'normal scheduling');
      return Promise.resolve(this.schedulingStatus);
    }
    if (this.worker && unchanged) return Promise.resolve(this.schedulingStatus);
    const running = this.worker;
    return new Promise((resolve) => {
      this.schedulingWaiters.push(resolve);
      // A new worker is sent its scheduling first thing (ensureWorker); a running one now.
      const worker = this.ensureWorker();
      worker.ref();
      if (running) worker.postMessage({ type: 'scheduling', scheduling: requested } satisfies WorkerMessage);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.start();
    let fatal: string | null = null; // why this worker is dying, when it said so before it exited
    let failed = false;
    if (this.scheduling.policy !== 'normal')
      worker.postMessage({ type: 'scheduling', scheduling: this.scheduling } satisfies WorkerMessage);
    worker.on('message', (reply: WorkerReply) => {
      if ('type' in reply && reply.type === 'fatal') {
        fatal = reply.message;
        return;
      }
      if ('type' in reply) {
        this.schedulingStatus = reply.status;
        this.schedulingWaiters.shift()?.(reply.status);
        if (this.pending.size === 0 && this.schedulingWaiters.length === 0) worker.unref();
        return;
      }
      const { id, outcome } = reply;
      const pending = this.pending.get(id);
      if (!pending) return;
      this.pending.delete(id);
      pending.resolve(outcome);
      if (this.pending.size === 0 && this.schedulingWaiters.length === 0) worker.unref();
    });
    const failAll = (message: string) => {
      if (failed) return; // 'error' is followed by 'exit'
      failed = true;
      if (this.worker === worker) this.worker = null;
      this.schedulingStatus = normalStatus(this.scheduling, message);
      for (const waiter of this.schedulingWaiters.splice(0)) waiter(this.schedulingStatus);
      for (const [id, pending] of this.pending) {
        if (pending.worker !== worker) continue;
        this.pending.delete(id);
        pending.resolve({ ok: false, reason: 'internal', message });
      }
    };
    worker.on('error', (error) => failAll(`HTTP worker failed: ${fatal ?? describeWorkerError(error)}`));
    worker.on('exit', (code) => failAll(fatal !== null ? `HTTP worker failed: ${fatal}` : `HTTP worker exited with code ${code}`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Sends one request; `deadlineMs` bounds it (connect to last body byte). Never rejects. */
  request(config: HttpSideConfig, spec: HttpRequestSpec, options: { deadlineMs: number; signal?: AbortSignal }): Promise<HttpOutcome> {
    if (options.signal?.aborted) return Promise.resolve({ ok: false, reason: 'canceled', message: 'canceled before it started' });
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<HttpOutcome>((resolve) => {
      const onAbort = () => worker.postMessage({ type: 'cancel', id } satisfies WorkerMessage);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        worker,
        resolve: (outcome) => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      });
      worker.ref();
      worker.postMessage({
        type: 'request',
        id,
        config,
        spec,
        deadlineMs: Math.max(1, Math.floor(options.deadlineMs)),
      } satisfies WorkerMessage);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    await worker.terminate();
  }
}

let shared: HttpClient | null = null;

/** The process-wide client: one worker, one keep-alive connection per side. */
export function httpClient(): HttpClient {
  shared ??= new HttpClient();
  return shared;
}
