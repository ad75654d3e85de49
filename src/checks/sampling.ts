import type { ReadSession } from '../connectors/database.js';
import type { Dialect, OnRow, SampleOutcome, TableName } from '../connectors/dialects/dialect.js';

/**
 * Bounded row samples of one table, shared by the `coverage` and `masking` kinds. Identifiers
 * come from the configuration and are quoted by the dialect; values are always bound as parameters.
 *
 * - small tables (estimated rows <= the sample size): the first `limit` rows;
 * - larger tables: the dialect's own sample (PostgreSQL `TABLESAMPLE SYSTEM (p)` sized from
 *   pg_class.reltuples; MySQL/MariaDB random ranges of an integer primary key), else LIMIT.
 */

export type { SampleOutcome } from '../connectors/dialects/dialect.js';
export type TableRef = TableName;

/** `orders` or `sales.orders`. */
export function parseTableName(text: string): TableRef {
  const dot = text.indexOf('.');
  return dot < 0 ? { name: text } : { schema: text.slice(0, dot), name: text.slice(dot + 1) };
}

/**
 * Streams a bounded sample of `selectList` from the table. `params` are the select list's own
 * bind parameters (numbered from 1); the sampler appends its own after them.
 */
export async function sampleTable(
  session: ReadSession,
  dialect: Dialect,
  table: TableRef,
  select: { list: string; params: unknown[] },
  limit: number,
  onRow: OnRow,
): Promise<SampleOutcome> {
  const estimate = await dialect.sampling.estimatedRows(session, table);
  const large = estimate !== null && estimate > limit;
  if (large && estimate !== null) {
    const sampled = await dialect.sampling.sampleLarge(session, table, select, limit, estimate, onRow);
    if (sampled) return sampled;
  }
  const summary = await session.stream(
    `SELECT ${select.list} FROM ${dialect.quoteTable(table)} LIMIT ${limit}`,
    { maxRows: limit, params: select.params },
    onRow,
  );
  return {
    method: estimate !== null && !large ? 'whole_table' : 'limit',
    estimatedRows: estimate,
    rows: summary.rowCount,
    columns: summary.columns,
  };
}
