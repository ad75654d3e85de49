import type { Column } from '../core/columns.js';
import { PendingRows, type HeldRow } from './pending-rows.js';
import { DigestList, LeftoverFilter, leftovers, RowDigester } from './row-digests.js';
import { compareRows, SideRows, type RowCompareOptions, type RowsComparison } from './rows.js';

/**
 * Compares two result sets holding one digest per row (pure: the reads are passed in).
 *
 * 1. Each side is read once into digests (compare/row-digests.ts); identical rows cancel out.
 *    While both sides stream, rows not yet met on the other side are held (compare/pending-rows.ts,
 *    up to PENDING_ROWS): when that was enough, the rows left at the end are compared by
 *    `compareRows` (tolerances, keys, order, examples) without reading again.
 * 2. Otherwise, each side is read again and only the left-over rows are kept and compared.
 * 3. When the second read does not find the same left-over rows (the data changed in between), a
 *    third read keeps every row and compares them as before: never a result from a mix of reads.
 *
 * Memory: 8 bytes a row per side, plus the text of the rows that differ.
 */

export type RawRow = ReadonlyArray<string | null>;
export type OnRow = (row: RawRow, columns: Column[]) => void;
/** Reads one side's result, calling back for each row; resolves with what the read reports. */
export type SideRead<S extends { columns: Column[] }> = (onRow: OnRow) => Promise<S>;

export interface DigestComparison<S> {
  comparison: RowsComparison;
  /** What the first read of each side reported (its columns, duration, row count). */
  baseline: S;
  candidate: S;
  /** How many times each side was read: 1, 2 when too many rows were pending, 3 after a change in between. */
  reads: number;
}

function withColumns(columns: Column[], ordered: boolean): SideRows {
  const rows = new SideRows({ ordered });
  rows.columns = columns;
  return rows;
}

/** The counts of a comparison of left-over rows, with the row totals of the whole result sets. */
function withTotals(comparison: RowsComparison, baselineRows: number, candidateRows: number): RowsComparison {
  const mismatchedRows = comparison.columnProblems.length > 0 ? Math.max(baselineRows, candidateRows) : comparison.mismatchedRows;
  return { ...comparison, baselineRows, candidateRows, mismatchedRows };
}

/** Rows held while waiting for their twin on the other side: a few MiB of row text at most. */
export const PENDING_ROWS = 50_000;

function held(rows: HeldRow[], columns: Column[], ordered: boolean): SideRows {
  const side = withColumns(columns, ordered);
  for (const row of rows) side.add(row.raw, row.columns);
  side.columns = columns;
  return side;
}

export async function compareByDigests<S extends { columns: Column[] }>(
  read: { baseline: SideRead<S>; candidate: SideRead<S> },
  options: RowCompareOptions,
  pendingLimit = PENDING_ROWS,
): Promise<DigestComparison<S>> {
  const pending = new PendingRows(options.ordered, pendingLimit);
  const digestRead = async (side: SideRead<S>, index: 0 | 1) => {
    const digester = new RowDigester(options.ignoreColumns);
    const digests = new DigestList();
    const summary = await side((raw, columns) => {
      const digest = digester.digest(raw, columns);
      pending.add(index, digests.length, digest, { raw, columns });
      digests.push(digest);
    });
    return { digests, summary };
  };
  const [first, second] = await Promise.all([digestRead(read.baseline, 0), digestRead(read.candidate, 1)]);
  const totals = [first.digests.length, second.digests.length] as const;
  const shape = compareRows(
    withColumns(first.summary.columns, options.ordered),
    withColumns(second.summary.columns, options.ordered),
    options,
  );
  const done = (comparison: RowsComparison, reads: number) => ({ comparison, baseline: first.summary, candidate: second.summary, reads });
  if (shape.columnProblems.length > 0) return done(withTotals(shape, ...totals), 1);
  if (!pending.overflow) {
    const [a, b] = pending.leftovers();
    const rows = [held(a, first.summary.columns, options.ordered), held(b, second.summary.columns, options.ordered)] as const;
    return done(withTotals(compareRows(...rows, options), ...totals), 1);
  }
  const left = leftovers(first.digests, second.digests, options.ordered);
  if (left.rows === 0) return done(withTotals(shape, ...totals), 1);

  const keepLeftovers = async (side: SideRead<S>, wanted: ReadonlyMap<number, number>) => {
    const filter = new LeftoverFilter(options.ordered, wanted);
    const digester = new RowDigester(options.ignoreColumns);
    const rows = new SideRows({ ordered: options.ordered });
    const summary = await side((row, columns) => {
      if (filter.keep(digester.digest(row, columns))) rows.add(row, columns);
    });
    rows.columns = summary.columns;
    return { rows, complete: filter.complete };
  };
  const [a, b] = await Promise.all([keepLeftovers(read.baseline, left.baseline), keepLeftovers(read.candidate, left.candidate)]);
  if (a.complete && b.complete) return done(withTotals(compareRows(a.rows, b.rows, options), ...totals), 2);

  const keepAll = async (side: SideRead<S>) => {
    const rows = new SideRows({ ordered: options.ordered });
    rows.columns = (await side((row, columns) => rows.add(row, columns))).columns;
    return rows;
  };
  const [all, other] = await Promise.all([keepAll(read.baseline), keepAll(read.candidate)]);
  return done(compareRows(all, other, options), 3);
}
