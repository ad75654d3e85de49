import type { Column } from '../core/columns.js';
import { SidePass, type HeldRow, type SideResult } from './side-pass.js';

/**
 * The first read of a digest comparison, both sides in one thread (pure): each side's pass
 * (side-pass.ts) learns the other side's digests row by row. Used in the exporter's thread for
 * results too small to be worth a thread of their own per side (connectors/digest-thread.ts).
 */

export type SideIndex = 0 | 1;

export interface FirstPassResult {
  /** Each side's digests in the order read. */
  digests: [Float64Array, Float64Array];
  /** The rows left over once identical rows cancelled, or null when too many were pending at once. */
  leftovers: [HeldRow[], HeldRow[]] | null;
}

/** Both sides' results as one. */
export function bothSides(baseline: SideResult, candidate: SideResult): FirstPassResult {
  return {
    digests: [baseline.digests, candidate.digests],
    leftovers: baseline.leftovers && candidate.leftovers ? [baseline.leftovers, candidate.leftovers] : null,
  };
}

export class DigestPass {
  private readonly sides: [SidePass, SidePass];

  constructor(options: { ordered: boolean; ignoreColumns: readonly string[] }, pendingLimit: number) {
    this.sides = [new SidePass(options, pendingLimit), new SidePass(options, pendingLimit)];
  }

  columns(side: SideIndex, columns: Column[]): void {
    this.sides[side].columns(columns);
  }

  row(side: SideIndex, raw: ReadonlyArray<string | null>, columns?: Column[]): void {
    const digest = this.sides[side].row(raw, columns);
    this.sides[side === 0 ? 1 : 0].other([digest]);
  }

  result(): FirstPassResult {
    return bothSides(this.sides[0].result(), this.sides[1].result());
  }
}
