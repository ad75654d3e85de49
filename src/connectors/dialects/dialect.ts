import type { Column, ValueClass } from '../../core/columns.js';
import type { PlanNode } from '../../compare/plan.js';
import type { SampleError } from '../../core/errors.js';
import type { ConstraintRow } from '../catalog-rows.js';
import type { RawRow, ReadSession } from '../database.js';
import type { Engine } from '../../core/engines.js';

/**
 * What differs between database engines, in one object per engine: identifier quoting and
 * placeholders, catalogue queries, row text and hashing for checksums, sampling, plans, error
 * classification and the read-only session. Check kinds and engine-neutral SQL builders call a
 * dialect and never test the engine's name; `index.ts` is the one map from name to dialect.
 */

/** native: the engine's own record hash; md5/sha256: hash of the canonical row text. */
export type RowHash = 'native' | 'md5' | 'sha256';

export interface TableName {
  schema?: string;
  name: string;
}

export interface Statement {
  sql: string;
  params: unknown[];
}

/** A compared column as one side sees it. */
export interface SideColumn {
  name: string;
  /** The class both sides compare it under (see rowtext.comparisonClass). */
  valueClass: ValueClass;
  /** This side's type name from the catalog ("timestamp with time zone", "decimal(12,2)"). */
  engineType: string;
  /** This side's collation, '' when none. */
  collation: string;
}

export interface IntegerRange {
  from: bigint;
  /** Exclusive. */
  to: bigint;
}

/** The pieces of a per-bucket checksum statement over integer key ranges, already quoted. */
export interface IntegerChecksumParts {
  /** The quoted leading key column. */
  key: string;
  /** The quoted table. */
  table: string;
  /** The aggregate of row hashes (xor). */
  hash: string;
  /** The row filter, '' or ` AND (...)`. */
  filter: string;
  lo: bigint;
  width: bigint;
  ranges: readonly IntegerRange[];
  /** The condition selecting one range of the leading key. */
  rangeCondition(range: IntegerRange): string;
}

export type SampleMethod = 'whole_table' | 'tablesample' | 'key_ranges' | 'limit';

export interface SampleOutcome {
  method: SampleMethod;
  /** The engine's estimate of the table's rows (statistics, not a count); null when unknown. */
  estimatedRows: number | null;
  rows: number;
  columns: Column[];
}

/** What a sample reads: a select list and its own bind parameters (numbered from 1). */
export interface SampleSelect {
  list: string;
  params: unknown[];
}

export type OnRow = (row: RawRow, columns: Column[]) => void;

/** Statements of the `table` kind that only the engine knows how to write. */
export interface TableDialect {
  /** Per-transaction settings run before checksum and row statements. */
  readonly tuning: readonly string[];
  /** Why this server version cannot run table checksums, or null when it can. */
  checksumProblem(serverVersion: number, side: string): string | null;
  /** Fails when the role can read the table only column by column (those columns would be compared alone). */
  requireWholeTable?(session: ReadSession, table: TableName): Promise<void>;
  /** A text expression compared and ordered bytewise. */
  bytewise(expression: string): string;
  /** Text of one column in the canonical row text (compare/rowtext.ts). */
  valueText(column: SideColumn): string;
  /** The canonical row text of the columns. */
  rowText(columns: readonly SideColumn[]): string;
  /** The engine's own hash of the row's columns; absent where the engine has none. */
  nativeRowHash?(columns: readonly SideColumn[]): string;
  /** A 64-bit integer hash of a text expression. */
  textHash(text: string, hash: 'md5' | 'sha256'): string;
  xor(expression: string): string;
  /** A boolean condition as 0 or 1. */
  asInteger(condition: string): string;
  /** Whether `(a, b) > (x, y)` uses the index as well as its expansion does. */
  readonly rowValueComparison: boolean;
  integerChecksums(parts: IntegerChecksumParts): string;
  /** Rows: column name, type name, collation ('' when none). No rows when the table is missing. */
  columns(table: TableName): Statement;
  /** Rows: unique index name, column name (plain unique indexes without predicates or expressions). */
  uniqueIndexes(table: TableName): Statement;
  /** One row: estimated row count, default collation, server version (number). */
  facts(table: TableName): Statement;
  /** Whether md5() can be used (it is refused where FIPS mode disables it). */
  md5Works(): Statement;
}

/** Catalogue reads of the `schema` and `integrity` kinds (connectors/catalog.ts groups the rows). */
export interface CatalogDialect {
  /** One row, one column: the schema read when none is configured (null when none). */
  readonly currentSchema: string;
  /** Called when there is no current schema: throws when that is for want of a grant. */
  noCurrentSchema?(session: ReadSession): Promise<void>;
  /** Rows: schema, table. Parameter: the schemas. */
  readonly tables: string;
  /** Rows: schema, table, column, type, nullable 't'/'f', then what columnDefault reads. */
  readonly columns: string;
  columnDefault(row: RawRow): string | null;
  /** Rows: schema, table, index, unique 't'/'f', method, then what indexEntry reads. */
  readonly indexes: string;
  indexEntry(row: RawRow): { predicate: string | null; include: boolean; column: string };
  /** Whether `indexes` also lists the indexes behind primary and unique keys. */
  readonly listsConstraintIndexes: boolean;
  constraintRows(session: ReadSession, schemas: string[]): Promise<ConstraintRow[]>;
  /** A `columns` row's logical type and the meaning of its default (compare/logical-types.ts), for comparisons across engines. */
  logicalColumn(row: RawRow): { type: string; default: string | null };
}

/** The engine's column types mapped to value classes (dialects/<engine>-types.ts also maps the driver's metadata). */
export interface TypeDialect {
  /** The value class a catalog type name (`table.columns`) gives where the driver's metadata cannot tell; else null. */
  catalogClass(type: string): ValueClass | null;
}

export interface SamplingDialect {
  /** The engine's estimate of the table's rows; null when unknown. */
  estimatedRows(session: ReadSession, table: TableName): Promise<number | null>;
  /** A sample of a table larger than `limit`, or null to read the first `limit` rows. */
  sampleLarge(
    session: ReadSession,
    table: TableName,
    select: SampleSelect,
    limit: number,
    estimate: number,
    onRow: OnRow,
  ): Promise<SampleOutcome | null>;
}

/** Profiles of the `distribution` kind, computed in the database (checks/distribution-profile.ts). */
export interface DistributionDialect {
  /**
   * The FROM item and row condition ('' for none) of an unbiased sample of `fraction` of the (quoted)
   * table's rows, the same rows again for the same `seed`; `hashColumns` (quoted) are what a
   * hash-based sample hashes.
   */
  sampled(table: string, fraction: number, seed: number, hashColumns: readonly string[]): { from: string; where: string };
  /**
   * The row condition of a sample of `fraction` of any relation (a query's result: no TABLESAMPLE
   * there): a row is kept when a 32-bit hash of (seed, hashColumns...) falls below fraction·2^32
   * (PostgreSQL: the first 32 bits of MD5; MySQL/MariaDB: CRC32, as its table samples).
   */
  hashSampled(fraction: number, seed: number, hashColumns: readonly string[]): string;
  /** The (quoted) column as a double: numbers as they are, dates and times in seconds since 1970 UTC (a time: since midnight). */
  asNumber(column: string, valueClass: ValueClass): string;
  /** Length in characters of the (quoted) column's text. */
  textLength(column: string): string;
  /** 0 below edges[0], i when edges[i-1] <= value < edges[i], edges.length at or above the last edge; edges strictly increase. */
  bucket(value: string, edges: readonly number[]): string;
  /**
   * The discrete quantiles (values of the data) of each of `values` over its non-null rows, one
   * array per value; nulls when a value has no rows.
   */
  quantiles(
    session: ReadSession,
    from: string,
    where: string,
    values: readonly string[],
    probabilities: readonly number[],
  ): Promise<(number | null)[][]>;
  /**
   * The FROM item and row condition of a cheap sample of about `fraction` of the table's rows, from
   * which the bin edges (quantiles) of a large table are taken; any sample will do (the counts per
   * bin are taken over the profiled rows), so it may pick whole pages.
   */
  edgeSampled(table: string, fraction: number, seed: number, hashColumns: readonly string[]): { from: string; where: string };
  /**
   * A derived table's SELECT made to compute its expressions once per row (not inlined into each
   * use); null where the engine would rather compute them inline than materialise a derived table.
   */
  computedOnce(select: string): string | null;
  /** How many binned measures one scan groups by jointly ((bins + 3)^k groups). */
  readonly measuresPerScan: number;
  /**
   * Whether a scan grouped by one measure's bins also counts its distinct values per bin (they add
   * up to the column's distinct count): nearly free where the engine sorts within each group anyway.
   */
  readonly distinctInScan: boolean;
  /**
   * The shape of a text (docs/checks/distribution.md, "Shapes"): runs of A-Z become `A`, of a-z
   * `a`, of 0-9 `9`, of any other character but the separators in SHAPE_SEPARATORS `#`; cut to
   * SHAPE_LENGTH characters. The same text gives the same shape on every engine.
   */
  shape(text: string): string;
}

/** Characters a shape keeps as they are: they structure a value (e-mail, phone, date) without revealing it. */
export const SHAPE_SEPARATORS = '@._+/:, -';
/** Characters of a shape at most: a long value's shape says where its structure starts, never the whole value. */
export const SHAPE_LENGTH = 24;

export interface Dialect {
  readonly engine: Engine;
  /** The engine's name for people ("PostgreSQL"). */
  readonly label: string;
  quote(name: string): string;
  quoteTable(table: TableName): string;
  /** The n-th (1-based) bind parameter of a statement. */
  placeholder(index: number): string;
  /** Whether one bound parameter may be referenced several times ($1 ... $1). */
  readonly reusableParameters: boolean;
  /** Maps a driver or server error to the closed reason set. */
  classifyError(error: unknown): SampleError;
  /** Statements that open the read-only transaction with server-side limits, run in order. */
  readOnlySession(timeoutMs: number, server: { mariadb?: boolean }): string[];
  /** MySQL/MariaDB hide tables the role may not read: tells a missing grant from a missing table. */
  probeHiddenTables?(session: ReadSession, schema: string | undefined, tables: readonly string[]): Promise<void>;
  /**
   * SQL of a salted SHA-256 (hex) of the column's canonical text (`table.valueText`, the same on
   * every engine); NULL for NULL and empty values.
   */
  saltedHash(column: SideColumn, saltParameter: string): string;
  /** EXPLAIN (plan only, never executed) of one statement, giving one JSON document. */
  explain(statement: string): string;
  planShape(document: unknown): PlanNode;
  readonly types: TypeDialect;
  readonly table: TableDialect;
  readonly catalog: CatalogDialect;
  readonly sampling: SamplingDialect;
  readonly distribution: DistributionDialect;
}

/** SQL text of a finite number (edges are bounded doubles computed by the exporter, never input). */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

/** The 1-based row position of the discrete quantile p among n sorted rows (percentile_disc). */
export function quantilePosition(p: number, rows: number): number {
  return Math.min(rows, Math.max(1, Math.ceil(p * rows - 1e-9)));
}

/** `schema.table` or `table`, each part quoted by the dialect. */
export function quoteTableWith(quote: (name: string) => string, table: TableName): string {
  const name = quote(table.name);
  return table.schema ? `${quote(table.schema)}.${name}` : name;
}
