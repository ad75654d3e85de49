import type { Column } from '../core/columns.js';
import { canonicalize, type CanonicalValue } from './canonical.js';

/**
 * Result sets held as one fixed-width digest per row instead of the row's text (pure). A row's
 * digest covers its canonical values (compare/canonical.ts) of every compared column, taken in
 * column-name order so that the two sides' column order does not matter; ignored columns are left
 * out. Equal digests stand for identical rows, which cancel out whatever the comparison options
 * (docs/checks/query.md): only the rows left over need their values (held while streaming, see
 * side-pass.ts, or read again).
 *
 * A digest is 53 bits (two 32-bit FNV-style lanes, finalised, as one exact double), so the digests
 * of a side fit a Float64Array (8 bytes a row) and sort natively. Two different rows share a
 * digest with odds of 2^-53 per pair: a differing row goes unseen with odds below
 * (rows × differing rows) / 2^53: about 1 in a billion for 10 differing rows among a million,
 * about 1 in 9,000 when every row of a million differs.
 */

/** The digest of a text, a non-negative integer below 2^53. */
export function digestText(text: string): number {
  return new RowHash().text(text).digest();
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Turns raw rows into their digests: the compared columns in name order, each value canonicalised
 * by its class. Built once per column list (the first row's), reused for every row.
 */
export class RowDigester {
  private layout: { columns: Column[]; order: number[] } | undefined;

  constructor(private readonly ignoreColumns: readonly string[]) {}

  private orderOf(columns: Column[]): number[] {
    if (this.layout?.columns === columns) return this.layout.order;
    const ignored = new Set(this.ignoreColumns);
    const order = columns
      .map((column, index) => ({ name: column.name, index }))
      .filter(({ name }) => !ignored.has(name))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.index - y.index))
      .map(({ index }) => index);
    this.layout = { columns, order };
    return order;
  }

  /** One hash, reset for each row: no allocation per row on a path that runs a million times a sample. */
  private readonly hash = new RowHash();

  digest(raw: ReadonlyArray<string | null>, columns: Column[]): number {
    const order = this.orderOf(columns);
    const hash = this.hash.reset();
    for (let i = 0; i < order.length; i += 1) {
      const index = order[i] as number;
      hash.value(canonicalize((columns[index] as Column).valueClass, raw[index] ?? null));
    }
    return hash.digest();
  }
}

/**
 * The digest of a list of values, fed one by one (no row text is built). Each value is preceded
 * by its length, and NULL by a length no string has, so NULL, "" and "null" differ and no two
 * lists share an encoding.
 */
class RowHash {
  private a = 0x811c9dc5;
  private b = 0x9e3779b9;

  reset(): this {
    this.a = 0x811c9dc5;
    this.b = 0x9e3779b9;
    return this;
  }

  private mix(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    const b = Math.imul(this.b ^ c, 0x5bd1e995);
    this.b = b ^ (b >>> 15);
  }

  value(value: CanonicalValue): void {
    if (value === null) {
      this.mix(0xffffffff);
      return;
    }
    this.mix(value.length);
    for (let i = 0; i < value.length; i += 1) this.mix(value.charCodeAt(i));
  }

  text(text: string): this {
    for (let i = 0; i < text.length; i += 1) this.mix(text.charCodeAt(i));
    return this;
  }

  digest(): number {
    const a = fmix(this.a ^ this.b);
    const b = fmix(this.b ^ Math.imul(a, 0x27d4eb2d));
    return (a >>> 11) * 0x100000000 + (b >>> 0);
  }
}

/** A growable array of digests, 8 bytes a row. */
export class DigestList {
  private data = new Float64Array(1024);
  length = 0;

  push(digest: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = digest;
    this.length += 1;
  }

  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  /** Bytes held (what a sample's memory grows by per side). */
  get bytes(): number {
    return this.data.byteLength;
  }
}

/**
 * Which rows of each side are left over once identical rows cancel: as multisets, digest ->
 * copies left; in order, the positions whose digests differ (with the digest expected there).
 */
export interface Leftovers {
  baseline: Map<number, number>;
  candidate: Map<number, number>;
  /** Left-over rows of both sides together. */
  rows: number;
}

export function leftovers(a: Float64Array, b: Float64Array, ordered: boolean): Leftovers {
  const left = { baseline: new Map<number, number>(), candidate: new Map<number, number>() };
  if (ordered) {
    // Position -> digest read there, for every position where the sides differ.
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      if (i < a.length && i < b.length && a[i] === b[i]) continue;
      if (i < a.length) left.baseline.set(i, a[i] as number);
      if (i < b.length) left.candidate.set(i, b[i] as number);
    }
    return { ...left, rows: left.baseline.size + left.candidate.size };
  }
  // Sorted in place: the order of arrival no longer matters once compared as multisets.
  a.sort();
  b.sort();
  let i = 0;
  let j = 0;
  let rows = 0;
  const surplus = (map: Map<number, number>, digest: number, copies: number) => {
    map.set(digest, copies);
    rows += copies;
  };
  while (i < a.length || j < b.length) {
    const x = i < a.length ? (a[i] as number) : Infinity;
    const y = j < b.length ? (b[j] as number) : Infinity;
    const digest = Math.min(x, y);
    let countA = 0;
    let countB = 0;
    while (i < a.length && a[i] === digest) {
      countA += 1;
      i += 1;
    }
    while (j < b.length && b[j] === digest) {
      countB += 1;
      j += 1;
    }
    if (countA > countB) surplus(left.baseline, digest, countA - countB);
    else if (countB > countA) surplus(left.candidate, digest, countB - countA);
  }
  return { ...left, rows };
}

/**
 * Picks, on a second read of one side, the rows left over by the first: the given copies of each
 * digest, or the rows at the given positions. `complete` tells whether the second read found every
 * one of them with the same digest (it may not, when the data changed between the reads).
 */
export class LeftoverFilter {
  private readonly wanted: Map<number, number>;
  private position = 0;
  private found = 0;

  constructor(
    private readonly ordered: boolean,
    wanted: ReadonlyMap<number, number>,
  ) {
    this.wanted = new Map(wanted);
  }

  keep(digest: number): boolean {
    const position = this.position;
    this.position += 1;
    if (this.ordered) {
      if (this.wanted.get(position) !== digest) return false;
      this.found += 1;
      return true;
    }
    const copies = this.wanted.get(digest);
    if (!copies) return false;
    if (copies === 1) this.wanted.delete(digest);
    else this.wanted.set(digest, copies - 1);
    this.found += 1;
    return true;
  }

  get complete(): boolean {
    return this.ordered ? this.found === this.wanted.size : this.wanted.size === 0;
  }
}
