import { parentPort, workerData } from 'node:worker_threads';
import { SideProcessor } from './digest-processor.js';
import type { DigestOptions, DigestReply, SideMessage } from './digest-types.js';

/**
 * One side of the first read of a `query` sample, parsed, canonicalised and digested off the main
 * thread: the exporter hands this side's raw COPY text (or row batches) as it arrives; the thread
 * answers each batch with its digests, which the exporter passes on to the other side's thread as
 * they are (rows cancel against them), and at the end replies with its digests and the few rows
 * left over (compare/side-pass.ts).
 * Two threads per sample whose result outgrows the exporter's own thread (digest-thread.ts), so
 * the sides use two cores.
 */

const processor = new SideProcessor(workerData as DigestOptions);

function post(reply: DigestReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(reply, transfer);
}

function handle(message: SideMessage): void {
  if (message.type === 'other') return processor.other(message.digests);
  if (message.type === 'finish') {
    const result = processor.result();
    return post({ type: 'result', result }, [result.digests.buffer as ArrayBuffer]);
  }
  const digests = processor.handle(message);
  if (message.type === 'copy' || message.type === 'rows') {
    const batch = digests ?? new Float64Array(0);
    post({ type: 'ack', digests: batch }, [batch.buffer as ArrayBuffer]);
  }
}

// A thread that dies loses its error's text on the way out (Node 22+), so it says why first.
const dieWithCause = (error: unknown) => {
  post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
};
process.on('uncaughtException', dieWithCause);
process.on('unhandledRejection', dieWithCause);

parentPort?.on('message', (message: SideMessage) => {
  try {
    handle(message);
  } catch (error) {
    dieWithCause(error);
  }
});
