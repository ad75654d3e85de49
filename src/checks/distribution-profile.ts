import type { Column, ValueClass } from '../core/columns.js';
import type { Family, Moments } from '../compare/distribution-columns.js';
import { strictEdges } from '../compare/distribution.js';
import type { ReadSession } from '../connectors/database.js';
import type { Dialect, TableName } from '../connectors/dialects/dialect.js';

/**
 * One side's profile of the `distribution` kind, computed in the database: only counts, moments
 * and quantiles cross the wire (docs/checks/distribution.md). Identifiers come from the
 * configuration and are quoted by the dialect; category values are bound as parameters.
 *
 * In one read-only session per side: (1) the column classes, (2) moments of every column in one
 * scan, (3) quantiles per numeric or length column, (4) the most frequent values per categorical
 * column; then, once the baseline's shape is known, (5) counts per bin of the baseline's edges and
 * the counts of the baseline's values.
 */

export interface WantedColumn {
  name: string;
  /** Masked or sensitive: lengths only, never values. */
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
}

/** What the candidate needs from the baseline: per column its family, edges and listed values. */
export interface ColumnShape {
  family: Family;
  valueEdges: number[];
  lengthEdges: number[];
  values: string[];
  complete: boolean;
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
  estimatedRows: number | null;
  columns: ColumnProfile[];
}

const SUMMARY = [0.01, 0.5, 0.99];

export function probabilities(bins: number): number[] {
  return [...Array.from({ length: bins + 1 }, (_, i) => i / bins), ...SUMMARY];
}

export function familyOf(valueClass: ValueClass, lengthsOnly: boolean): Family {
  if (lengthsOnly) return 'length';
  if (valueClass === 'integer' || valueClass === 'decimal' || valueClass === 'float') return 'numeric';
  if (valueClass === 'date' || valueClass === 'timestamp' || valueClass === 'time') return 'temporal';
  if (valueClass === 'boolean' || valueClass === 'uuid') return 'categorical';
  if (valueClass === 'text') return 'text';
  return 'length';
}

const hasValues = (family: Family) => family === 'numeric' || family === 'temporal';
const hasLengths = (family: Family) => family === 'text' || family === 'length';
const hasCategories = (family: Family) => family === 'categorical' || family === 'text';

/** The baseline's shape for the candidate: edges from its quantiles, its listed values. */
export function shapeOf(profile: ColumnProfile, bins: number, topValues: number): ColumnShape {
  const edges = strictEdges(profile.quantiles.slice(0, bins + 1).filter((value): value is number => value !== null));
  return {
    family: profile.family,
    valueEdges: hasValues(profile.family) ? edges : [],
    lengthEdges: hasLengths(profile.family) ? edges : [],
    values: profile.top.slice(0, topValues).map((entry) => entry.value),
    complete: profile.top.length <= topValues,
  };
}

/** The FROM item of a source: the quoted table, or the query as a derived table. */
function relationOf(dialect: Dialect, source: ProfileSource): string {
  if ('table' in source) return dialect.quoteTable(source.table);
  return `(${source.sql.trim().replace(/;\s*$/, '')}) AS profiled`;
}

/** Rows the side holds, as the engine estimates them (a table) or counted (a query's result: it runs once more). */
async function sourceRows(session: ReadSession, dialect: Dialect, source: ProfileSource): Promise<number | null> {
  if ('table' in source) return dialect.sampling.estimatedRows(session, source.table);
  const { rows } = await session.query(`SELECT COUNT(*) FROM ${relationOf(dialect, source)}`);
  return Number(rows[0]?.[0] ?? 0);
}

const num = (text: string | null | undefined) => (text === null || text === undefined ? null : Number(text));

class SideReader {
  readonly from: string;
  readonly where: string;

  constructor(
    private readonly session: ReadSession,
    private readonly dialect: Dialect,
    request: ProfileRequest,
    readonly fraction: number,
    columns: Column[],
  ) {
    const hash = (request.key.length > 0 ? request.key : columns.map((column) => column.name)).map((name) => dialect.quote(name));
    const relation = relationOf(dialect, request.source);
    // A query's result has no pages to sample: its rows are picked by a hash, as on MySQL/MariaDB.
    ({ from: this.from, where: this.where } =
      'table' in request.source
        ? dialect.distribution.sampled(relation, fraction, request.seed, hash)
        : { from: relation, where: fraction >= 1 ? '' : dialect.distribution.hashSampled(fraction, request.seed, hash) });
    if (request.half !== undefined) {
      // Another seed than the sample's: the halves split the sampled rows, independently of how they were picked.
      const first = dialect.distribution.hashSampled(0.5, request.seed + 1 + request.half.split, hash);
      this.where = [this.where, request.half.side === 0 ? first : `NOT (${first})`].filter(Boolean).join(' AND ');
    }
  }

  private filtered(extra?: string): string {
    const conditions = [this.where, extra].filter(Boolean);
    return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  }

  measureOf(column: { name: string; valueClass: ValueClass; family: Family }): string | null {
    const quoted = this.dialect.quote(column.name);
    if (hasValues(column.family)) return this.dialect.distribution.asNumber(quoted, column.valueClass);
    if (hasLengths(column.family)) return this.dialect.distribution.textLength(quoted);
    return null;
  }

  categoryOf(column: { name: string; valueClass: ValueClass }): string {
    return this.dialect.table.valueText({ name: column.name, valueClass: column.valueClass, engineType: '', collation: '' });
  }

  async moments(columns: ColumnProfile[]): Promise<number> {
    const parts = columns.flatMap((column) => {
      const measure = this.measureOf(column);
      const count = `COUNT(${this.dialect.quote(column.name)})`;
      return measure ? [count, `AVG(${measure})`, `STDDEV_POP(${measure})`, `MIN(${measure})`, `MAX(${measure})`] : [count];
    });
    const { rows } = await this.session.query(`SELECT COUNT(*), ${parts.join(', ')} FROM ${this.from}${this.filtered()}`);
    const row = rows[0] ?? [];
    let at = 1;
    for (const column of columns) {
      column.nonNull = Number(row[at++] ?? 0);
      if (!this.measureOf(column)) continue;
      const [mean, sd, min, max] = [num(row[at]), num(row[at + 1]), num(row[at + 2]), num(row[at + 3])];
      at += 4;
      column.measure = { mean, sd, min, max, p1: null, p50: null, p99: null };
    }
    return Number(row[0] ?? 0);
  }

  /** Distinct non-null values of every column, compared by their canonical text (one scan). */
  async distinct(columns: ColumnProfile[]): Promise<void> {
    if (columns.length === 0) return;
    const counts = columns.map((column) => `COUNT(DISTINCT ${this.categoryOf(column)})`);
    const { rows } = await this.session.query(`SELECT ${counts.join(', ')} FROM ${this.from}${this.filtered()}`);
    columns.forEach((column, i) => (column.distinct = Number(rows[0]?.[i] ?? 0)));
  }

  /** Quantiles of every column's measure in one go (PostgreSQL: one scan). */
  async quantiles(columns: ColumnProfile[], bins: number): Promise<void> {
    const wanted = columns.filter((column) => column.nonNull > 0 && column.measure && this.measureOf(column));
    const found = await this.dialect.distribution.quantiles(
      this.session,
      this.from,
      this.where,
      wanted.map((column) => this.measureOf(column) as string),
      probabilities(bins),
    );
    wanted.forEach((column, i) => {
      column.quantiles = found[i] ?? [];
      const [p1, p50, p99] = column.quantiles.slice(bins + 1);
      Object.assign(column.measure ?? {}, { p1: p1 ?? null, p50: p50 ?? null, p99: p99 ?? null });
    });
  }

  async top(column: ColumnProfile, limit: number): Promise<void> {
    const value = this.categoryOf(column);
    const { rows } = await this.session.query(
      `SELECT ${value}, COUNT(*) FROM ${this.from}${this.filtered(`${this.dialect.quote(column.name)} IS NOT NULL`)} ` +
        `GROUP BY ${value} ORDER BY 2 DESC, 1 LIMIT ${limit}`,
    );
    column.top = rows.map((row) => ({ value: row[0] ?? '', count: Number(row[1] ?? 0) }));
  }

  /** Counts and sums per bin of `edges`; index 0..L+1 (NULL rows are counted apart). */
  async histogram(measure: string, edges: number[]): Promise<Bins> {
    const counts = new Array<number>(edges.length + 2).fill(0);
    const sums = new Array<number>(edges.length + 2).fill(0);
    if (edges.length === 0) return { counts, sums };
    const last = edges[edges.length - 1] as number;
    const bin = `CASE WHEN ${measure} > ${String(last)} THEN ${edges.length + 1} ELSE ${this.dialect.distribution.bucket(measure, edges)} END`;
    const { rows } = await this.session.query(
      `SELECT ${bin} AS b, COUNT(*), SUM(${measure}) FROM ${this.from}${this.filtered(`${measure} IS NOT NULL`)} GROUP BY 1`,
    );
    for (const row of rows) {
      const index = Number(row[0]);
      if (index < 0 || index >= counts.length) continue;
      counts[index] = (counts[index] ?? 0) + Number(row[1] ?? 0);
      sums[index] = (sums[index] ?? 0) + Number(row[2] ?? 0);
    }
    return { counts, sums };
  }

  /** Counts of the listed values. */
  async listed(column: ColumnProfile, values: string[]): Promise<number[]> {
    if (values.length === 0) return [];
    const value = this.categoryOf(column);
    const placeholders = values.map((_, i) => this.dialect.placeholder(i + 1)).join(', ');
    const { rows } = await this.session.query(
      `SELECT ${value}, COUNT(*) FROM ${this.from}${this.filtered(`${value} IN (${placeholders})`)} GROUP BY ${value}`,
      values,
    );
    const counts = new Map(rows.map((row) => [row[0] ?? '', Number(row[1] ?? 0)]));
    return values.map((entry) => counts.get(entry) ?? 0);
  }
}

/**
 * Profiles one side. `shapes` resolves to the baseline's shapes: the baseline passes a function of
 * its own profile, the candidate waits for the baseline's.
 */
export async function profileSide(
  session: ReadSession,
  dialect: Dialect,
  request: ProfileRequest,
  shapes: (own: SideProfile) => Promise<Map<string, ColumnShape>>,
  isBaseline: boolean,
): Promise<SideProfile> {
  const list = request.columns ? request.columns.map((column) => dialect.quote(column.name)).join(', ') : '*';
  const { columns } = await session.query(`SELECT ${list} FROM ${relationOf(dialect, request.source)} WHERE 1 = 0`);
  let estimatedRows: number | null = null;
  let fraction = request.fraction ?? 1;
  if (request.fraction === null && request.sampleRows !== null) {
    estimatedRows = await sourceRows(session, dialect, request.source);
    fraction = estimatedRows !== null && estimatedRows > request.sampleRows ? request.sampleRows / estimatedRows : 1;
  }
  const lengthsOnly = new Set((request.columns ?? []).filter((column) => column.lengthsOnly).map((column) => column.name.toLowerCase()));
  const reader = new SideReader(session, dialect, request, fraction, columns);
  const profiles: ColumnProfile[] = columns.map((column) => ({
    name: column.name,
    valueClass: column.valueClass,
    family: familyOf(column.valueClass, lengthsOnly.has(column.name.toLowerCase())),
    nonNull: 0,
    distinct: 0,
    measure: null,
    quantiles: [],
    top: [],
    valueBins: { counts: [], sums: [] },
    lengthBins: { counts: [], sums: [] },
    listed: [],
  }));
  const rows = await reader.moments(profiles);
  await reader.distinct(profiles);
  for (const profile of profiles) if (hasCategories(profile.family)) await reader.top(profile, request.topValues + 1);
  // A text column whose values are all listed has its lengths in its categories: no length profile.
  // A half of a calibration bins on the baseline's edges: it needs no quantiles of its own.
  if (request.half === undefined)
    await reader.quantiles(
      profiles.filter((profile) => profile.family !== 'text' || profile.top.length > request.topValues),
      request.bins,
    );
  const own: SideProfile = { rows, fraction, estimatedRows, columns: profiles };
  const wanted = await shapes(own);
  for (const profile of profiles) {
    const shape = wanted.get(profile.name.toLowerCase());
    // A column whose family differs from the baseline's is reported, not binned.
    if (!shape || shape.family !== profile.family) continue;
    const measure = reader.measureOf(profile);
    if (measure && shape.valueEdges.length > 0) profile.valueBins = await reader.histogram(measure, shape.valueEdges);
    if (measure && shape.lengthEdges.length > 0) profile.lengthBins = await reader.histogram(measure, shape.lengthEdges);
    // The baseline's own counts of its listed values are its top counts.
    if (hasCategories(profile.family))
      profile.listed = isBaseline
        ? profile.top.slice(0, shape.values.length).map((entry) => entry.count)
        : await reader.listed(profile, shape.values);
  }
  return own;
}
