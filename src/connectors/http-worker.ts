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
import { closeSides, sideState, type SideState } from './http-agents.js';
import { ProbeFailure } from './http-failure.js';
import { probe } from './http-probe.js';
import type { HttpOutcome, HttpRequestMessage, WorkerMessage, WorkerReply } from './http-types.js';
import { applySchedulingToThisThread } from './prober-scheduling.js';

const controllers = new Map<number, AbortController>();

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
    void closeSides().then(() => process.exit(0));
  }
});
