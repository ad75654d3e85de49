import { parentPort, workerData } from 'node:worker_threads';
import { DigestProcessor } from './digest-processor.js';
import type { DigestMessage, DigestReply, DigestWorkerData } from './digest-types.js';

/**
 * The first read of a `query` sample, parsed, canonicalised and digested off the main thread: the
 * exporter hands both sides' raw COPY text (or row batches) as they arrive and gets back the
 * digests and the few rows left over (compare/digest-pass.ts). One thread per sample whose result
 * outgrows the exporter's own thread (digest-thread.ts).
 */

const processor = new DigestProcessor(workerData as DigestWorkerData);

function post(reply: DigestReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(reply, transfer);
}

function handle(message: DigestMessage): void {
  const result = processor.handle(message);
  if (message.type === 'copy' || message.type === 'rows') post({ type: 'ack', side: message.side });
  if (result) post({ type: 'result', result }, [result.digests[0].buffer as ArrayBuffer, result.digests[1].buffer as ArrayBuffer]);
}

// A thread that dies loses its error's text on the way out (Node 22+), so it says why first.
const dieWithCause = (error: unknown) => {
  post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
};
process.on('uncaughtException', dieWithCause);
process.on('unhandledRejection', dieWithCause);

parentPort?.on('message', (message: DigestMessage) => {
  try {
    handle(message);
  } catch (error) {
    dieWithCause(error);
  }
});
