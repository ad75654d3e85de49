import { dialectOf } from './dialects/index.js';
import type { Dialect, IntegerRange, RowHash, SideColumn, Statement, TableName } from './dialects/dialect.js';
import type { Engine } from '../core/engines.js';

/**
 * SQL of the `table` kind: per-bucket checksums, key quantiles and ordered row pages, written once
 * for every engine; what an engine spells its own way (quoting, row text, hashes, catalog
 * look-ups) comes from its dialect (dialects/). Identifiers are always quoted for the engine;
 * key values travel as parameters; only numbers this module formats itself are inlined.
 * The canonical row text is defined in compare/rowtext.ts.
 */

export type { IntegerRange, RowHash, SideColumn, Statement, TableName };

/** "orders" or "sales.orders"; names with other dots are not supported (quote-free config). */
export function parseTableName(text: string): TableName {
  const parts = text.split('.');
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], name: parts[1] };
  return { name: text };
}

export function quoteIdent(engine: Engine, name: string): string {
  return dialectOf(engine).quote(name);
}

export function quoteTable(engine: Engine, table: TableName): string {
  return dialectOf(engine).quoteTable(table);
}

/** Builds statement parameters in the engine's placeholder syntax. */
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

/** A range of the leading key column with canonical text bounds; undefined = open end. */
export interface ValueRange {
  from?: string;
  /** Exclusive. */
  to?: string;
}

export interface FilterSpec {
  column: string;
  /** Rows whose column is later than this UTC instant ("YYYY-MM-DD HH:MM:SS.mmm") are left out. */
  cutoff: string;
}

export interface TableSqlOptions {
  engine: Engine;
  table: TableName;
  key: SideColumn[];
  /** Compared non-key columns. */
  values: SideColumn[];
  hash: RowHash;
  filter?: FilterSpec;
  /** The database's default collation (PostgreSQL), to know whether text keys sort bytewise already. */
  defaultCollation?: string;
}

const BINARY_COLLATIONS = /^(c|posix|ucs_basic)$|_bin$/i;

export class TableSql {
  readonly engine: Engine;
  readonly table: string;
  private readonly options: TableSqlOptions;
  private readonly dialect: Dialect;

  constructor(options: TableSqlOptions) {
    this.options = options;
    this.engine = options.engine;
    this.dialect = dialectOf(options.engine);
    this.table = this.dialect.quoteTable(options.table);
  }

  private q(name: string): string {
    return this.dialect.quote(name);
  }

  /** A key column as it is compared and ordered: text bytewise on both engines. */
  keyExpr(column: SideColumn): string {
    const name = this.q(column.name);
    if (column.valueClass !== 'text') return name;
    const collation = column.collation || this.options.defaultCollation || '';
    if (BINARY_COLLATIONS.test(collation)) return name;
    return this.dialect.table.bytewise(name);
  }

  private get leading(): SideColumn {
    const column = this.options.key[0];
    if (!column) throw new Error('a table comparison needs at least one key column');
    return column;
  }

  private filterSql(): string {
    const filter = this.options.filter;
    if (!filter) return '';
    // The cutoff is formatted by the kind from a Date: digits, dashes, colons, a dot and a space.
    if (!/^[0-9 :.-]+$/.test(filter.cutoff)) throw new Error('invalid filter cutoff');
    const column = this.q(filter.column);
    return ` AND (${column} <= '${filter.cutoff}' OR ${column} IS NULL)`;
  }

  /** Text of one column in the canonical row text (compare/rowtext.ts). */
  valueText(column: SideColumn): string {
    return this.dialect.table.valueText(column);
  }

  /** The canonical row text of key and compared columns. */
  rowText(): string {
    return this.dialect.table.rowText([...this.options.key, ...this.options.values]);
  }

  /** A 64-bit hash of the row: signed on PostgreSQL, unsigned on MariaDB (compared modulo 2^64). */
  rowHash(): string {
    const { hash } = this.options;
    if (hash === 'native') {
      const native = this.dialect.table.nativeRowHash;
      if (!native) throw new Error('the native row hash exists on PostgreSQL only');
      return native([...this.options.key, ...this.options.values]);
    }
    return this.dialect.table.textHash(this.rowText(), hash);
  }

  private xor(expr: string): string {
    return this.dialect.table.xor(expr);
  }

  private integerRanges(ranges: readonly IntegerRange[]): string {
    const k = this.q(this.leading.name);
    return ranges.map((range) => `(${k} >= ${range.from} AND ${k} < ${range.to})`).join(' OR ');
  }

  private valueRange(range: ValueRange, params: Params): string {
    const k = this.keyExpr(this.leading);
    const parts: string[] = [];
    if (range.from !== undefined) parts.push(`${k} >= ${params.add(range.from)}`);
    if (range.to !== undefined) parts.push(`${k} < ${params.add(range.to)}`);
    return parts.length > 0 ? `(${parts.join(' AND ')})` : 'TRUE';
  }

  /**
   * Per-bucket checksums over ranges of an integer leading key: bucket = (key - lo) / width.
   * Returns rows (bucket, count, xor of row hashes) for non-empty buckets. Ranges start on a bucket
   * boundary. How the buckets are aggregated is the dialect's choice (integerChecksums).
   */
  integerChecksums(lo: bigint, width: bigint, ranges: readonly IntegerRange[]): Statement {
    const sql = this.dialect.table.integerChecksums({
      key: this.q(this.leading.name),
      table: this.table,
      hash: this.xor(this.rowHash()),
      filter: this.filterSql(),
      lo,
      width,
      ranges,
      rangeCondition: (range) => this.integerRanges([range]),
    });
    return { sql, params: [] };
  }

  /** Key and compared columns of the rows of integer ranges, unordered (small ranges; sorted by the caller). */
  integerRows(ranges: readonly IntegerRange[]): Statement {
    const select = [...this.options.key, ...this.options.values].map((column) => this.q(column.name)).join(', ');
    const one = (range: IntegerRange) => `SELECT ${select} FROM ${this.table} WHERE ${this.integerRanges([range])}${this.filterSql()}`;
    return {
      sql: ranges.length === 1 ? one(ranges[0] as IntegerRange) : ranges.map((range) => `(${one(range)})`).join(' UNION ALL '),
      params: [],
    };
  }

  /**
   * Per-segment checksums over consecutive segments of any ordered leading key: segment number =
   * `first` + how many of the inner boundaries the key reaches.
   */
  boundaryChecksums(first: number, boundaries: readonly (string | undefined)[]): Statement {
    const params = new Params(this.dialect);
    const k = this.keyExpr(this.leading);
    const range = this.valueRange({ from: boundaries[0], to: boundaries[boundaries.length - 1] }, params);
    const inner = boundaries.slice(1, -1).map((value) => {
      const test = `${k} >= ${params.add(value)}`;
      return this.dialect.table.asInteger(test);
    });
    const segment = [String(first), ...inner].join(' + ');
    return {
      sql: `SELECT ${segment} AS b, count(*) AS n, ${this.xor(this.rowHash())} AS h FROM ${this.table} WHERE ${range}${this.filterSql()} GROUP BY 1`,
      params: params.values,
    };
  }

  /** Every `step`-th value of the leading key in key order (segment boundaries). */
  quantiles(step: number, range: ValueRange = {}): Statement {
    const params = new Params(this.dialect);
    const k = this.q(this.leading.name);
    const order = this.keyExpr(this.leading);
    const where = this.valueRange(range, params);
    return {
      sql:
        `SELECT s.k FROM (SELECT ${k} AS k, row_number() OVER (ORDER BY ${order}) AS rn FROM ${this.table} ` +
        `WHERE ${where}${this.filterSql()}) s WHERE s.rn % ${Math.max(1, Math.floor(step))} = 0 ORDER BY s.rn`,
      params: params.values,
    };
  }

  /** Smallest and largest leading key (of rows passing the filter). */
  keyBounds(): Statement {
    const k = this.q(this.leading.name);
    return { sql: `SELECT min(${k}), max(${k}) FROM ${this.table} WHERE TRUE${this.filterSql()}`, params: [] };
  }

  /**
   * Key and compared columns of rows in integer ranges or a value range, in key order, optionally
   * after a key (keyset paging) and limited to a page.
   */
  rows(where: { integer?: readonly IntegerRange[]; range?: ValueRange }, after?: readonly (string | null)[], limit?: number): Statement {
    const params = new Params(this.dialect);
    const keys = this.options.key;
    const select = [...keys, ...this.options.values].map((column) => this.q(column.name)).join(', ');
    const conditions: string[] = [];
    if (where.integer) conditions.push(`(${this.integerRanges(where.integer)})`);
    if (where.range) conditions.push(this.valueRange(where.range, params));
    if (after) conditions.push(this.after(after, params));
    const order = keys.map((column) => this.keyExpr(column)).join(', ');
    const sql =
      `SELECT ${select} FROM ${this.table} WHERE ${conditions.length > 0 ? conditions.join(' AND ') : 'TRUE'}${this.filterSql()} ` +
      `ORDER BY ${order}${limit !== undefined ? ` LIMIT ${Math.floor(limit)}` : ''}`;
    return { sql, params: params.values };
  }

  /** Keyset condition: key > after, expanded so that MariaDB can use the index on the first column. */
  private after(after: readonly (string | null)[], params: Params): string {
    const keys = this.options.key.map((column) => this.keyExpr(column));
    if (this.dialect.table.rowValueComparison && keys.length > 1) {
      return `(${keys.join(', ')}) > (${after.map((value) => params.add(value)).join(', ')})`;
    }
    const alternatives: string[] = [];
    for (let i = 0; i < keys.length; i += 1) {
      const equal = keys.slice(0, i).map((key, j) => `${key} = ${params.add(after[j])}`);
      alternatives.push([...equal, `${keys[i]} > ${params.add(after[i])}`].join(' AND '));
    }
    return `(${alternatives.map((alternative) => `(${alternative})`).join(' OR ')})`;
  }

  /** A duplicate key, if any (used only when no unique index covers the key). */
  duplicateKey(): Statement {
    const keys = this.options.key.map((column) => this.keyExpr(column)).join(', ');
    return { sql: `SELECT ${keys}, count(*) FROM ${this.table} GROUP BY ${keys} HAVING count(*) > 1 LIMIT 1`, params: [] };
  }
}

/** Catalog statements that do not depend on the compared columns (see TableDialect). */
export const catalog = {
  columns: (engine: Engine, table: TableName): Statement => dialectOf(engine).table.columns(table),
  uniqueIndexes: (engine: Engine, table: TableName): Statement => dialectOf(engine).table.uniqueIndexes(table),
  facts: (engine: Engine, table: TableName): Statement => dialectOf(engine).table.facts(table),
  md5Works: (engine: Engine): Statement => dialectOf(engine).table.md5Works(),

  /** A zero-row read of the columns, so the connector reports their value classes. */
  probe(engine: Engine, table: TableName, columns: readonly string[]): Statement {
    const dialect = dialectOf(engine);
    return {
      sql: `SELECT ${columns.map((name) => dialect.quote(name)).join(', ')} FROM ${dialect.quoteTable(table)} WHERE 1 = 0`,
      params: [],
    };
  },
};
