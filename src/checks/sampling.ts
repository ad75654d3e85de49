import type { Column } from '../compare/canonical.js';
import type { RawRow, ReadSession } from '../connectors/database.js';

/**
 * Bounded row samples of one table, shared by the `coverage` and `masking` kinds. Identifiers
 * come from the configuration and are quoted here; values are always bound as parameters.
 *
 * - small tables (estimated rows <= the sample size): the first `limit` rows;
 * - PostgreSQL: `TABLESAMPLE SYSTEM (p)` with p sized from pg_class.reltuples, then LIMIT;
 * - MySQL/MariaDB: with a single integer primary key, ten random key ranges read in key order
 *   (`WHERE pk >= ? ORDER BY pk LIMIT n/10`, an index range read each); otherwise LIMIT.
 */

export type Engine = 'postgres' | 'mysql';

export interface TableRef {
  schema?: string;
  name: string;
}

/** `orders` or `sales.orders`. */
export function parseTableName(text: string): TableRef {
  const dot = text.indexOf('.');
  return dot < 0 ? { name: text } : { schema: text.slice(0, dot), name: text.slice(dot + 1) };
}

export function quoteIdentifier(engine: Engine, name: string): string {
  return engine === 'postgres' ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll('`', '``')}\``;
}

export function qualifiedTable(engine: Engine, table: TableRef): string {
  const name = quoteIdentifier(engine, table.name);
  return table.schema ? `${quoteIdentifier(engine, table.schema)}.${name}` : name;
}

/** The n-th (1-based) bind parameter of a statement. */
export function placeholder(engine: Engine, index: number): string {
  return engine === 'postgres' ? `$${index}` : '?';
}

export type SampleMethod = 'whole_table' | 'tablesample' | 'key_ranges' | 'limit';

export interface SampleOutcome {
  method: SampleMethod;
  /** The engine's estimate of the table's rows (statistics, not a count); null when unknown. */
  estimatedRows: number | null;
  rows: number;
  columns: Column[];
}

async function estimatedRows(session: ReadSession, engine: Engine, table: TableRef): Promise<number | null> {
  if (engine === 'postgres') {
    const { rows } = await session.query('SELECT c.reltuples::bigint FROM pg_catalog.pg_class c WHERE c.oid = to_regclass($1)', [qualifiedTable(engine, table)]);
    const value = rows[0]?.[0];
    // -1 (PostgreSQL 14+) means never analysed.
    return value === undefined || value === null || Number(value) < 0 ? null : Number(value);
  }
  const { rows } = await session.query(
    'SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?',
    [table.schema ?? null, table.name],
  );
  const value = rows[0]?.[0];
  return value === undefined || value === null ? null : Number(value);
}

async function integerPrimaryKey(session: ReadSession, table: TableRef): Promise<string | null> {
  const { rows } = await session.query(
    `SELECT k.COLUMN_NAME, c.DATA_TYPE
     FROM information_schema.KEY_COLUMN_USAGE k
     JOIN information_schema.COLUMNS c
       ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME
     WHERE k.CONSTRAINT_NAME = 'PRIMARY' AND k.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND k.TABLE_NAME = ?`,
    [table.schema ?? null, table.name],
  );
  if (rows.length !== 1) return null;
  const [column, type] = rows[0] ?? [];
  return column && /^(tinyint|smallint|mediumint|int|integer|bigint)$/i.test(type ?? '') ? column : null;
}

const KEY_RANGES = 10;

/**
 * Streams a bounded sample of `selectList` from the table. `params` are the select list's own
 * bind parameters (numbered from 1); the sampler appends its own after them.
 */
export async function sampleTable(
  session: ReadSession,
  engine: Engine,
  table: TableRef,
  select: { list: string; params: unknown[] },
  limit: number,
  onRow: (row: RawRow, columns: Column[]) => void,
): Promise<SampleOutcome> {
  const from = qualifiedTable(engine, table);
  const estimate = await estimatedRows(session, engine, table);
  const large = estimate !== null && estimate > limit;
  const stream = (sql: string, params: unknown[], maxRows: number) => session.stream(sql, { maxRows, params }, onRow);

  if (large && engine === 'postgres') {
    // Blocks are picked at random; 20 % headroom so that LIMIT, not bad luck, ends the read.
    const percent = Math.min(100, (100 * limit * 1.2) / estimate);
    const summary = await stream(`SELECT ${select.list} FROM ${from} TABLESAMPLE SYSTEM (${percent.toFixed(6)}) LIMIT ${limit}`, select.params, limit);
    return { method: 'tablesample', estimatedRows: estimate, rows: summary.rowCount, columns: summary.columns };
  }

  if (large && engine === 'mysql') {
    const key = await integerPrimaryKey(session, table);
    if (key !== null) {
      const quotedKey = quoteIdentifier(engine, key);
      const bounds = await session.query(`SELECT MIN(${quotedKey}), MAX(${quotedKey}) FROM ${from}`);
      const low = BigInt(bounds.rows[0]?.[0] ?? '0');
      const high = BigInt(bounds.rows[0]?.[1] ?? '0');
      const perRange = Math.max(1, Math.floor(limit / KEY_RANGES));
      const starts = randomStarts(low, high, KEY_RANGES);
      let rows = 0;
      let columns: Column[] = [];
      let next = low;
      for (const start of starts) {
        // Ranges never overlap: each starts after the last key the previous one read.
        const rangeStart = start > next ? start : next;
        if (rangeStart > high) break;
        let last: bigint | null = null;
        const summary = await session.stream(
          `SELECT ${select.list}, ${quotedKey} FROM ${from} WHERE ${quotedKey} >= ? ORDER BY ${quotedKey} LIMIT ${perRange}`,
          { maxRows: perRange, params: [...select.params, rangeStart.toString()] },
          (row, rowColumns) => {
            last = BigInt(row[row.length - 1] ?? '0');
            onRow(row.slice(0, -1), rowColumns.slice(0, -1));
          },
        );
        rows += summary.rowCount;
        columns = summary.columns.slice(0, -1);
        if (last !== null) next = (last as bigint) + 1n;
      }
      return { method: 'key_ranges', estimatedRows: estimate, rows, columns };
    }
  }

  const summary = await stream(`SELECT ${select.list} FROM ${from} LIMIT ${limit}`, select.params, limit);
  return { method: estimate !== null && !large ? 'whole_table' : 'limit', estimatedRows: estimate, rows: summary.rowCount, columns: summary.columns };
}

/** Sorted random starting keys in [low, high]. The reader skips past keys already read. */
function randomStarts(low: bigint, high: bigint, count: number): bigint[] {
  const span = high - low + 1n;
  if (span <= 0n) return [low];
  const starts: bigint[] = [];
  for (let i = 0; i < count; i += 1) {
    const fraction = BigInt(Math.floor(Math.random() * 1_000_000));
    starts.push(low + (span * fraction) / 1_000_000n);
  }
  return starts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
