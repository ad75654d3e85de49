import type { ValueClass } from '../core/columns.js';
import type { Family, Moments } from '../compare/distribution-columns.js';
import type { TableName } from '../connectors/dialects/dialect.js';

/** What one side's `distribution` profile is asked for and what it holds (checks/distribution-profile.ts). */

export interface WantedColumn {
  name: string;
  /** Masked or sensitive: lengths and shapes only, never values. */
  lengthsOnly: boolean;
}

/** What a side profiles: a table, or a query's result (wrapped as a derived table). */
export type ProfileSource = { table: TableName } | { sql: string };

export interface ProfileRequest {
  source: ProfileSource;
  /** null: every column of the table. */
  columns: WantedColumn[] | null;
  /** 0 < fraction <= 1, or null to size the sample from `sampleRows` and the engine's row estimate. */
  fraction: number | null;
  sampleRows: number | null;
  seed: number;
  /** Columns a hash-based sample hashes (the key); empty: the compared columns. */
  key: string[];
  bins: number;
  topValues: number;
  /** Self-calibration: only one of two disjoint halves of the sample (by a hash of the key, one seed per split), edges given. */
  half?: { split: number; side: 0 | 1 };
  /** Bin edges of a table estimated above this many rows come from a sample of about that many. */
  edgeRows?: number;
}

/** What the candidate needs from the baseline: per column its family, edges and listed values. */
export interface ColumnShape {
  family: Family;
  valueEdges: number[];
  lengthEdges: number[];
  values: string[];
  complete: boolean;
  /** A masked or sensitive column's most frequent shapes (all of them when `shapesComplete`). */
  shapes: string[];
  shapesComplete: boolean;
}

export interface ColumnProfile {
  name: string;
  valueClass: ValueClass;
  family: Family;
  nonNull: number;
  /** Distinct non-null values of the sample. */
  distinct: number;
  measure: Moments | null;
  /** Quantiles of the measure at `probabilities`. */
  quantiles: (number | null)[];
  top: { value: string; count: number }[];
  /** A masked or sensitive column: its most frequent shapes, and the counts of the baseline's. */
  shapes: { value: string; count: number }[];
  listedShapes: number[];
  /** Filled in step 5. */
  valueBins: Bins;
  lengthBins: Bins;
  listed: number[];
}

/** Counts and sums of the measure per bin of the baseline's edges. */
export interface Bins {
  counts: number[];
  sums: number[];
}

export interface SideProfile {
  rows: number;
  fraction: number;
  /** The share of the table the quantiles (bin edges) were taken from; 1: the profiled rows themselves. */
  edgeFraction: number;
  estimatedRows: number | null;
  columns: ColumnProfile[];
}
