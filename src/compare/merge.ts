import type { CanonicalValue } from './canonical.js';
import type { ValueClass } from '../core/columns.js';
import { withinTolerance, type Tolerance } from './rows.js';

/**
 * Merge of two key-ordered row streams (pure): rows are paired on their key and named missing
 * (baseline only), extra (candidate only) or changed (same key, a compared column differs beyond
 * its tolerance). Rows arrive in pages; only rows up to a bound both sides have reached are merged,
 * so memory stays at a page or two per side whatever the table size.
 */

export interface KeyedRow {
  key: CanonicalValue[];
  values: CanonicalValue[];
}

export type DifferenceType = 'missing' | 'extra' | 'changed';

export interface KeyDifference {
  type: DifferenceType;
  /** Key column name -> canonical key value. */
  key: Record<string, CanonicalValue>;
  /** Compared columns that differ (changed rows only). */
  columns?: string[];
  /** The differing columns' values on each side (changed rows only); the examples policy protects them on their way out. */
  baseline?: Record<string, CanonicalValue>;
  candidate?: Record<string, CanonicalValue>;
}

export interface MergePlan {
  keyNames: string[];
  keyClasses: ValueClass[];
  valueNames: string[];
  /** Tolerance per compared column (numeric columns only). */
  tolerances: (Tolerance | undefined)[];
  maxExamples: number;
}

export interface MergeCounts {
  matched: number;
  missing: number;
  extra: number;
  changed: number;
}

const utf8 = (value: string) => Buffer.from(value, 'utf8');

function compareDecimalText(a: string, b: string): number {
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const [intA = '', fracA = ''] = (negA ? a.slice(1) : a).split('.');
  const [intB = '', fracB = ''] = (negB ? b.slice(1) : b).split('.');
  let order = intA.length !== intB.length ? (intA.length < intB.length ? -1 : 1) : intA < intB ? -1 : intA > intB ? 1 : 0;
  if (order === 0) {
    const width = Math.max(fracA.length, fracB.length);
    const x = fracA.padEnd(width, '0');
    const y = fracB.padEnd(width, '0');
    order = x < y ? -1 : x > y ? 1 : 0;
  }
  return negA ? -order : order;
}

/**
 * Orders canonical key values the way both databases order them: integers and decimals by value,
 * text bytewise in UTF-8 (PostgreSQL COLLATE "C", MariaDB utf8mb4_bin), temporal values by their
 * fixed-width canonical text. NULL sorts last, as in PostgreSQL's ascending order.
 */
export function compareKeyValue(valueClass: ValueClass, a: CanonicalValue, b: CanonicalValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  switch (valueClass) {
    case 'integer':
    case 'decimal':
      return compareDecimalText(a, b);
    case 'text':
      return Buffer.compare(utf8(a), utf8(b));
    default:
      return a < b ? -1 : a > b ? 1 : 0;
  }
}

export function compareKeys(classes: readonly ValueClass[], a: readonly CanonicalValue[], b: readonly CanonicalValue[]): number {
  for (let i = 0; i < classes.length; i += 1) {
    const order = compareKeyValue(classes[i] ?? 'text', a[i] ?? null, b[i] ?? null);
    if (order !== 0) return order;
  }
  return 0;
}

export class DuplicateKeyError extends Error {
  constructor(
    readonly side: 'baseline' | 'candidate',
    readonly key: Record<string, CanonicalValue>,
  ) {
    super(`key is not unique on the ${side}: ${JSON.stringify(key)} appears more than once`);
    this.name = 'DuplicateKeyError';
  }
}

export class KeyedMerge {
  readonly counts: MergeCounts = { matched: 0, missing: 0, extra: 0, changed: 0 };
  readonly examples: KeyDifference[] = [];

  constructor(private readonly plan: MergePlan) {}

  get differences(): number {
    return this.counts.missing + this.counts.extra + this.counts.changed;
  }

  private keyRecord(key: readonly CanonicalValue[]): Record<string, CanonicalValue> {
    return Object.fromEntries(this.plan.keyNames.map((name, i) => [name, key[i] ?? null]));
  }

  private note(type: DifferenceType, key: readonly CanonicalValue[], changed?: { columns: string[]; a: KeyedRow; b: KeyedRow }): void {
    this.counts[type] += 1;
    if (this.examples.length >= this.plan.maxExamples) return;
    if (!changed) {
      this.examples.push({ type, key: this.keyRecord(key) });
      return;
    }
    const valuesOf = (row: KeyedRow) =>
      Object.fromEntries(changed.columns.map((name) => [name, row.values[this.plan.valueNames.indexOf(name)] ?? null]));
    this.examples.push({
      type,
      key: this.keyRecord(key),
      columns: changed.columns,
      baseline: valuesOf(changed.a),
      candidate: valuesOf(changed.b),
    });
  }

  /** Column names whose values differ beyond tolerance; empty when the rows match. */
  differingColumns(a: KeyedRow, b: KeyedRow): string[] {
    const names: string[] = [];
    this.plan.valueNames.forEach((name, i) => {
      if (!withinTolerance(a.values[i] ?? null, b.values[i] ?? null, this.plan.tolerances[i])) names.push(name);
    });
    return names;
  }

  /**
   * Merges key-ordered rows of both sides. With `bound` set, only rows whose key is at most the
   * bound are merged and the rest are returned to be merged with the next pages; without it both
   * inputs are complete and everything is merged.
   */
  merge(baseline: KeyedRow[], candidate: KeyedRow[], bound?: CanonicalValue[]): { baseline: KeyedRow[]; candidate: KeyedRow[] } {
    const classes = this.plan.keyClasses;
    const within = (row: KeyedRow) => bound === undefined || compareKeys(classes, row.key, bound) <= 0;
    let i = 0;
    let j = 0;
    for (;;) {
      const a = i < baseline.length && within(baseline[i] as KeyedRow) ? baseline[i] : undefined;
      const b = j < candidate.length && within(candidate[j] as KeyedRow) ? candidate[j] : undefined;
      if (!a && !b) break;
      const order = a && b ? compareKeys(classes, a.key, b.key) : a ? -1 : 1;
      if (order < 0 && a) {
        this.checkOrder('baseline', a.key, baseline[i - 1]?.key);
        this.note('missing', a.key);
        i += 1;
      } else if (order > 0 && b) {
        this.checkOrder('candidate', b.key, candidate[j - 1]?.key);
        this.note('extra', b.key);
        j += 1;
      } else if (a && b) {
        this.checkOrder('baseline', a.key, baseline[i - 1]?.key);
        this.checkOrder('candidate', b.key, candidate[j - 1]?.key);
        const columns = this.differingColumns(a, b);
        if (columns.length > 0) this.note('changed', a.key, { columns, a, b });
        else this.counts.matched += 1;
        i += 1;
        j += 1;
      }
    }
    return { baseline: baseline.slice(i), candidate: candidate.slice(j) };
  }

  private checkOrder(side: 'baseline' | 'candidate', key: CanonicalValue[], previous: CanonicalValue[] | undefined): void {
    if (previous && compareKeys(this.plan.keyClasses, previous, key) === 0) throw new DuplicateKeyError(side, this.keyRecord(key));
  }
}

/** The smaller of two optional bounds; undefined stands for "no bound" (the side is exhausted). */
export function lowerBound(
  classes: readonly ValueClass[],
  a: CanonicalValue[] | undefined,
  b: CanonicalValue[] | undefined,
): CanonicalValue[] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareKeys(classes, a, b) <= 0 ? a : b;
}
