import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { copyLines } from '../compare/copy-text.js';
import type { Column } from '../core/columns.js';
import { SampleError } from '../core/errors.js';
import type { RowSink, StatementSummary } from './database.js';

/**
 * A PostgreSQL result read as `COPY (query) TO STDOUT` text: the server's own text output of every
 * value, handed over in the chunks the socket delivers, with no message object or row array per row
 * in this thread (the consumer parses the text, compare/copy-text.ts). pg-copy-streams reads the
 * COPY data straight off the connection's socket, bypassing pg's per-message parser. Runs inside
 * the connector's read-only transaction, so the session guard (statement timeout, rollback,
 * DISCARD ALL, cancel on abort) is the one every read has.
 *
 * The columns come from a describe of the statement (`SELECT * FROM (query) LIMIT 0`), so their
 * value classes are the ones a row-by-row read reports. When COPY cannot run the statement (an
 * engine that speaks the protocol without COPY, a statement COPY refuses) and nothing was handed
 * over yet, the work is rolled back to a savepoint and null returned: the caller reads row by row.
 */

const SAVEPOINT = 'fidelity_copy';

/** The statement as a subquery: a trailing semicolon dropped, a trailing line comment closed by the newline. */
function inner(sql: string): string {
  return `(\n${sql.trim().replace(/;\s*$/, '')}\n)`;
}

/** A server-side refusal (not a cancel, a timeout or a lost connection) that a row-by-row read may not meet. */
function refusedByServer(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && code !== '57014' && !code.startsWith('08');
}

export async function copyOut(
  client: pg.PoolClient,
  sql: string,
  options: { maxRows: number; signal: AbortSignal; columnsOf: (fields: pg.FieldDef[]) => Column[]; types: pg.CustomTypesConfig },
  sink: RowSink,
): Promise<StatementSummary | null> {
  const started = performance.now();
  let handed = false;
  await client.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const described = await client.query({
      text: `SELECT * FROM ${inner(sql)} AS fidelity_rows LIMIT 0`,
      rowMode: 'array',
      types: options.types,
    });
    const columns = options.columnsOf(described.fields);
    sink.columns(columns);
    let rowCount = 0;
    const stream = client.query(copyTo(`COPY ${inner(sql)} TO STDOUT`));
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal.aborted) throw new SampleError('timeout', 'check timeout reached');
      rowCount += copyLines(chunk);
      if (rowCount > options.maxRows) {
        throw new SampleError('limit', `more than ${options.maxRows} rows (max_rows); narrow the query or raise the limit`);
      }
      handed = true;
      await sink.copyText(chunk);
    }
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return { columns, rowCount, durationMs: performance.now() - started };
  } catch (error) {
    if (handed || options.signal.aborted || !refusedByServer(error)) throw error;
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    return null;
  }
}
