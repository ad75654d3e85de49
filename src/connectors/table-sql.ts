import type { ValueClass } from '../compare/canonical.js';
import { FLOAT_DIGITS } from '../compare/rowtext.js';

/**
 * SQL of the `table` kind for PostgreSQL and MariaDB/MySQL: catalog look-ups, per-bucket
 * checksums, key quantiles and ordered row pages. Identifiers are always quoted for the engine;
 * key values travel as parameters; only numbers this module formats itself are inlined.
 * The canonical row text built here is defined in compare/rowtext.ts.
 */

export type Engine = 'postgres' | 'mysql';
/** native: PostgreSQL hash_record_extended; md5/sha256: hash of the canonical row text. */
export type RowHash = 'native' | 'md5' | 'sha256';

export interface TableName {
  schema?: string;
  name: string;
}

/** "orders" or "sales.orders"; names with other dots are not supported (quote-free config). */
export function parseTableName(text: string): TableName {
  const parts = text.split('.');
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], name: parts[1] };
  return { name: text };
}

export function quoteIdent(engine: Engine, name: string): string {
  return engine === 'postgres' ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll('`', '``')}\``;
}

export function quoteTable(engine: Engine, table: TableName): string {
  const name = quoteIdent(engine, table.name);
  return table.schema ? `${quoteIdent(engine, table.schema)}.${name}` : name;
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

export interface Statement {
  sql: string;
  params: unknown[];
}

/** Builds statement parameters in the engine's placeholder syntax. */
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly engine: Engine) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.engine === 'postgres' ? `$${this.values.length}` : '?';
  }
}

export interface IntegerRange {
  from: bigint;
  /** Exclusive. */
  to: bigint;
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

  constructor(options: TableSqlOptions) {
    this.options = options;
    this.engine = options.engine;
    this.table = quoteTable(options.engine, options.table);
  }

  private q(name: string): string {
    return quoteIdent(this.engine, name);
  }

  /** A key column as it is compared and ordered: text bytewise on both engines. */
  keyExpr(column: SideColumn): string {
    const name = this.q(column.name);
    if (column.valueClass !== 'text') return name;
    const collation = column.collation || this.options.defaultCollation || '';
    if (BINARY_COLLATIONS.test(collation)) return name;
    return this.engine === 'postgres' ? `${name} COLLATE "C"` : `CAST(${name} AS BINARY)`;
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
    const c = this.q(column.name);
    const type = column.engineType.toLowerCase();
    if (this.engine === 'postgres') {
      switch (column.valueClass) {
        case 'decimal':
          return `trim_scale(${c}::numeric)::text`;
        case 'float':
          return `trim_scale(round(${c}::numeric, ${FLOAT_DIGITS}))::text`;
        case 'boolean':
          return `CASE ${c} WHEN true THEN 'true' WHEN false THEN 'false' END`;
        case 'timestamp':
          return type.includes('with time zone') ? `(${c} AT TIME ZONE 'UTC')::text` : `${c}::text`;
        case 'uuid':
          return `lower(${c}::text)`;
        case 'bytes':
          return `encode(${c}, 'hex')`;
        case 'json':
          return `${c}::jsonb::text`;
        default:
          return `${c}::text`;
      }
    }
    // MariaDB's string functions are slow per row: the catalog type says when trimming is needed.
    const scale = Number(/\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(type)?.[1] ?? /^(?:datetime|timestamp|time)\((\d+)\)/.exec(type)?.[1] ?? -1);
    const trimZeros = (text: string) => `TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${text}))`;
    const trimmed = (text: string) =>
      scale === 0 ? text : scale > 0 ? trimZeros(text) : `IF(LOCATE('.', ${text}) > 0, ${trimZeros(text)}, ${text})`;
    switch (column.valueClass) {
      case 'decimal':
        return trimmed(`CAST(${c} AS CHAR)`);
      case 'float':
        return `IF(LOCATE('.', CAST(CAST(${c} AS DECIMAL(65,${FLOAT_DIGITS})) AS CHAR)) > 0, ${trimZeros(`CAST(CAST(${c} AS DECIMAL(65,${FLOAT_DIGITS})) AS CHAR)`)}, CAST(CAST(${c} AS DECIMAL(65,${FLOAT_DIGITS})) AS CHAR))`;
      case 'text':
        return /^utf8mb4_/i.test(column.collation) ? c : `CONVERT(${c} USING utf8mb4)`;
      case 'timestamp':
      case 'time':
        return trimmed(`CAST(${c} AS CHAR)`);
      case 'uuid':
        return `LOWER(CAST(${c} AS CHAR))`;
      case 'bytes':
        return `LOWER(HEX(${c}))`;
      default:
        return `CAST(${c} AS CHAR)`;
    }
  }

  /** The canonical row text of key and compared columns. */
  rowText(): string {
    const columns = [...this.options.key, ...this.options.values];
    if (this.engine === 'postgres') {
      return `concat_ws(chr(31), ${columns.map((column) => `coalesce(${this.valueText(column)}, chr(30))`).join(', ')})`;
    }
    return `CONCAT_WS(_utf8mb4 X'1F', ${columns.map((column) => `COALESCE(${this.valueText(column)}, _utf8mb4 X'1E')`).join(', ')})`;
  }

  /** A 64-bit hash of the row: signed on PostgreSQL, unsigned on MariaDB (compared modulo 2^64). */
  rowHash(): string {
    const { hash } = this.options;
    if (hash === 'native') {
      if (this.engine !== 'postgres') throw new Error('the native row hash exists on PostgreSQL only');
      const columns = [...this.options.key, ...this.options.values].map((column) => {
        const c = this.q(column.name);
        // Types without a hash function compare through their text.
        if (column.valueClass === 'json') return `${c}::jsonb`;
        if (column.valueClass === 'other') return `${c}::text`;
        return c;
      });
      return `hash_record_extended(ROW(${columns.join(', ')}), 0)`;
    }
    const text = this.rowText();
    if (this.engine === 'postgres') {
      const hex = hash === 'md5' ? `md5(${text})` : `encode(sha256(convert_to(${text}, 'UTF8')), 'hex')`;
      return `('x' || left(${hex}, 16))::bit(64)::bigint`;
    }
    const hex = hash === 'md5' ? `MD5(${text})` : `SHA2(${text}, 256)`;
    return `CAST(CONV(LEFT(${hex}, 16), 16, 10) AS UNSIGNED)`;
  }

  private xor(expr: string): string {
    return this.engine === 'postgres' ? `bit_xor(${expr})` : `BIT_XOR(${expr})`;
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
   * boundary. PostgreSQL aggregates each bucket in a LATERAL subquery over its own index range
   * (no sort or hash of the whole chunk, no parallel workers); MariaDB groups each range, several
   * ranges being a UNION ALL of one index range scan each (an OR of many ranges can make a planner
   * scan the whole table).
   */
  integerChecksums(lo: bigint, width: bigint, ranges: readonly IntegerRange[]): Statement {
    const k = this.q(this.leading.name);
    const hash = this.xor(this.rowHash());
    if (this.engine === 'postgres') {
      const series = ranges.map((range) => {
        const first = (range.from - lo) / width;
        const last = (range.to - lo + width - 1n) / width - 1n;
        return `SELECT generate_series(${first}::bigint, ${last}::bigint) AS b`;
      });
      return {
        sql:
          `SELECT g.b, s.n, s.h FROM (${series.join(' UNION ALL ')}) AS g CROSS JOIN LATERAL ` +
          `(SELECT count(*) AS n, ${hash} AS h FROM ${this.table} WHERE ${k} >= (${lo}) + g.b * ${width} AND ${k} < (${lo}) + (g.b + 1) * ${width}${this.filterSql()}) AS s ` +
          'WHERE s.n > 0',
        params: [],
      };
    }
    const one = (range: IntegerRange) =>
      `SELECT (${k} - (${lo})) DIV ${width} AS b, count(*) AS n, ${hash} AS h FROM ${this.table} ` +
      `WHERE ${this.integerRanges([range])}${this.filterSql()} GROUP BY 1`;
    return { sql: ranges.length === 1 ? one(ranges[0] as IntegerRange) : ranges.map((range) => `(${one(range)})`).join(' UNION ALL '), params: [] };
  }

  /** Key and compared columns of the rows of integer ranges, unordered (small ranges; sorted by the caller). */
  integerRows(ranges: readonly IntegerRange[]): Statement {
    const select = [...this.options.key, ...this.options.values].map((column) => this.q(column.name)).join(', ');
    const one = (range: IntegerRange) => `SELECT ${select} FROM ${this.table} WHERE ${this.integerRanges([range])}${this.filterSql()}`;
    return { sql: ranges.length === 1 ? one(ranges[0] as IntegerRange) : ranges.map((range) => `(${one(range)})`).join(' UNION ALL '), params: [] };
  }

  /**
   * Per-segment checksums over consecutive segments of any ordered leading key: segment number =
   * `first` + how many of the inner boundaries the key reaches.
   */
  boundaryChecksums(first: number, boundaries: readonly (string | undefined)[]): Statement {
    const params = new Params(this.engine);
    const k = this.keyExpr(this.leading);
    const range = this.valueRange({ from: boundaries[0], to: boundaries[boundaries.length - 1] }, params);
    const inner = boundaries.slice(1, -1).map((value) => {
      const test = `${k} >= ${params.add(value)}`;
      return this.engine === 'postgres' ? `(${test})::int` : `(${test})`;
    });
    const segment = [String(first), ...inner].join(' + ');
    return {
      sql: `SELECT ${segment} AS b, count(*) AS n, ${this.xor(this.rowHash())} AS h FROM ${this.table} WHERE ${range}${this.filterSql()} GROUP BY 1`,
      params: params.values,
    };
  }

  /** Every `step`-th value of the leading key in key order (segment boundaries). */
  quantiles(step: number, range: ValueRange = {}): Statement {
    const params = new Params(this.engine);
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
    const params = new Params(this.engine);
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
    if (this.engine === 'postgres' && keys.length > 1) {
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

/** Catalog statements that do not depend on the compared columns. */
export const catalog = {
  /** Rows: column name, type name, collation ('' when none). No rows when the table is missing. */
  columns(engine: Engine, table: TableName): Statement {
    if (engine === 'postgres') {
      return {
        sql:
          `SELECT a.attname, format_type(a.atttypid, a.atttypmod), coalesce(co.collname, '') FROM pg_attribute a ` +
          `LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100 ` +
          `WHERE a.attrelid = to_regclass($1::text) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        params: [quoteTable(engine, table)],
      };
    }
    return {
      sql:
        'SELECT COLUMN_NAME, COLUMN_TYPE, COALESCE(COLLATION_NAME, \'\') FROM information_schema.COLUMNS ' +
        'WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      params: [table.schema ?? null, table.name],
    };
  },

  /** Rows: unique index name, column name (plain unique indexes without predicates or expressions). */
  uniqueIndexes(engine: Engine, table: TableName): Statement {
    if (engine === 'postgres') {
      return {
        sql:
          'SELECT i.indexrelid::text, a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) ' +
          'WHERE i.indrelid = to_regclass($1::text) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL',
        params: [quoteTable(engine, table)],
      };
    }
    return {
      sql:
        'SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS ' +
        'WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0',
      params: [table.schema ?? null, table.name],
    };
  },

  /** One row: estimated row count, default collation, server version (number). */
  facts(engine: Engine, table: TableName): Statement {
    if (engine === 'postgres') {
      return {
        sql:
          `SELECT (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass($1::text)), ` +
          `(SELECT datcollate FROM pg_database WHERE datname = current_database()), current_setting('server_version_num')`,
        params: [quoteTable(engine, table)],
      };
    }
    return {
      sql:
        'SELECT (SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?), ' +
        '@@collation_database, VERSION()',
      params: [table.schema ?? null, table.name],
    };
  },

  /** A zero-row read of the columns, so the connector reports their value classes. */
  probe(engine: Engine, table: TableName, columns: readonly string[]): Statement {
    return { sql: `SELECT ${columns.map((name) => quoteIdent(engine, name)).join(', ')} FROM ${quoteTable(engine, table)} WHERE 1 = 0`, params: [] };
  },

  /** Whether md5() can be used (it is refused where FIPS mode disables it). */
  md5Works(engine: Engine): Statement {
    return { sql: engine === 'postgres' ? "SELECT md5('')" : "SELECT MD5('')", params: [] };
  },
};
