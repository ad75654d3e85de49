import type { Column } from '../core/columns.js';

/**
 * The rows of two concurrent reads that have not (yet) found their twin on the other side, held
 * in full up to a limit (pure). Both sides usually return rows in a similar order (the same
 * physical order, a primary-key scan, an ORDER BY), so identical rows meet soon and are dropped:
 * what is left at the end are the differing rows, ready to compare without reading again. Past
 * the limit, nothing more is held (`overflow`) and the caller reads the left-over rows again.
 *
 * As multisets, rows are held by digest with a balance (baseline copies minus candidate copies):
 * identical rows share a digest, so one row stands for all its copies. In order, rows are held by
 * position until the other side's row at that position arrives.
 */

export interface HeldRow {
  raw: ReadonlyArray<string | null>;
  columns: Column[];
}

type Side = 0 | 1;

export class PendingRows {
  private readonly byDigest = new Map<number, { balance: number; row: HeldRow }>();
  private readonly byPosition: [Map<number, { digest: number; row: HeldRow }>, Map<number, { digest: number; row: HeldRow }>] = [
    new Map(),
    new Map(),
  ];
  private readonly differing = new Map<number, [HeldRow, HeldRow]>();
  overflow = false;

  constructor(
    private readonly ordered: boolean,
    private readonly limit: number,
  ) {}

  private get held(): number {
    return this.byDigest.size + this.byPosition[0].size + this.byPosition[1].size + 2 * this.differing.size;
  }

  add(side: Side, position: number, digest: number, row: HeldRow): void {
    if (this.overflow) return;
    if (this.ordered) this.addAt(side, position, digest, row);
    else {
      const sign = side === 0 ? 1 : -1;
      const entry = this.byDigest.get(digest);
      if (!entry) this.byDigest.set(digest, { balance: sign, row });
      else if ((entry.balance += sign) === 0) this.byDigest.delete(digest);
    }
    if (this.held > this.limit) {
      this.overflow = true;
      this.byDigest.clear();
      this.byPosition[0].clear();
      this.byPosition[1].clear();
      this.differing.clear();
    }
  }

  private addAt(side: Side, position: number, digest: number, row: HeldRow): void {
    const other = this.byPosition[side === 0 ? 1 : 0];
    const twin = other.get(position);
    if (!twin) {
      this.byPosition[side].set(position, { digest, row });
      return;
    }
    other.delete(position);
    if (twin.digest !== digest) this.differing.set(position, side === 0 ? [row, twin.row] : [twin.row, row]);
  }

  /** The left-over rows of each side (copies repeated; in position order when ordered). */
  leftovers(): [HeldRow[], HeldRow[]] {
    const sides: [HeldRow[], HeldRow[]] = [[], []];
    if (!this.ordered) {
      for (const { balance, row } of this.byDigest.values()) {
        for (let i = 0; i < Math.abs(balance); i += 1) sides[balance > 0 ? 0 : 1].push(row);
      }
      return sides;
    }
    const at: Array<[number, HeldRow | undefined, HeldRow | undefined]> = [];
    for (const [position, [a, b]] of this.differing) at.push([position, a, b]);
    for (const [position, { row }] of this.byPosition[0]) at.push([position, row, undefined]);
    for (const [position, { row }] of this.byPosition[1]) at.push([position, undefined, row]);
    at.sort((x, y) => x[0] - y[0]);
    for (const [, a, b] of at) {
      if (a) sides[0].push(a);
      if (b) sides[1].push(b);
    }
    return sides;
  }
}
