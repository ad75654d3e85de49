import { CopyTextRows } from '../compare/copy-text.js';
import { DigestPass, type FirstPassResult } from '../compare/digest-pass.js';
import type { DigestMessage, DigestWorkerData } from './digest-types.js';

/**
 * What a digest thread does with each message (digest-worker.ts), also run on the exporter's own
 * thread for a result too small to be worth a thread (digest-thread.ts).
 */
export class DigestProcessor {
  private readonly pass: DigestPass;
  private readonly copies = [new CopyTextRows(), new CopyTextRows()] as const;

  constructor(options: DigestWorkerData) {
    this.pass = new DigestPass(options, options.pendingLimit);
  }

  /** Handles one message; `finish` returns the digests and left-over rows. */
  handle(message: DigestMessage): FirstPassResult | undefined {
    switch (message.type) {
      case 'columns':
        this.pass.columns(message.side, message.columns);
        return;
      case 'copy': {
        const side = message.side;
        this.copies[side].push(message.chunk, (row) => this.pass.row(side, row));
        return;
      }
      case 'rows':
        for (const row of message.rows) this.pass.row(message.side, row, message.columns);
        return;
      case 'end':
        if (!this.copies[message.side].finish()) throw new Error('the COPY text ended inside a row');
        this.pass.columns(message.side, message.columns);
        return;
      case 'finish':
        return this.pass.result();
    }
  }
}
