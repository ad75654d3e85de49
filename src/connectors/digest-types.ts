import type { FirstPassResult, SideIndex } from '../compare/digest-pass.js';
import type { Column } from '../core/columns.js';
import type { RawRow } from './database.js';

/** Messages between the exporter and its digest thread (digest-thread.ts, digest-worker.ts). */

export type DigestMessage =
  | { type: 'columns'; side: SideIndex; columns: Column[] }
  /** Raw COPY text; its memory is transferred. */
  | { type: 'copy'; side: SideIndex; chunk: Uint8Array }
  | { type: 'rows'; side: SideIndex; rows: RawRow[]; columns: Column[] }
  | { type: 'end'; side: SideIndex; columns: Column[] }
  | { type: 'finish' };

export type DigestReply =
  /** One message of that side handled: the sender may send more. */
  { type: 'ack'; side: SideIndex } | { type: 'result'; result: FirstPassResult } | { type: 'fatal'; message: string };

export interface DigestWorkerData {
  ordered: boolean;
  ignoreColumns: string[];
  pendingLimit: number;
}
