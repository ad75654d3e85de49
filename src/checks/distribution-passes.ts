import type { Column, ValueClass } from '../core/columns.js';
import type { Family } from '../compare/distribution-columns.js';
import type { RawRow, ReadSession } from '../connectors/database.js';
import { numberLiteral, type Dialect } from '../connectors/dialects/dialect.js';
import type { Bins, ColumnProfile, ProfileRequest, ProfileSource } from './distribution-types.js';

/**
 * The statements of one side's `distribution` profile (docs/checks/distribution.md, "The SQL each
 * engine runs"): the quantiles of every measure in one statement over the edge sample, the counts of
 * every categorical column's values in one GROUP BY each, and the moments and bins of every measure
 * in one scan (the bins of up to `measuresPerScan` measures grouped together, their counts and sums
 * added up per bin here).
 */

export const hasValues = (family: Family) => family === 'numeric' || family === 'temporal';
export const hasLengths = (family: Family) => family === 'text' || family === 'length';
export const hasCategories = (family: Family) => family === 'categorical' || family === 'text';
/** Masked or sensitive columns: compared by their shapes, never their values. */
export const hasShapes = (family: Family) => family === 'length';

/** The FROM item of a source: the quoted table, or the query as a derived table. */
export function relationOf(dialect: Dialect, source: ProfileSource): string {
  if ('table' in source) return dialect.quoteTable(source.table);
  return `(${source.sql.trim().replace(/;\s*$/, '')}) AS profiled`;
}

/** Rows the side holds, as the engine estimates them (a table) or counted (a query's result: it runs once more). */
export async function sourceRows(session: ReadSession, dialect: Dialect, source: ProfileSource): Promise<number | null> {
  if ('table' in source) return dialect.sampling.estimatedRows(session, source.table);
  const { rows } = await session.query(`SELECT COUNT(*) FROM ${relationOf(dialect, source)}`);
  return Number(rows[0]?.[0] ?? 0);
}

const num = (text: string | null | undefined) => (text === null || text === undefined ? null : Number(text));

/** What the numbers pass bins and sums for one column: its measure, the edges (none: moments only). */
export interface Binned {
  profile: ColumnProfile;
  edges: number[];
  /** Into the profile's value bins or length bins. */
  target: 'valueBins' | 'lengthBins';
}

/** Values (or shapes) with their counts, and how many distinct ones there are in all. */
export interface Counted {
  entries: { value: string; count: number }[];
  groups: number;
}

function countedOf(rows: readonly RawRow[]): Counted {
  return { entries: rows.map((row) => ({ value: row[0] ?? '', count: Number(row[1] ?? 0) })), groups: Number(rows[0]?.[2] ?? 0) };
}

interface Sums {
  count: number;
  sum: number;
  squares: number;
  min: number | null;
  max: number | null;
}

export class SideReader {
  readonly from: string;
  readonly where: string;
  /** Columns whose distinct count a numbers scan took along (dialect.distribution.distinctInScan). */
  readonly distinctCounted = new Set<ColumnProfile>();

  constructor(
    private readonly session: ReadSession,
    private readonly dialect: Dialect,
    private readonly request: ProfileRequest,
    readonly fraction: number,
    private readonly columns: Column[],
  ) {
    const hash = this.hashed();
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

  private hashed(): string[] {
    return (this.request.key.length > 0 ? this.request.key : this.columns.map((column) => column.name)).map((name) =>
      this.dialect.quote(name),
    );
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

  /**
   * The quantiles of every measure in one statement: over the profiled rows, or for a large table
   * (`edgeFraction` < 1) over the engine's cheap edge sample.
   */
  async quantiles(columns: ColumnProfile[], probabilities: number[], edgeFraction: number): Promise<void> {
    const wanted = columns.filter((column) => this.measureOf(column));
    const source = edgeFraction < 1 ? this.edgeSample(edgeFraction) : { from: this.from, where: this.where };
    const found = await this.dialect.distribution.quantiles(
      this.session,
      source.from,
      source.where,
      wanted.map((column) => this.measureOf(column) as string),
      probabilities,
    );
    wanted.forEach((column, i) => (column.quantiles = found[i] ?? []));
  }

  /** A table's edge sample (the engine's cheap one); a query's: a hash sample, within the profiled rows (same seed). */
  private edgeSample(edgeFraction: number): { from: string; where: string } {
    const relation = relationOf(this.dialect, this.request.source);
    if ('table' in this.request.source)
      return this.dialect.distribution.edgeSampled(relation, edgeFraction, this.request.seed, this.hashed());
    return { from: relation, where: this.dialect.distribution.hashSampled(edgeFraction, this.request.seed, this.hashed()) };
  }

  /**
   * Distinct non-null values of the columns whose categories did not count them (one scan): a
   * numeric or temporal column's as the double it is binned as (a sort of doubles costs a fraction
   * of one of canonical texts), any other's by its canonical text.
   */
  async distinct(columns: ColumnProfile[]): Promise<void> {
    if (columns.length === 0) return;
    const counts = columns.map(
      (column) => `COUNT(DISTINCT ${hasValues(column.family) ? (this.measureOf(column) as string) : this.categoryOf(column)})`,
    );
    const { rows } = await this.session.query(`SELECT ${counts.join(', ')} FROM ${this.from}${this.filtered()}`);
    columns.forEach((column, i) => (column.distinct = Number(rows[0]?.[i] ?? 0)));
  }

  /** Distinct values of each column among the first `rows` profiled rows: a cheap look at which columns have few values. */
  async probeDistinct(columns: ColumnProfile[], rows: number): Promise<number[]> {
    const values = columns.map((column, i) => `${this.categoryOf(column)} AS c${i}`);
    const counts = columns.map((_, i) => `COUNT(DISTINCT c${i})`);
    const found = await this.session.query(
      `SELECT ${counts.join(', ')} FROM (SELECT ${values.join(', ')} FROM ${this.from}${this.filtered()} LIMIT ${rows}) AS probed`,
    );
    return columns.map((_, i) => Number(found.rows[0]?.[i] ?? 0));
  }

  /**
   * Every value's count of each of `columns`, from one GROUP BY over all of them (their joint
   * groups, added up per column here); null when there are more than `limit` joint groups.
   */
  async jointCounts(columns: ColumnProfile[], limit: number): Promise<Map<string, number>[] | null> {
    const values = columns.map((column) => this.categoryOf(column));
    const { rows } = await this.session.query(
      `SELECT ${values.join(', ')}, COUNT(*) FROM ${this.from}${this.filtered()} GROUP BY ${values.join(', ')} LIMIT ${limit + 1}`,
    );
    if (rows.length > limit) return null;
    const counts = columns.map(() => new Map<string, number>());
    for (const row of rows) {
      const count = Number(row[columns.length] ?? 0);
      counts.forEach((own, i) => {
        const value = row[i];
        if (value !== null && value !== undefined) own.set(value, (own.get(value) ?? 0) + count);
      });
    }
    return counts;
  }

  /**
   * The most frequent `limit` values of a column with their counts; with `listed`, also the counts
   * of those values (one GROUP BY either way); `groups`: how many distinct values it has.
   */
  async categories(column: ColumnProfile, limit: number, listed: string[] = []): Promise<Counted> {
    return this.counted(column, this.categoryOf(column), limit, listed);
  }

  /** The most frequent `limit` shapes of a masked or sensitive column (and the counts of `listed` ones). */
  async shapes(column: ColumnProfile, limit: number, listed: string[] = []): Promise<Counted> {
    return this.counted(column, this.dialect.distribution.shape(this.categoryOf(column)), limit, listed);
  }

  private async counted(column: ColumnProfile, value: string, limit: number, listed: string[]): Promise<Counted> {
    const notNull = `${this.dialect.quote(column.name)} IS NOT NULL`;
    // COUNT(*) OVER (): the number of groups before LIMIT, the distinct count at no extra scan.
    if (listed.length === 0) {
      const { rows } = await this.session.query(
        `SELECT ${value}, COUNT(*), COUNT(*) OVER () FROM ${this.from}${this.filtered(notNull)} GROUP BY ${value} ORDER BY 2 DESC, 1 LIMIT ${limit}`,
      );
      return countedOf(rows);
    }
    const placeholders = listed.map((_, i) => this.dialect.placeholder(i + 1)).join(', ');
    // The listed values first (those present), then the most frequent others.
    const { rows } = await this.session.query(
      `SELECT v, n, COUNT(*) OVER () FROM (SELECT ${value} AS v, COUNT(*) AS n FROM ${this.from}${this.filtered(notNull)} GROUP BY ${value}) AS counted ` +
        `ORDER BY CASE WHEN v IN (${placeholders}) THEN 0 ELSE 1 END, n DESC, v LIMIT ${limit + listed.length}`,
      listed,
    );
    return countedOf(rows);
  }

  /**
   * Rows, non-NULL counts of every column, moments of every measure and counts and sums per bin, in
   * one scan per `measuresPerScan` binned measures; returns the rows of the side.
   */
  async numbers(profiles: ColumnProfile[], binned: Binned[]): Promise<number> {
    const withEdges = binned.filter((entry) => entry.edges.length > 0);
    const groups: Binned[][] = [];
    const perScan = this.dialect.distribution.measuresPerScan;
    for (let at = 0; at < withEdges.length; at += perScan) groups.push(withEdges.slice(at, at + perScan));
    // Measures without edges and unmeasured columns ride along with the first scan.
    const rest = binned.filter((entry) => entry.edges.length === 0);
    if (groups.length === 0) groups.push([]);
    let rows = 0;
    for (const [index, group] of groups.entries()) {
      const counted = await this.numbersScan(index === 0 ? [...group, ...rest] : group, index === 0 ? profiles : []);
      if (index === 0) rows = counted;
    }
    return rows;
  }

  private async numbersScan(binned: Binned[], counted: ColumnProfile[]): Promise<number> {
    const measures = binned.map((entry) => this.measureOf(entry.profile) as string);
    const plain = counted.map((profile) => this.dialect.quote(profile.name));
    const derived = this.dialect.distribution.computedOnce(
      `SELECT ${[...measures.map((m, i) => `${m} AS x${i}`), ...plain.map((c, i) => `${c} AS y${i}`), '1 AS one'].join(', ')} FROM ${this.from}${this.filtered()}`,
    );
    // Through a derived table each measure is computed once; inline, it is written out at each use.
    const x = (i: number) => (derived === null ? `(${measures[i] as string})` : `x${i}`);
    const y = (i: number) => (derived === null ? (plain[i] as string) : `y${i}`);
    const keys: string[] = [];
    const aggregates = ['COUNT(*)'];
    binned.forEach((entry, i) => {
      if (entry.edges.length > 0) {
        const last = numberLiteral(entry.edges[entry.edges.length - 1] as number);
        const bucket = this.dialect.distribution.bucket(x(i), entry.edges);
        keys.push(`CASE WHEN ${x(i)} IS NULL THEN NULL WHEN ${x(i)} > ${last} THEN ${entry.edges.length + 1} ELSE ${bucket} END`);
      }
      // Centred on a middle edge: sums of squares of large values (epoch seconds) keep their precision.
      const centred = `(${x(i)} - (${numberLiteral(centreOf(entry.edges))}))`;
      aggregates.push(`COUNT(${x(i)})`, `SUM(${centred})`, `SUM(${centred} * ${centred})`, `MIN(${x(i)})`, `MAX(${x(i)})`);
    });
    aggregates.push(...counted.map((_, i) => `COUNT(${y(i)})`));
    // Grouped by one measure's bins alone, its distinct values per bin add up to its distinct count.
    const alone = keys.length === 1 ? binned.findIndex((entry) => entry.edges.length > 0) : -1;
    const distinctHere = this.dialect.distribution.distinctInScan && alone >= 0 && hasValues((binned[alone] as Binned).profile.family);
    if (distinctHere) aggregates.push(`COUNT(DISTINCT ${x(alone)})`);
    const from = derived === null ? `${this.from}${this.filtered()}` : `(${derived}) AS computed`;
    const { rows } = await this.session.query(
      `SELECT ${[...keys.map((key, i) => `${key} AS b${i}`), ...aggregates].join(', ')} FROM ${from}` +
        (keys.length > 0 ? ` GROUP BY ${keys.map((_, i) => `b${i}`).join(', ')}` : ''),
    );
    if (distinctHere) {
      const profile = (binned[alone] as Binned).profile;
      const at = keys.length + 1 + 5 * binned.length + counted.length;
      profile.distinct = rows.reduce((sum, row) => sum + Number(row[at] ?? 0), 0);
      this.distinctCounted.add(profile);
    }
    return this.addUp(rows, binned, counted, keys.length);
  }

  /** Adds the joint groups up per column: bins, moments, non-NULL counts. */
  private addUp(rows: readonly RawRow[], binned: Binned[], counted: ColumnProfile[], keyCount: number): number {
    let keys = 0;
    const keyOf = binned.map((entry) => (entry.edges.length > 0 ? keys++ : -1));
    let total = 0;
    const sums: Sums[] = binned.map(() => ({ count: 0, sum: 0, squares: 0, min: null, max: null }));
    const bins: Bins[] = binned.map((entry) => ({
      counts: new Array<number>(entry.edges.length + 2).fill(0),
      sums: new Array<number>(entry.edges.length + 2).fill(0),
    }));
    const nonNull = counted.map(() => 0);
    for (const row of rows) {
      total += Number(row[keyCount] ?? 0);
      binned.forEach((entry, i) => {
        const at = keyCount + 1 + 5 * i;
        const count = Number(row[at] ?? 0);
        if (count === 0) return;
        const sum = Number(row[at + 1] ?? 0);
        const own = sums[i] as Sums;
        own.count += count;
        own.sum += sum;
        own.squares += Number(row[at + 2] ?? 0);
        const [min, max] = [num(row[at + 3]), num(row[at + 4])];
        if (min !== null) own.min = own.min === null ? min : Math.min(own.min, min);
        if (max !== null) own.max = own.max === null ? max : Math.max(own.max, max);
        if ((keyOf[i] as number) < 0) return;
        const bucket = Number(row[keyOf[i] as number]);
        const target = bins[i] as Bins;
        if (!(bucket >= 0 && bucket < target.counts.length)) return;
        target.counts[bucket] = (target.counts[bucket] ?? 0) + count;
        target.sums[bucket] = (target.sums[bucket] ?? 0) + sum + centreOf(entry.edges) * count;
      });
      counted.forEach((_, i) => (nonNull[i] = (nonNull[i] ?? 0) + Number(row[keyCount + 1 + 5 * binned.length + i] ?? 0)));
    }
    counted.forEach((profile, i) => (profile.nonNull = nonNull[i] ?? 0));
    binned.forEach((entry, i) => {
      const own = sums[i] as Sums;
      if (entry.edges.length > 0) entry.profile[entry.target] = bins[i] as Bins;
      const centre = centreOf(entry.edges);
      const mean = own.count > 0 ? own.sum / own.count : null;
      const variance = mean === null ? null : Math.max(0, own.squares / own.count - mean * mean);
      entry.profile.measure = {
        mean: mean === null ? null : mean + centre,
        sd: variance === null ? null : Math.sqrt(variance),
        min: own.min,
        max: own.max,
        p1: null,
        p50: null,
        p99: null,
      };
    });
    return total;
  }
}

/** The middle edge (0 without edges): what a measure's sums are centred on. */
function centreOf(edges: readonly number[]): number {
  return edges[Math.floor(edges.length / 2)] ?? 0;
}
