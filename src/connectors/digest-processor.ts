import { CopyTextRows } from '../compare/copy-text.js';
import { SidePass, type SideResult } from '../compare/side-pass.js';
import type { DigestMessage, DigestOptions } from './digest-types.js';

/**
 * What one side's digest thread does with each message of its side (digest-worker.ts), also run
 * on the exporter's own thread for a result too small to be worth threads (digest-thread.ts).
 */
export class SideProcessor {
  private readonly pass: SidePass;
  private readonly copy = new CopyTextRows();

  constructor(options: DigestOptions) {
    this.pass = new SidePass(options, options.pendingLimit);
  }

  /** Handles one message of this side; returns the digests of its rows, for the other side. */
  handle(message: DigestMessage): Float64Array | null {
    switch (message.type) {
      case 'columns':
        this.pass.columns(message.columns);
        return null;
      case 'copy': {
        const digests: number[] = [];
        this.copy.push(message.chunk, (row) => digests.push(this.pass.row(row)));
        return Float64Array.from(digests);
      }
      case 'rows':
        return Float64Array.from(message.rows, (row) => this.pass.row(row, message.columns));
      case 'end':
        if (!this.copy.finish()) throw new Error('the COPY text ended inside a row');
        this.pass.columns(message.columns);
        return null;
    }
  }

  /** The other side's next digests. */
  other(digests: Float64Array): void {
    this.pass.other(digests);
  }

  /** Once both sides ended. */
  result(): SideResult {
    return this.pass.result();
  }
}
