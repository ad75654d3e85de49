import type { CanonicalValue } from './canonical.js';

/**
 * Coverage of the baseline's values by the candidate, per column: which of the baseline's
 * distinct values (or, for high-cardinality columns, value shapes) also occur in the candidate.
 * Pure: the `coverage` kind feeds it canonical values read from samples of both sides.
 */

export type CoverageMode = 'auto' | 'values' | 'shapes';

/** Length buckets of value shapes, in characters: 1, 2-3, 4-7, ... 128+ (powers of two). */
export function lengthBucket(length: number): string {
  if (length <= 1) return String(length);
  if (length >= 128) return '128+';
  let low = 2;
  while (low * 2 <= length) low *= 2;
  return `${low}-${low * 2 - 1}`;
}

const CLASS_NAMES = ['upper', 'lower', 'digit', 'space', 'punct', 'other'] as const;
const UPPER = 1;
const LOWER = 2;
const DIGIT = 4;
const SPACE = 8;
const PUNCT = 16;
const OTHER = 32;

function asciiClass(code: number): number {
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 48 && code <= 57) return DIGIT;
  if (code === 32 || (code >= 9 && code <= 13)) return SPACE;
  if (code >= 33 && code <= 126) return PUNCT;
  return OTHER; // control characters
}

function unicodeClass(char: string): number {
  if (/\p{Lu}/u.test(char)) return UPPER;
  if (/\p{Ll}/u.test(char)) return LOWER;
  if (/\p{Nd}/u.test(char)) return DIGIT;
  if (/\s/u.test(char)) return SPACE;
  if (/[\p{P}\p{S}]/u.test(char)) return PUNCT;
  // Letters without case (CJK, ...), marks, and anything else.
  return OTHER;
}

/**
 * The shape of a value: `null`, `empty`, or its length bucket and the character classes it uses,
 * e.g. `len 16-31: lower digit punct`. Shapes say what kinds of values exist without the values.
 * One pass over the value; only non-ASCII characters go through Unicode property tests.
 */
export function valueShape(value: CanonicalValue): string {
  if (value === null) return 'null';
  if (value === '') return 'empty';
  let classes = 0;
  let length = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    length += 1;
    if (code < 128) {
      classes |= asciiClass(code);
    } else {
      const point = value.codePointAt(i) ?? code;
      const char = String.fromCodePoint(point);
      if (char.length === 2) i += 1; // a surrogate pair is one character
      classes |= unicodeClass(char);
    }
  }
  const names = CLASS_NAMES.filter((_, index) => (classes & (1 << index)) !== 0);
  return `len ${lengthBucket(length)}: ${names.join(' ')}`;
}

/** Counts of one column's sampled values on one side: distinct values and shapes with their rows. */
export class ColumnProfile {
  readonly values = new Map<string, number>();
  readonly shapes = new Map<string, number>();
  nullRows = 0;
  rows = 0;

  add(value: CanonicalValue): void {
    this.rows += 1;
    if (value === null) this.nullRows += 1;
    else this.values.set(value, (this.values.get(value) ?? 0) + 1);
    const shape = valueShape(value);
    this.shapes.set(shape, (this.shapes.get(shape) ?? 0) + 1);
  }

  /** Distinct values, NULL counting as one. */
  get distinctValues(): number {
    return this.values.size + (this.nullRows > 0 ? 1 : 0);
  }
}

export interface MissingEntry {
  /** The missing value; absent in shape mode and for hidden (masked) columns. */
  value?: string | null;
  shape: string;
  /** Baseline rows (in the sample) with this value or shape. */
  rows: number;
}

export interface ColumnCoverage {
  mode: 'values' | 'shapes';
  /** Baseline distinct values (or shapes) considered, after `minShare`. */
  baselineDistinct: number;
  candidateDistinct: number;
  covered: number;
  missing: number;
  /** covered / baselineDistinct; 1 when the baseline has nothing to cover. */
  ratio: number;
  /** Share of the baseline's sampled rows whose value (shape) occurs in the candidate. */
  rowsRatio: number;
  baselineRows: number;
  candidateRows: number;
  /** Most frequent missing entries, at most `maxMissing`. */
  topMissing: MissingEntry[];
}

export interface CoverageOptions {
  mode: CoverageMode;
  /** In `auto` mode: more baseline distinct values than this compares shapes instead. */
  maxDistinct: number;
  /** Baseline entries with a smaller share of the sampled rows are ignored (sampling noise). */
  minShare: number;
  maxMissing: number;
  /** Never put values in the result (masked columns): missing entries carry shapes only. */
  hideValues: boolean;
}

interface Entry {
  value: string | null;
  shape: string;
  rows: number;
}

function valueEntries(profile: ColumnProfile): Entry[] {
  const entries: Entry[] = [...profile.values].map(([value, rows]) => ({ value, shape: valueShape(value), rows }));
  if (profile.nullRows > 0) entries.push({ value: null, shape: 'null', rows: profile.nullRows });
  return entries;
}

function byFrequency(a: Entry, b: Entry): number {
  if (a.rows !== b.rows) return b.rows - a.rows;
  const left = a.value ?? a.shape;
  const right = b.value ?? b.shape;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function compareCoverage(baseline: ColumnProfile, candidate: ColumnProfile, options: CoverageOptions): ColumnCoverage {
  const mode =
    options.mode === 'shapes' || (options.mode === 'auto' && baseline.distinctValues > options.maxDistinct) ? 'shapes' : 'values';
  const entries: Entry[] =
    mode === 'values' ? valueEntries(baseline) : [...baseline.shapes].map(([shape, rows]) => ({ value: null, shape, rows }));
  const present = (entry: Entry): boolean => {
    if (mode === 'shapes') return candidate.shapes.has(entry.shape);
    return entry.value === null ? candidate.nullRows > 0 : candidate.values.has(entry.value);
  };
  const threshold = options.minShare * baseline.rows;
  const considered = entries.filter((entry) => entry.rows >= threshold && entry.rows > 0);
  const missingEntries = considered.filter((entry) => !present(entry)).sort(byFrequency);
  const consideredRows = considered.reduce((sum, entry) => sum + entry.rows, 0);
  const missingRows = missingEntries.reduce((sum, entry) => sum + entry.rows, 0);
  const covered = considered.length - missingEntries.length;
  return {
    mode,
    baselineDistinct: considered.length,
    candidateDistinct: mode === 'values' ? candidate.distinctValues : candidate.shapes.size,
    covered,
    missing: missingEntries.length,
    ratio: considered.length === 0 ? 1 : covered / considered.length,
    rowsRatio: consideredRows === 0 ? 1 : (consideredRows - missingRows) / consideredRows,
    baselineRows: baseline.rows,
    candidateRows: candidate.rows,
    topMissing: missingEntries.slice(0, options.maxMissing).map((entry): MissingEntry => {
      if (mode !== 'values' || options.hideValues) return { shape: entry.shape, rows: entry.rows };
      return { value: entry.value, shape: entry.shape, rows: entry.rows };
    }),
  };
}
