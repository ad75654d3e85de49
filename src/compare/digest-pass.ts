import type { Column } from '../core/columns.js';
import { PendingRows, type HeldRow } from './pending-rows.js';
import { DigestList, RowDigester } from './row-digests.js';

/**
 * The first read of a digest comparison, both sides at once (pure): each row becomes a digest,
 * and rows not yet met on the other side are held (pending-rows.ts). Fed row by row, in the
 * exporter's main thread or in a worker thread (connectors/digest-worker.ts) from raw COPY text.
 */

export type SideIndex = 0 | 1;

export interface FirstPassResult {
  /** Each side's digests in the order read. */
  digests: [Float64Array, Float64Array];
  /** The rows left over once identical rows cancelled, or null when too many were pending at once. */
  leftovers: [HeldRow[], HeldRow[]] | null;
}

export class DigestPass {
  private readonly pending: PendingRows;
  private readonly digesters: [RowDigester, RowDigester];
  private readonly digests: [DigestList, DigestList] = [new DigestList(), new DigestList()];
  private readonly columnsOf: [Column[], Column[]] = [[], []];

  constructor(options: { ordered: boolean; ignoreColumns: readonly string[] }, pendingLimit: number) {
    this.pending = new PendingRows(options.ordered, pendingLimit);
    this.digesters = [new RowDigester(options.ignoreColumns), new RowDigester(options.ignoreColumns)];
  }

  columns(side: SideIndex, columns: Column[]): void {
    this.columnsOf[side] = columns;
  }

  row(side: SideIndex, raw: ReadonlyArray<string | null>, columns: Column[] = this.columnsOf[side]): void {
    const digest = this.digesters[side].digest(raw, columns);
    const digests = this.digests[side];
    this.pending.add(side, digests.length, digest, { raw, columns });
    digests.push(digest);
  }

  rows(side: SideIndex): number {
    return this.digests[side].length;
  }

  result(): FirstPassResult {
    return {
      digests: [this.digests[0].view(), this.digests[1].view()],
      leftovers: this.pending.overflow ? null : this.pending.leftovers(),
    };
  }
}
