import type { Engine } from '../core/engines.js';
import type { Column } from '../core/columns.js';
import type { Secret } from '../config/secret.js';

/** What every database connector offers. Connectors do I/O only; they never interpret values. */

export interface StatementOptions {
  signal: AbortSignal;
  /** Server-side statement timeout; the client also gives up at the signal. */
  timeoutMs: number;
  /** Fail with reason `limit` once more rows than this arrive. */
  maxRows: number;
  params?: unknown[];
}

export interface StatementSummary {
  columns: Column[];
  rowCount: number;
  durationMs: number;
}

export type RawRow = ReadonlyArray<string | null>;

/**
 * Where a bulk read hands its result: the columns first, then the rows, either as raw COPY text
 * (PostgreSQL, parsed by the consumer) or one by one. A returned promise asks the read to wait
 * before it hands more (the consumer is behind).
 */
export interface RowSink {
  columns(columns: Column[]): void;
  copyText(chunk: Buffer): Promise<void> | void;
  row(row: RawRow, columns: Column[]): Promise<void> | void;
}

export interface ReadSession {
  /** Streams one statement's rows (raw server text) to onRow; one statement per call. */
  stream(
    sql: string,
    options: Omit<StatementOptions, 'signal' | 'timeoutMs'>,
    onRow: (row: RawRow, columns: Column[]) => void,
  ): Promise<StatementSummary>;
  /**
   * Reads one statement's whole result the fastest way the engine offers (PostgreSQL: COPY text,
   * falling back to rows where COPY cannot run; MySQL/MariaDB: rows). No parameters.
   */
  bulk(sql: string, options: { maxRows: number }, sink: RowSink): Promise<StatementSummary>;
  /** Small result sets only (catalog queries, checksums): collected and returned. */
  query(sql: string, params?: unknown[]): Promise<{ columns: Column[]; rows: RawRow[] }>;
}

export interface DatabaseConnector {
  readonly engine: Engine;
  /**
   * Runs `work` inside one read-only transaction on one pooled connection, with the server-side
   * statement timeout set; rolls back afterwards whatever happens.
   */
  readOnly<T>(options: { signal: AbortSignal; timeoutMs: number }, work: (session: ReadSession) => Promise<T>): Promise<T>;
  /** Streams one statement (a convenience over readOnly). */
  stream(sql: string, options: StatementOptions, onRow: (row: RawRow, columns: Column[]) => void): Promise<StatementSummary>;
  ping(signal: AbortSignal, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectorOptions {
  url: Secret;
  poolSize: number;
  connectTimeoutMs: number;
  /** Identifies the exporter on the server (pg_stat_activity, processlist). */
  applicationName: string;
  onError: (error: Error) => void;
}
