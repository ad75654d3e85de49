import type { Column } from '../core/columns.js';
import { DigestList, RowDigester } from './row-digests.js';

/**
 * One side of the first read of a digest comparison (pure): its rows become digests, and the rows
 * not yet met on the other side are held, up to a limit. The other side's digests arrive as a
 * stream of their own (`other`), so each side can run in a thread of its own and the two only
 * exchange digests (8 bytes a row), never rows.
 *
 * Both sides usually return rows in a similar order (the same physical order, a primary-key scan,
 * an ORDER BY), so identical rows meet soon and are dropped: what is left at the end are the rows
 * that differ, ready to compare without reading again. Past the limit nothing more is held
 * (`overflow`) and the caller reads the left-over rows again.
 *
 * As multisets, rows are held by digest with a balance (this side's copies minus the other's):
 * identical rows share a digest, so one row stands for all its copies, and a digest the other side
 * had first is held as a negative balance without a row. In order, rows are held by position until
 * the other side's digest at that position arrives. Both sides count what is held alike, so they
 * overflow together.
 */

export interface HeldRow {
  raw: ReadonlyArray<string | null>;
  columns: Column[];
}

export interface SideResult {
  /** The side's digests in the order read. */
  digests: Float64Array;
  /** Its rows left over once identical rows cancelled, or null when too many were held at once. */
  leftovers: HeldRow[] | null;
}

export class SidePass {
  private readonly digester: RowDigester;
  private readonly digests = new DigestList();
  private columnsOf: Column[] = [];
  /** As multisets: digest -> this side's copies minus the other side's (the row when positive). */
  private readonly byDigest = new Map<number, { balance: number; row: HeldRow | null }>();
  /** In order: this side's rows and the other side's digests not yet met at their position, and rows that differ. */
  private readonly mine = new Map<number, { digest: number; row: HeldRow }>();
  private readonly theirs = new Map<number, number>();
  private readonly differing = new Map<number, HeldRow>();
  private otherRows = 0;
  overflow = false;

  constructor(
    private readonly options: { ordered: boolean; ignoreColumns: readonly string[] },
    private readonly limit: number,
  ) {
    this.digester = new RowDigester(options.ignoreColumns);
  }

  columns(columns: Column[]): void {
    this.columnsOf = columns;
  }

  /** Digests one row of this side, holds it until met; returns its digest for the other side. */
  row(raw: ReadonlyArray<string | null>, columns: Column[] = this.columnsOf): number {
    const digest = this.digester.digest(raw, columns);
    const position = this.digests.length;
    this.digests.push(digest);
    if (this.overflow) return digest;
    if (this.options.ordered) this.mineAt(position, digest, { raw, columns });
    else this.count(digest, 1, { raw, columns });
    this.checkLimit();
    return digest;
  }

  /** The other side's next digests, in its order. */
  other(digests: ArrayLike<number>): void {
    for (let i = 0; i < digests.length; i += 1) {
      const digest = digests[i] as number;
      const position = this.otherRows;
      this.otherRows += 1;
      if (this.overflow) continue;
      if (this.options.ordered) this.theirsAt(position, digest);
      else this.count(digest, -1, null);
      this.checkLimit();
    }
  }

  private count(digest: number, sign: 1 | -1, row: HeldRow | null): void {
    const entry = this.byDigest.get(digest);
    if (!entry) this.byDigest.set(digest, { balance: sign, row });
    else if ((entry.balance += sign) === 0) this.byDigest.delete(digest);
  }

  private mineAt(position: number, digest: number, row: HeldRow): void {
    const twin = this.theirs.get(position);
    if (twin === undefined) this.mine.set(position, { digest, row });
    else {
      this.theirs.delete(position);
      if (twin !== digest) this.differing.set(position, row);
    }
  }

  private theirsAt(position: number, digest: number): void {
    const mine = this.mine.get(position);
    if (!mine) this.theirs.set(position, digest);
    else {
      this.mine.delete(position);
      if (mine.digest !== digest) this.differing.set(position, mine.row);
    }
  }

  /** Rows held, both sides' (a differing position holds one row on each side). */
  private get held(): number {
    return this.byDigest.size + this.mine.size + this.theirs.size + 2 * this.differing.size;
  }

  private checkLimit(): void {
    if (this.held <= this.limit) return;
    this.overflow = true;
    this.byDigest.clear();
    this.mine.clear();
    this.theirs.clear();
    this.differing.clear();
  }

  /** Once both sides ended: the digests and this side's left-over rows (copies repeated; in position order when ordered). */
  result(): SideResult {
    return { digests: this.digests.view(), leftovers: this.overflow ? null : this.leftovers() };
  }

  private leftovers(): HeldRow[] {
    const rows: HeldRow[] = [];
    if (!this.options.ordered) {
      for (const { balance, row } of this.byDigest.values()) {
        for (let i = 0; i < balance && row; i += 1) rows.push(row);
      }
      return rows;
    }
    const at: Array<[number, HeldRow]> = [...this.differing];
    for (const [position, { row }] of this.mine) at.push([position, row]);
    at.sort((x, y) => x[0] - y[0]);
    return at.map(([, row]) => row);
  }
}
