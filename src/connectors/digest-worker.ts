import { parentPort, workerData } from 'node:worker_threads';
import { CopyTextRows } from '../compare/copy-text.js';
import { DigestPass } from '../compare/digest-pass.js';
import type { DigestMessage, DigestReply, DigestWorkerData } from './digest-types.js';

/**
 * The first read of a `query` sample, parsed, canonicalised and digested off the main thread: the
 * exporter hands both sides' raw COPY text (or row batches) as they arrive and gets back the
 * digests and the few rows left over (compare/digest-pass.ts). One thread per sample.
 */

const options = workerData as DigestWorkerData;
const pass = new DigestPass(options, options.pendingLimit);
const copies = [new CopyTextRows(), new CopyTextRows()] as const;

function post(reply: DigestReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(reply, transfer);
}

function handle(message: DigestMessage): void {
  switch (message.type) {
    case 'columns':
      pass.columns(message.side, message.columns);
      return;
    case 'copy': {
      const side = message.side;
      copies[side].push(message.chunk, (row) => pass.row(side, row));
      post({ type: 'ack', side });
      return;
    }
    case 'rows':
      for (const row of message.rows) pass.row(message.side, row, message.columns);
      post({ type: 'ack', side: message.side });
      return;
    case 'end':
      if (!copies[message.side].finish()) throw new Error('the COPY text ended inside a row');
      pass.columns(message.side, message.columns);
      return;
    case 'finish': {
      const result = pass.result();
      post({ type: 'result', result }, [result.digests[0].buffer as ArrayBuffer, result.digests[1].buffer as ArrayBuffer]);
      return;
    }
  }
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
