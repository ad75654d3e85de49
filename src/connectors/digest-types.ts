import type { SideIndex } from '../compare/digest-pass.js';
import type { SideResult } from '../compare/side-pass.js';
import type { Column } from '../core/columns.js';
import type { RawRow } from './database.js';

/** Messages between the exporter and the digest threads of a sample (digest-thread.ts, digest-worker.ts). */

export type DigestMessage =
  | { type: 'columns'; side: SideIndex; columns: Column[] }
  /** Raw COPY text; its memory is transferred. */
  | { type: 'copy'; side: SideIndex; chunk: Uint8Array }
  | { type: 'rows'; side: SideIndex; rows: RawRow[]; columns: Column[] }
  | { type: 'end'; side: SideIndex; columns: Column[] };

/**
 * From the exporter to a side's thread: its side's messages, the other side's digests in that
 * side's order (memory transferred), then `finish` once both reads ended and every digest was passed.
 */
export type SideMessage = DigestMessage | { type: 'other'; digests: Float64Array } | { type: 'finish' };

export type DigestReply =
  /** One message handled: the digests of its rows (memory transferred), for the other side; the sender may send more. */
  { type: 'ack'; digests: Float64Array } | { type: 'result'; result: SideResult } | { type: 'fatal'; message: string };

export interface DigestOptions {
  ordered: boolean;
  ignoreColumns: string[];
  pendingLimit: number;
}
