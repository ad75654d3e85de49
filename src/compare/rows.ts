import { canonicalize, numericValue, type CanonicalValue } from './canonical.js';
import { type Column } from '../core/columns.js';

/**
 * Comparison of two result sets (pure). Rows are canonicalised per column class, then compared as
 * multisets (default), in order, or paired by key columns; numeric columns may have tolerances.
 */

export interface Tolerance {
  absolute?: number;
  relative?: number;
}

export interface RowCompareOptions {
  ordered: boolean;
  key: string[];
  ignoreColumns: string[];
  /** Tolerance per column name; "*" applies to every numeric column without its own. */
  tolerances: Record<string, Tolerance>;
  maxExamples: number;
}

export type Row = Record<string, CanonicalValue>;

export interface RowDifference {
  type: 'missing' | 'extra' | 'changed';
  baseline?: Row;
  candidate?: Row;
  /** Columns whose values differ (changed rows only). */
  columns?: string[];
}

export interface RowsComparison {
  match: boolean;
  /** Set when the two sides do not return comparable columns; rows are then not compared. */
  columnProblems: string[];
  baselineRows: number;
  candidateRows: number;
  missingRows: number;
  extraRows: number;
  changedRows: number;
  mismatchedRows: number;
  examples: RowDifference[];
}

/**
 * Accumulates one side's rows in canonical form. Unless order matters, identical rows are kept once
 * with a count, so memory follows the number of distinct rows (bounded by the connector's row cap).
 */
export class SideRows {
  columns: Column[];
  size = 0;
  private readonly inOrder: string[] | null;
  private readonly distinct = new Map<string, number>();

  constructor(options: { ordered?: boolean; columns?: Column[] } = {}) {
    this.columns = options.columns ?? [];
    this.inOrder = options.ordered ? [] : null;
  }

  add(raw: ReadonlyArray<string | null>, columns: Column[] = this.columns): void {
    this.columns = columns;
    const canonical = new Array<CanonicalValue>(columns.length);
    for (let i = 0; i < columns.length; i += 1) canonical[i] = canonicalize((columns[i] as Column).valueClass, raw[i] ?? null);
    const encoded = JSON.stringify(canonical);
    this.size += 1;
    if (this.inOrder) this.inOrder.push(encoded);
    else this.distinct.set(encoded, (this.distinct.get(encoded) ?? 0) + 1);
  }

  /** Encoded row -> number of copies. */
  get counts(): ReadonlyMap<string, number> {
    if (!this.inOrder) return this.distinct;
    const counts = new Map<string, number>();
    for (const encoded of this.inOrder) counts.set(encoded, (counts.get(encoded) ?? 0) + 1);
    return counts;
  }

  /** Every row, duplicates repeated; in arrival order when the side was built with `ordered`. */
  *rows(): Iterable<string> {
    if (this.inOrder) {
      yield* this.inOrder;
      return;
    }
    for (const [encoded, count] of this.counts) for (let i = 0; i < count; i += 1) yield encoded;
  }
}

interface Plan {
  names: string[];
  indexBaseline: number[];
  indexCandidate: number[];
  tolerance: (Tolerance | undefined)[];
  numeric: boolean[];
}

const NUMERIC_CLASSES = new Set(['integer', 'decimal', 'float']);

function planColumns(baseline: Column[], candidate: Column[], options: RowCompareOptions): Plan | string[] {
  const ignored = new Set(options.ignoreColumns);
  const keep = (columns: Column[]) => columns.filter((column) => !ignored.has(column.name)).map((c) => c.name);
  const baselineNames = keep(baseline);
  const candidateNames = keep(candidate);
  const problems: string[] = [];
  for (const name of baselineNames) if (!candidateNames.includes(name)) problems.push(`column "${name}" missing on candidate`);
  for (const name of candidateNames) if (!baselineNames.includes(name)) problems.push(`column "${name}" only on candidate`);
  if (new Set(baselineNames).size !== baselineNames.length) problems.push('duplicate column names in result; alias them');
  for (const key of options.key) if (!baselineNames.includes(key)) problems.push(`key column "${key}" not in result`);
  if (problems.length > 0) return problems;
  const columnOf = (columns: Column[], name: string) => columns.findIndex((column) => column.name === name);
  return {
    names: baselineNames,
    indexBaseline: baselineNames.map((name) => columnOf(baseline, name)),
    indexCandidate: baselineNames.map((name) => columnOf(candidate, name)),
    tolerance: baselineNames.map((name) => {
      const column = baseline[columnOf(baseline, name)];
      return options.tolerances[name] ?? (column && NUMERIC_CLASSES.has(column.valueClass) ? options.tolerances['*'] : undefined);
    }),
    numeric: baselineNames.map((name) => NUMERIC_CLASSES.has(baseline[columnOf(baseline, name)]?.valueClass ?? 'text')),
  };
}

export function withinTolerance(a: CanonicalValue, b: CanonicalValue, tolerance: Tolerance | undefined): boolean {
  if (a === b) return true;
  if (tolerance === undefined || a === null || b === null) return false;
  const x = numericValue(a);
  const y = numericValue(b);
  if (x === null || y === null) return false;
  const difference = Math.abs(x - y);
  if (tolerance.absolute !== undefined && difference <= tolerance.absolute) return true;
  if (tolerance.relative !== undefined && difference <= tolerance.relative * Math.max(Math.abs(x), Math.abs(y))) return true;
  return false;
}

type Values = CanonicalValue[];

export function compareRows(baseline: SideRows, candidate: SideRows, options: RowCompareOptions): RowsComparison {
  const plan = planColumns(baseline.columns, candidate.columns, options);
  const base: RowsComparison = {
    match: false,
    columnProblems: [],
    baselineRows: baseline.size,
    candidateRows: candidate.size,
    missingRows: 0,
    extraRows: 0,
    changedRows: 0,
    mismatchedRows: Math.max(baseline.size, candidate.size),
    examples: [],
  };
  if (Array.isArray(plan)) return { ...base, columnProblems: plan };

  const tally = createRowTally(plan, options, { ...base, mismatchedRows: 0 });
  if (options.ordered) compareInOrder(baseline, candidate, plan, tally);
  else compareAsMultisets(baseline, candidate, plan, options, tally);
  const { result } = tally;
  result.mismatchedRows = result.missingRows + result.extraRows + result.changedRows;
  result.match = result.mismatchedRows === 0;
  return result;
}

/** The counts and examples of one comparison, and the helpers every way of pairing rows uses. */
interface RowTally {
  result: RowsComparison;
  /** Decodes an encoded row and puts its values in the plan's column order. */
  project: (encoded: string, indexes: number[]) => Values;
  toRow: (values: Values) => Row;
  differingColumns: (a: Values, b: Values) => string[];
  note: (difference: RowDifference) => void;
  /** Two rows paired with each other: a changed row when a column differs beyond its tolerance. */
  pair: (a: Values, b: Values) => void;
}

function createRowTally(plan: Plan, options: RowCompareOptions, result: RowsComparison): RowTally {
  const project = (encoded: string, indexes: number[]): Values => {
    const values = JSON.parse(encoded) as Values;
    return indexes.map((index) => values[index] ?? null);
  };
  const toRow = (values: Values): Row => Object.fromEntries(plan.names.map((name, i) => [name, values[i] ?? null]));
  const differingColumns = (a: Values, b: Values) =>
    plan.names.filter((_, i) => !withinTolerance(a[i] ?? null, b[i] ?? null, plan.tolerance[i]));
  const note = (difference: RowDifference) => {
    if (result.examples.length < options.maxExamples) result.examples.push(difference);
  };
  const pair = (a: Values, b: Values) => {
    const columns = differingColumns(a, b);
    if (columns.length === 0) return;
    result.changedRows += 1;
    note({ type: 'changed', baseline: toRow(a), candidate: toRow(b), columns });
  };
  return { result, project, toRow, differingColumns, note, pair };
}

/** Ordered results: row i of one side is paired with row i of the other. */
function compareInOrder(baseline: SideRows, candidate: SideRows, plan: Plan, tally: RowTally): void {
  const { result, project, toRow, note, pair } = tally;
  const a = [...baseline.rows()];
  const b = [...candidate.rows()];
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const left = a[i];
    const right = b[i];
    if (left !== undefined && right !== undefined) {
      pair(project(left, plan.indexBaseline), project(right, plan.indexCandidate));
    } else if (left !== undefined) {
      result.missingRows += 1;
      note({ type: 'missing', baseline: toRow(project(left, plan.indexBaseline)) });
    } else if (right !== undefined) {
      result.extraRows += 1;
      note({ type: 'extra', candidate: toRow(project(right, plan.indexCandidate)) });
    }
  }
}

const order = (x: Values, y: Values) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1);

/**
 * Unordered results: rows grouped by the columns that must be equal exactly (the key, or every
 * column without a tolerance), then paired inside each group; leftovers are missing / extra.
 */
function compareAsMultisets(baseline: SideRows, candidate: SideRows, plan: Plan, options: RowCompareOptions, tally: RowTally): void {
  const groups = groupUnmatched(baseline, candidate, plan, options, tally);
  const leftoverA: Values[] = [];
  const leftoverB: Values[] = [];
  for (const { a, b } of groups.values()) {
    if (a.length === 1 && b.length === 1 && tally.differingColumns(a[0] ?? [], b[0] ?? []).length === 0) continue;
    a.sort(order);
    b.sort(order);
    const paired = Math.min(a.length, b.length);
    for (let i = 0; i < paired; i += 1) {
      const left = a[i] ?? [];
      const right = b[i] ?? [];
      if (options.key.length > 0 || tally.differingColumns(left, right).length === 0) tally.pair(left, right);
      else {
        leftoverA.push(left);
        leftoverB.push(right);
      }
    }
    leftoverA.push(...a.slice(paired));
    leftoverB.push(...b.slice(paired));
  }
  settleLeftovers(leftoverA, leftoverB, options, tally);
}

/** The rows without an identical twin on the other side, grouped by their exactly-equal columns. */
function groupUnmatched(
  baseline: SideRows,
  candidate: SideRows,
  plan: Plan,
  options: RowCompareOptions,
  { project }: RowTally,
): Map<string, { a: Values[]; b: Values[] }> {
  const exact = plan.names
    .map((name, i) => ({ name, i }))
    .filter(({ name, i }) => (options.key.length > 0 ? options.key.includes(name) : plan.tolerance[i] === undefined))
    .map(({ i }) => i);
  const groups = new Map<string, { a: Values[]; b: Values[] }>();
  const group = (values: Values) => {
    const id = JSON.stringify(exact.map((i) => values[i] ?? null));
    let entry = groups.get(id);
    if (!entry) groups.set(id, (entry = { a: [], b: [] }));
    return entry;
  };
  for (const [encoded, copies] of unmatchedCopies(baseline, candidate, plan)) {
    const values = project(encoded, plan.indexBaseline);
    for (let i = 0; i < copies; i += 1) group(values).a.push(values);
  }
  for (const [encoded, copies] of unmatchedCopies(candidate, baseline, plan)) {
    const values = project(encoded, plan.indexCandidate);
    for (let i = 0; i < copies; i += 1) group(values).b.push(values);
  }
  return groups;
}

/** Rows left unpaired in their groups: missing and extra, or, without a key, paired up as changed rows. */
function settleLeftovers(leftoverA: Values[], leftoverB: Values[], options: RowCompareOptions, tally: RowTally): void {
  const { result, toRow, note, pair } = tally;
  if (options.key.length > 0) {
    result.missingRows = leftoverA.length;
    result.extraRows = leftoverB.length;
    for (const values of leftoverA) note({ type: 'missing', baseline: toRow(values) });
    for (const values of leftoverB) note({ type: 'extra', candidate: toRow(values) });
    return;
  }
  // Without a key a changed row shows up as one missing and one extra row: pair them up so
  // that one changed row counts once.
  leftoverA.sort(order);
  leftoverB.sort(order);
  const paired = Math.min(leftoverA.length, leftoverB.length);
  for (let i = 0; i < paired; i += 1) pair(leftoverA[i] ?? [], leftoverB[i] ?? []);
  result.missingRows = leftoverA.length - paired;
  result.extraRows = leftoverB.length - paired;
  for (const values of leftoverA.slice(paired)) note({ type: 'missing', baseline: toRow(values) });
  for (const values of leftoverB.slice(paired)) note({ type: 'extra', candidate: toRow(values) });
}

/**
 * The rows of `side` that have no identical twin on `other`, with how many copies are left over.
 * When both sides have the same column layout, equal encoded text means equal rows whatever the
 * options, so those cancel without being decoded; only the rest is compared column by column.
 */
function* unmatchedCopies(side: SideRows, other: SideRows, plan: Plan): Iterable<[string, number]> {
  const sameLayout =
    side.columns.length === plan.names.length &&
    other.columns.length === plan.names.length &&
    plan.indexBaseline.every((index, i) => index === i && plan.indexCandidate[i] === i);
  const otherCounts = other.counts;
  for (const [encoded, count] of side.counts) {
    const left = sameLayout ? count - Math.min(count, otherCounts.get(encoded) ?? 0) : count;
    if (left > 0) yield [encoded, left];
  }
}
