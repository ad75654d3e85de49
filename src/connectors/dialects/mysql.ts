import type { Column } from '../../core/columns.js';
import { mysqlPlanShape } from '../../compare/plan.js';
import { FLOAT_DIGITS } from '../../compare/rowtext.js';
import { SampleError } from '../../core/errors.js';
import { mysqlConstraintRows, probeHiddenTables, requireWholeTables } from '../catalog-mysql.js';
import type { ReadSession } from '../database.js';
import { mysqlPermissionError } from '../permissions.js';
import { mysqlLogicalDefault, mysqlLogicalType } from './mysql-types.js';
import { quoteTableWith, type Dialect, type SideColumn, type TableName } from './dialect.js';
import { mysqlDistribution } from './mysql-distribution.js';

/** MySQL and MariaDB. */

function quote(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

function quoteTable(table: TableName): string {
  return quoteTableWith(quote, table);
}

interface MysqlError extends Error {
  code?: string;
  errno?: number;
  fatal?: boolean;
}

export function classifyMysqlError(error: unknown): SampleError {
  if (error instanceof SampleError) return error;
  const err = error as MysqlError;
  const code = err?.code ?? '';
  const message = err?.message ?? String(error);
  if (err?.errno === 1969 || err?.errno === 3024 || code === 'ER_QUERY_TIMEOUT' || code === 'ER_STATEMENT_TIMEOUT') {
    return new SampleError('timeout', 'statement timeout reached (server interrupted the statement)');
  }
  if (err?.errno === 1317) return new SampleError('timeout', 'statement interrupted on the server');
  if (err?.errno === 1792 || err?.errno === 1568)
    return new SampleError('read_only', `refused: ${message} (samples run in read-only transactions)`);
  const denied = mysqlPermissionError(err?.errno, message);
  if (denied) return denied;
  if (code === 'ER_ACCESS_DENIED_ERROR' || err?.errno === 1045) {
    return new SampleError('auth', `authentication failed: ${message}`);
  }
  if (code === 'ER_BAD_DB_ERROR') return new SampleError('connect', message);
  if (['ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST'].includes(code) || err?.errno === 1927) {
    return new SampleError('connect', `connection lost: the server closed it (${code || err.errno})`);
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code)) {
    return new SampleError('connect', `cannot reach server: ${code}`);
  }
  if (err?.fatal) return new SampleError('connect', message);
  if (code.startsWith('ER_') || (err?.errno ?? 0) > 0) return new SampleError('query', `${message} (${code || err.errno})`);
  return new SampleError('internal', message);
}

function valueText(column: SideColumn): string {
  const c = quote(column.name);
  const type = column.engineType.toLowerCase();
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
    case 'boolean':
      return `CASE ${c} WHEN 0 THEN 'false' WHEN 1 THEN 'true' ELSE CAST(${c} AS CHAR) END`;
    case 'bytes':
      return `LOWER(HEX(${c}))`;
    default:
      return `CAST(${c} AS CHAR)`;
  }
}

const CATALOG_TABLES = `
SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (?)
ORDER BY 1, 2`;

const CATALOG_COLUMNS = `
SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, CASE WHEN IS_NULLABLE = 'YES' THEN 't' ELSE 'f' END,
       COLUMN_DEFAULT, EXTRA,
       (SELECT COUNT(*) FROM information_schema.CHECK_CONSTRAINTS k
        WHERE k.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA AND k.CONSTRAINT_NAME = c.COLUMN_NAME
          AND k.CHECK_CLAUSE = CONCAT('json_valid(\`', c.COLUMN_NAME, '\`)'))
FROM information_schema.COLUMNS c
WHERE TABLE_SCHEMA IN (?)
ORDER BY 1, 2, ORDINAL_POSITION`;

const CATALOG_INDEXES = `
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, CASE WHEN NON_UNIQUE = 0 THEN 't' ELSE 'f' END, INDEX_TYPE,
       COLUMN_NAME, SUB_PART
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA IN (?)
ORDER BY 1, 2, 3, SEQ_IN_INDEX`;

function columnDefault(columnDefault: string | null, extra: string | null): string | null {
  // MariaDB reports an explicit or implicit NULL default as the text NULL.
  const value = columnDefault === null || columnDefault === 'NULL' ? null : columnDefault;
  const parts = [value, (extra ?? '').trim() || null].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' ') : null;
}

async function integerPrimaryKey(session: ReadSession, table: TableName): Promise<string | null> {
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

/** The table's own TABLE_SCHEMA/TABLE_NAME condition: the connection's database when unqualified. */
const THIS_TABLE = 'TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?';

export const mysqlDialect: Dialect = {
  engine: 'mysql',
  label: 'MySQL/MariaDB',
  quote,
  quoteTable,
  placeholder: () => '?',
  reusableParameters: false,
  classifyError: classifyMysqlError,

  readOnlySession(timeoutMs, server) {
    const seconds = Math.max(0.001, timeoutMs / 1000);
    const lockSeconds = Math.max(1, Math.ceil(seconds));
    // MariaDB limits every statement; MySQL's max_execution_time limits SELECTs, which is all we run.
    const limit = server.mariadb ? `max_statement_time = ${seconds.toFixed(3)}` : `max_execution_time = ${Math.ceil(timeoutMs)}`;
    return [
      `SET SESSION time_zone = '+00:00', ${limit}, lock_wait_timeout = ${lockSeconds}, innodb_lock_wait_timeout = ${lockSeconds}`,
      // Session-level too: DDL commits implicitly, and the implicit transaction after it must
      // still be read-only.
      'SET SESSION TRANSACTION READ ONLY',
      'START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT',
    ];
  },

  probeHiddenTables,

  saltedHash(column, saltParameter) {
    const value = valueText(column);
    return `CASE WHEN ${value} IS NULL OR CAST(${value} AS BINARY) = '' THEN NULL ELSE SHA2(CONCAT(CAST(${saltParameter} AS BINARY), CAST(${value} AS BINARY)), 256) END`;
  },

  explain: (statement) => `EXPLAIN FORMAT=JSON ${statement}`,
  planShape: mysqlPlanShape,

  // Everything the driver's metadata says is enough (BOOLEAN, JSON and UUID included).
  types: { catalogClass: () => null },

  table: {
    tuning: [],
    checksumProblem: () => null,
    async requireWholeTable(session, table) {
      const schema = table.schema ?? String((await session.query('SELECT DATABASE()', [])).rows[0]?.[0] ?? '');
      await requireWholeTables(session, [schema], table.name);
    },
    bytewise: (expression) => `CAST(${expression} AS BINARY)`,
    valueText,
    rowText: (columns) =>
      `CONCAT_WS(_utf8mb4 X'1F', ${columns.map((column) => `COALESCE(${valueText(column)}, _utf8mb4 X'1E')`).join(', ')})`,
    textHash(text, hash) {
      const hex = hash === 'md5' ? `MD5(${text})` : `SHA2(${text}, 256)`;
      return `CAST(CONV(LEFT(${hex}, 16), 16, 10) AS UNSIGNED)`;
    },
    xor: (expression) => `BIT_XOR(${expression})`,
    asInteger: (condition) => `(${condition})`,
    // Expanded into alternatives instead, so that MariaDB can use the index on the first column.
    rowValueComparison: false,
    // Each range is grouped on its own, several ranges being a UNION ALL of one index range scan
    // each (an OR of many ranges can make a planner scan the whole table).
    integerChecksums({ key: k, table, hash, filter, lo, width, ranges, rangeCondition }) {
      const one = (range: (typeof ranges)[number]) =>
        `SELECT (${k} - (${lo})) DIV ${width} AS b, count(*) AS n, ${hash} AS h FROM ${table} ` +
        `WHERE ${rangeCondition(range)}${filter} GROUP BY 1`;
      return ranges.length === 1 && ranges[0] ? one(ranges[0]) : ranges.map((range) => `(${one(range)})`).join(' UNION ALL ');
    },
    columns: (table) => ({
      sql: `SELECT COLUMN_NAME, COLUMN_TYPE, COALESCE(COLLATION_NAME, '') FROM information_schema.COLUMNS WHERE ${THIS_TABLE} ORDER BY ORDINAL_POSITION`,
      params: [table.schema ?? null, table.name],
    }),
    uniqueIndexes: (table) => ({
      sql: `SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS WHERE ${THIS_TABLE} AND NON_UNIQUE = 0`,
      params: [table.schema ?? null, table.name],
    }),
    facts: (table) => ({
      sql: `SELECT (SELECT TABLE_ROWS FROM information_schema.TABLES WHERE ${THIS_TABLE}), @@collation_database, VERSION()`,
      params: [table.schema ?? null, table.name],
    }),
    md5Works: () => ({ sql: "SELECT MD5('')", params: [] }),
  },

  catalog: {
    currentSchema: 'SELECT DATABASE()',
    tables: CATALOG_TABLES,
    columns: CATALOG_COLUMNS,
    columnDefault: (row) => columnDefault(row[5] ?? null, row[6] ?? null),
    logicalColumn(row) {
      const type = mysqlLogicalType(row[3] ?? '', Number(row[7] ?? 0) > 0);
      return { type, default: mysqlLogicalDefault(row[5] ?? null, row[6] ?? null, type) };
    },
    indexes: CATALOG_INDEXES,
    indexEntry(row) {
      const column = row[5] ?? '(expression)';
      return { predicate: null, include: false, column: row[6] ? `${column}(${row[6]})` : column };
    },
    listsConstraintIndexes: true,
    constraintRows: mysqlConstraintRows,
  },

  distribution: mysqlDistribution,

  sampling: {
    async estimatedRows(session, table) {
      const { rows } = await session.query(`SELECT TABLE_ROWS FROM information_schema.TABLES WHERE ${THIS_TABLE}`, [
        table.schema ?? null,
        table.name,
      ]);
      const value = rows[0]?.[0];
      return value === undefined || value === null ? null : Number(value);
    },
    // With a single integer primary key, ten random key ranges read in key order (an index range
    // read each); otherwise null, and the caller reads the first rows.
    async sampleLarge(session, table, select, limit, estimate, onRow) {
      const key = await integerPrimaryKey(session, table);
      if (key === null) return null;
      const from = quoteTable(table);
      const quotedKey = quote(key);
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
    },
  },
};
