import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Column } from '../core/columns.js';
import { SampleError } from '../core/errors.js';
import { CANCEL_GRACE_MS, connectUntilAborted, unlessLost, untilAborted } from './abort.js';
import type { ConnectorOptions, DatabaseConnector, RawRow, ReadSession, RowSink, StatementOptions, StatementSummary } from './database.js';
import { sendCancelRequest } from './postgres-cancel.js';
import { copyOut } from './postgres-copy.js';
import { classifyPostgresError, postgresDialect } from './dialects/postgres.js';
import { postgresColumns } from './dialects/postgres-types.js';

export { classifyPostgresError };

/** Values arrive as the server's text; canonical/ interprets them, so no client-side parsing. */
const rawText = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

const columnsOf = postgresColumns;

function readBatch(cursor: Cursor, size: number): Promise<{ rows: RawRow[]; fields: { name: string; dataTypeID: number }[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(size, (error, rows, result) => {
      if (error) reject(error);
      else resolve({ rows: rows as unknown as RawRow[], fields: (result?.fields ?? []) as { name: string; dataTypeID: number }[] });
    });
  });
}

/**
 * Ends the sample's transaction and resets the session before the connection goes back to the pool.
 * DISCARD ALL: what the rolled-back transaction does not undo (session advisory locks, LISTEN,
 * temporary tables, prepared plans) never outlives the sample. Two messages: after a ROLLBACK in
 * the same Query message, DISCARD ALL would run in an implicit transaction block and be refused.
 */
async function resetSession(run: (sql: string) => Promise<unknown>): Promise<void> {
  await run('ROLLBACK');
  await run('DISCARD ALL');
}

export class PostgresConnector implements DatabaseConnector {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly options: ConnectorOptions;

  constructor(options: ConnectorOptions) {
    this.options = options;
    this.pool = new pg.Pool({
      connectionString: options.url.reveal(),
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: options.applicationName,
      types: rawText,
    });
    // An idle connection dropped by the server must never crash the process.
    this.pool.on('error', (error) => options.onError(classifyPostgresError(error)));
    // Nor one that errors while it has no other listener: between the pool handing it over and the
    // sample's own listener, or after a terminated backend's second error. The pool and the sample
    // still see and report every error; a dead connection is dropped when it is next used.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  async readOnly<T>(options: { signal: AbortSignal; timeoutMs: number }, work: (session: ReadSession) => Promise<T>): Promise<T> {
    const { signal } = options;
    if (signal.aborted) throw new SampleError('timeout', 'check timeout reached before the statement started');
    let client: pg.PoolClient;
    try {
      client = await connectUntilAborted(this.pool.connect(), signal, (late) => late.release());
    } catch (error) {
      throw classifyPostgresError(error);
    }
    const onClientError = (error: Error) => this.options.onError(classifyPostgresError(error));
    client.on('error', onClientError);
    let broken = false;
    let cancel: Promise<boolean> | undefined;
    let workSettled = false;
    const onAbort = () => {
      cancel = this.cancelBackend(client);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // Each step ends at the deadline (plus the cancel's grace) or when the connection is lost.
    const guarded = <R>(step: Promise<R>) => untilAborted(unlessLost(step, client, classifyPostgresError), signal);
    try {
      for (const statement of postgresDialect.readOnlySession(options.timeoutMs, {})) await guarded(client.query(statement));
      const working = work(this.session(client, signal));
      // Registered first, so it is known before `guarded` settles whether the work let go of the connection.
      working.then(
        () => (workSettled = true),
        () => (workSettled = true),
      );
      return await guarded(working);
    } catch (error) {
      if (cancel || signal.aborted) throw new SampleError('timeout', 'check timeout reached; statement canceled on the server');
      const classified = classifyPostgresError(error, (client as { user?: string }).user);
      if (classified.reason === 'connect' || classified.reason === 'internal') broken = true;
      // A COPY stopped at max_rows leaves the connection mid-transfer: it is closed, and the
      // statement canceled so that the server stops producing rows at once.
      if (classified.reason === 'limit') {
        broken = true;
        void this.cancelBackend(client);
      }
      throw classified;
    } finally {
      signal.removeEventListener('abort', onAbort);
      const release = () => {
        client.off('error', onClientError);
        // A connection in an unknown state is destroyed rather than returned to the pool (a
        // statement still waiting on a server that does not answer closes the socket at once).
        client.release(broken ? true : undefined);
      };
      if (cancel && !broken) {
        // In the background: the sample reports its timeout now; the connection goes back to the
        // pool, or is closed, once the session is known to be clean.
        const cleaning = workSettled ? this.cleanAfterCancel(client, cancel) : Promise.resolve(false);
        void cleaning.then((clean) => {
          broken = !clean;
          release();
        });
      } else {
        if (!broken) {
          try {
            await resetSession((sql) => guarded(client.query(sql)));
          } catch {
            broken = true;
          }
        }
        release();
      }
    }
  }

  private session(client: pg.PoolClient, signal: AbortSignal): ReadSession {
    const stream = async (
      sql: string,
      options: { maxRows: number; params?: unknown[] },
      onRow: (row: RawRow, columns: Column[]) => Promise<void> | void,
    ): Promise<StatementSummary> => {
      const started = performance.now();
      const cursor = client.query(new Cursor(sql, options.params as unknown[] | undefined, { rowMode: 'array', types: rawText }));
      let columns: Column[] = [];
      let rowCount = 0;
      let lost = false;
      try {
        for (;;) {
          if (signal.aborted) throw new SampleError('timeout', 'check timeout reached');
          const batch = await readBatch(cursor, 1000);
          if (columns.length === 0 && batch.fields.length > 0) columns = columnsOf(batch.fields);
          if (batch.rows.length === 0) break;
          rowCount += batch.rows.length;
          if (rowCount > options.maxRows) {
            throw new SampleError('limit', `more than ${options.maxRows} rows (max_rows); narrow the query or raise the limit`);
          }
          let waiting: Promise<void> | void = undefined;
          for (const row of batch.rows) waiting = onRow(row, columns) ?? waiting;
          await waiting;
        }
      } catch (error) {
        lost = classifyPostgresError(error).reason === 'connect';
        throw error;
      } finally {
        // Closing a cursor waits for the server: on a lost connection it would wait forever.
        if (!lost) await new Promise<void>((resolve) => cursor.close(() => resolve()));
      }
      if (columns.length === 0) {
        throw new SampleError('query', 'statement returned no result set; only SELECT-like statements can be compared');
      }
      return { columns, rowCount, durationMs: performance.now() - started } satisfies StatementSummary;
    };
    return {
      stream,
      bulk: async (sql: string, options: { maxRows: number }, sink: RowSink) => {
        const copied = await copyOut(client, sql, { ...options, signal, columnsOf, types: rawText }, sink);
        if (copied) return copied;
        // COPY could not run this statement: rows, one by one.
        let described = false;
        return stream(sql, options, (row, columns) => {
          if (!described) sink.columns(columns);
          described = true;
          return sink.row(row, columns);
        });
      },
      query: async (sql, params) => {
        const result = await client.query({ text: sql, values: params, rowMode: 'array', types: rawText });
        return { columns: columnsOf(result.fields), rows: result.rows as RawRow[] };
      },
    };
  }

  async stream(sql: string, options: StatementOptions, onRow: (row: RawRow, columns: Column[]) => void): Promise<StatementSummary> {
    return this.readOnly(options, (session) => session.stream(sql, options, onRow));
  }

  async ping(signal: AbortSignal, timeoutMs: number): Promise<void> {
    await this.readOnly({ signal, timeoutMs }, (session) => session.query('SELECT 1'));
  }

  /**
   * Cancels a running statement with the protocol's CancelRequest (the backend's pid and secret
   * key on a fresh socket): no login, so no SCRAM key derivation on the event loop for every
   * sample that reaches its deadline on a slow or loaded server.
   */
  private async cancelBackend(client: pg.PoolClient): Promise<boolean> {
    const { processID, secretKey, host, port } = client as unknown as {
      processID?: number;
      secretKey?: number;
      host?: string;
      port?: number;
    };
    if (processID === undefined || secretKey === undefined || host === undefined || port === undefined) return false;
    // The server-side statement_timeout ends the statement anyway if this does not arrive.
    return sendCancelRequest({ host, port, processID, secretKey }, this.options.connectTimeoutMs);
  }

  /**
   * After a statement was cancelled at the deadline, the connection goes back to the pool (saving
   * a login) only when the cancel reached the server within the cancel's grace, so it cannot hit a
   * later statement, and the session then answers ROLLBACK and DISCARD ALL within the grace too.
   */
  private async cleanAfterCancel(client: pg.PoolClient, cancel: Promise<boolean>): Promise<boolean> {
    // Bounded: a server that does not take the cancel at once (stopped, unreachable) loses the connection.
    const tookTooLong = new Promise<boolean>((resolve) => setTimeout(resolve, CANCEL_GRACE_MS, false).unref());
    if (!(await Promise.race([cancel, tookTooLong]))) return false;
    try {
      const graceStarted = AbortSignal.abort();
      await resetSession((sql) => untilAborted(unlessLost(client.query(sql), client, classifyPostgresError), graceStarted));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
