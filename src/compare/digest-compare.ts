import type { Column } from '../core/columns.js';
import { DigestPass, type FirstPassResult } from './digest-pass.js';
import type { HeldRow } from './side-pass.js';
import { LeftoverFilter, leftovers, RowDigester } from './row-digests.js';
import { compareRows, SideRows, type RowCompareOptions, type RowsComparison } from './rows.js';

/**
 * Compares two result sets holding one digest per row (pure: the reads are passed in).
 *
 * 1. Each side is read once into digests (compare/row-digests.ts); identical rows cancel out.
 *    While both sides stream, rows not yet met on the other side are held (compare/side-pass.ts,
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

/** The first read of both sides and its digests, with what each side's read reported. */
export type FirstPass<S> = FirstPassResult & { summaries: [S, S] };

/** The first read in this thread, row by row through the sides' `SideRead`s. */
export async function firstPassHere<S extends { columns: Column[] }>(
  read: { baseline: SideRead<S>; candidate: SideRead<S> },
  options: RowCompareOptions,
  pendingLimit: number,
): Promise<FirstPass<S>> {
  const pass = new DigestPass(options, pendingLimit);
  const summaries = await Promise.all([
    read.baseline((raw, columns) => pass.row(0, raw, columns)),
    read.candidate((raw, columns) => pass.row(1, raw, columns)),
  ]);
  return { ...pass.result(), summaries };
}

/**
 * `firstPass` runs the first read (by default in this thread, row by row); the query kind hands
 * one that parses and digests in a worker thread. Later reads, when needed, use `read`.
 */
export async function compareByDigests<S extends { columns: Column[] }>(
  read: { baseline: SideRead<S>; candidate: SideRead<S> },
  options: RowCompareOptions,
  pendingLimit = PENDING_ROWS,
  firstPass: () => Promise<FirstPass<S>> = () => firstPassHere(read, options, pendingLimit),
): Promise<DigestComparison<S>> {
  const pass = await firstPass();
  const [first, second] = pass.summaries;
  const totals = [pass.digests[0].length, pass.digests[1].length] as const;
  const shape = compareRows(withColumns(first.columns, options.ordered), withColumns(second.columns, options.ordered), options);
  const done = (comparison: RowsComparison, reads: number) => ({ comparison, baseline: first, candidate: second, reads });
  if (shape.columnProblems.length > 0) return done(withTotals(shape, ...totals), 1);
  if (pass.leftovers) {
    const [a, b] = pass.leftovers;
    const rows = [held(a, first.columns, options.ordered), held(b, second.columns, options.ordered)] as const;
    return done(withTotals(compareRows(...rows, options), ...totals), 1);
  }
  const left = leftovers(pass.digests[0], pass.digests[1], options.ordered);
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
