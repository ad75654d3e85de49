import mysql from 'mysql2';
import type { Column } from '../core/columns.js';
import { SampleError } from '../core/errors.js';
import { connectUntilAborted, unlessLost, untilAborted } from './abort.js';
import type { ConnectorOptions, DatabaseConnector, RawRow, ReadSession, RowSink, StatementOptions, StatementSummary } from './database.js';
import { classifyMysqlError, mysqlDialect } from './dialects/mysql.js';
import { binaryToHex, mysqlColumns, type MysqlField } from './dialects/mysql-types.js';
import { withMysqlAccount } from './permissions.js';

export { classifyMysqlError };

const columnsOf = mysqlColumns;

/** Raw server text for every column; BIT as hex (binary strings: binaryToHex). No client-side type parsing. */
const typeCast = (field: { type: string; string: () => string | null; buffer: () => Buffer | null }) => {
  if (field.type === 'BIT') return field.buffer()?.toString('hex') ?? null;
  return field.string();
};

type PoolConnection = mysql.PoolConnection;

function run(
  connection: mysql.Connection | PoolConnection,
  sql: string,
  params?: unknown[],
): Promise<{ rows: RawRow[]; fields: MysqlField[] }> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, values: params, rowsAsArray: true, typeCast }, (error, rows, fields) => {
      if (error) reject(error);
      else {
        const list = (Array.isArray(rows) ? rows : []) as Array<Array<string | null>>;
        const fix = binaryToHex(mysqlColumns((fields ?? []) as MysqlField[]));
        if (fix) list.forEach(fix);
        resolve({ rows: list as RawRow[], fields: (fields ?? []) as MysqlField[] });
      }
    });
  });
}

export class MysqlConnector implements DatabaseConnector {
  readonly engine = 'mysql' as const;
  private readonly pool: mysql.Pool;
  private readonly options: ConnectorOptions;
  private mariadb: boolean | undefined;
  /** Connections taken from the pool and not yet given back. */
  private readonly inUse = new Set<PoolConnection>();

  constructor(options: ConnectorOptions) {
    this.options = options;
    this.pool = mysql.createPool({
      uri: options.url.reveal().replace(/^mariadb:/i, 'mysql:'),
      connectionLimit: options.poolSize,
      maxIdle: options.poolSize,
      idleTimeout: 30_000,
      connectTimeout: options.connectTimeoutMs,
      multipleStatements: false,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      timezone: 'Z',
      charset: 'UTF8MB4_GENERAL_CI',
      connectAttributes: { program_name: options.applicationName },
    });
    // A connection dropped by the server must never crash the process.
    this.pool.on('connection', (connection) => {
      connection.on('error', (error: Error) => options.onError(classifyMysqlError(error)));
    });
  }

  private getConnection(): Promise<PoolConnection> {
    return new Promise((resolve, reject) => {
      this.pool.getConnection((error, connection) => (error ? reject(classifyMysqlError(error)) : resolve(connection)));
    });
  }

  async readOnly<T>(options: { signal: AbortSignal; timeoutMs: number }, work: (session: ReadSession) => Promise<T>): Promise<T> {
    const { signal } = options;
    if (signal.aborted) throw new SampleError('timeout', 'check timeout reached before the statement started');
    const connection = await connectUntilAborted(this.getConnection(), signal, (late) => late.release());
    this.inUse.add(connection);
    let broken = false;
    let canceled = false;
    const onAbort = () => {
      canceled = true;
      broken = true;
      this.abandon(connection);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // Each step ends at the deadline (plus the cancel's grace) or when the connection is lost.
    const guarded = <R>(step: Promise<R>) => untilAborted(unlessLost(step, connection, classifyMysqlError), signal);
    try {
      if (this.mariadb === undefined) {
        const { rows } = await guarded(run(connection, 'SELECT VERSION()'));
        this.mariadb = /mariadb/i.test(String(rows[0]?.[0] ?? ''));
      }
      for (const statement of mysqlDialect.readOnlySession(options.timeoutMs, { mariadb: this.mariadb }))
        await guarded(run(connection, statement));
      return await guarded(work(this.session(connection, signal)));
    } catch (error) {
      if (canceled || signal.aborted) throw new SampleError('timeout', 'check timeout reached; statement killed on the server');
      const classified = classifyMysqlError(error);
      if (classified.reason === 'connect' || classified.reason === 'internal' || classified.reason === 'limit') broken = true;
      // A statement stopped at max_rows may still be producing rows (a view materialising 10M
      // rows): closing the connection alone leaves it running until the server next writes.
      if (classified.reason === 'limit') void this.killQuery(connection.threadId);
      if (classified.reason === 'permission') {
        const current = await run(connection, 'SELECT CURRENT_USER()').then(
          (result) => String(result.rows[0]?.[0] ?? ''),
          () => '',
        );
        throw withMysqlAccount(classified, current);
      }
      throw classified;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!broken) {
        try {
          // COM_RESET_CONNECTION rolls back and also drops what a rollback keeps (GET_LOCK locks,
          // user and session variables, temporary tables), so nothing outlives the sample in the pool.
          await guarded(new Promise<void>((resolve, reject) => connection.reset((error) => (error ? reject(error) : resolve()))));
        } catch {
          broken = true;
        }
      }
      // A connection in an unknown state is destroyed rather than returned to the pool.
      this.inUse.delete(connection);
      if (broken) connection.destroy();
      else connection.release();
    }
  }

  private session(connection: PoolConnection, signal: AbortSignal): ReadSession {
    const stream = (
      sql: string,
      options: { maxRows: number; params?: unknown[] },
      onRow: (row: RawRow, columns: Column[]) => Promise<void> | void,
    ) =>
      new Promise<StatementSummary>((resolve, reject) => {
        const started = performance.now();
        let columns: Column[] = [];
        let fixBinary: ((row: Array<string | null>) => void) | null = null;
        let rowCount = 0;
        let failed = false;
        let ended = false;
        const fail = (error: unknown) => {
          if (failed) return;
          failed = true;
          reject(error);
        };
        // The consumer gave up while rows still stream (the other side failed, the digest thread stopped).
        const stop = (error: unknown) => {
          if (!ended && !failed) this.abandon(connection);
          fail(error);
        };
        const query = connection.query({ sql, values: options.params, rowsAsArray: true, typeCast });
        query.on('fields', (fields: MysqlField[]) => {
          columns = columnsOf(fields);
          fixBinary = binaryToHex(columns);
        });
        query.on('result', (row: unknown) => {
          if (failed) return;
          if (!Array.isArray(row)) return; // an OK packet: the statement was not a SELECT
          rowCount += 1;
          if (rowCount > options.maxRows) {
            // Stop the transfer: the server-side statement is killed and the connection dropped.
            void this.killQuery(connection.threadId);
            fail(new SampleError('limit', `more than ${options.maxRows} rows (max_rows); narrow the query or raise the limit`));
            return;
          }
          try {
            fixBinary?.(row as Array<string | null>);
            // A consumer behind: the socket is paused until it catches up.
            const waiting = onRow(row as RawRow, columns);
            if (waiting) {
              connection.pause();
              void waiting.then(
                () => connection.resume(),
                (error: unknown) => stop(error),
              );
            }
          } catch (error) {
            stop(error);
          }
        });
        query.on('error', (error: Error) => {
          ended = true;
          fail(classifyMysqlError(error));
        });
        query.on('end', () => {
          ended = true;
          if (failed) return;
          if (signal.aborted) fail(new SampleError('timeout', 'check timeout reached'));
          else if (columns.length === 0) {
            fail(new SampleError('query', 'statement returned no result set; only SELECT-like statements can be compared'));
          } else resolve({ columns, rowCount, durationMs: performance.now() - started });
        });
      });
    return {
      stream,
      bulk: (sql: string, options: { maxRows: number }, sink: RowSink) => {
        let described = false;
        return stream(sql, options, (row, columns) => {
          if (!described) sink.columns(columns);
          described = true;
          return sink.row(row, columns);
        });
      },
      query: async (sql, params) => {
        const { rows, fields } = await run(connection, sql, params);
        return { columns: columnsOf(fields), rows };
      },
    };
  }

  async stream(sql: string, options: StatementOptions, onRow: (row: RawRow, columns: Column[]) => void): Promise<StatementSummary> {
    return this.readOnly(options, (session) => session.stream(sql, options, onRow));
  }

  async ping(signal: AbortSignal, timeoutMs: number): Promise<void> {
    await this.readOnly({ signal, timeoutMs }, (session) => session.query('SELECT 1'));
  }

  /** Stops a running statement from a separate short-lived connection, so the server stops at once. */
  /**
   * Stops a statement whose rows are no longer wanted, as at max_rows, rather than leave it running.
   * The socket is read again (the rows dropped): a server blocked writing to a paused client would
   * not see the kill, nor the connection's close, until its write timeout.
   */
  private abandon(connection: PoolConnection): void {
    void this.killQuery(connection.threadId);
    connection.resume();
  }

  private async killQuery(threadId: number | null): Promise<void> {
    if (threadId === null) return;
    const killer = mysql.createConnection({
      uri: this.options.url.reveal().replace(/^mariadb:/i, 'mysql:'),
      connectTimeout: this.options.connectTimeoutMs,
    });
    killer.on('error', () => undefined);
    try {
      await run(killer, `KILL QUERY ${Number(threadId)}`);
    } catch {
      // max_statement_time ends the statement anyway.
    } finally {
      killer.destroy();
    }
  }

  async close(): Promise<void> {
    // The pool's end waits for a goodbye from every connection, which one the server is dropping
    // mid-statement never gives: statements still running when the connector closes are cut.
    for (const connection of this.inUse) connection.destroy();
    this.inUse.clear();
    await new Promise<void>((resolve) => this.pool.end(() => resolve()));
  }
}
