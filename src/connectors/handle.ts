import type { Column } from '../core/columns.js';
import type { Engine } from '../core/engines.js';
import type { RawRow, ReadSession, StatementSummary } from './database.js';
import type { Dialect } from './dialects/dialect.js';

/** A database of one side, reached through that database's concurrency limit and the sample's deadline. */
export interface DatabaseHandle {
  readonly side: string;
  readonly engine: Engine;
  /** How this database's engine writes SQL: kinds build engine-specific statements through it. */
  readonly dialect: Dialect;
  /** Statements this database runs at once from the exporter (its slots). */
  readonly concurrency: number;
  stream(
    sql: string,
    options: { maxRows: number; params?: unknown[] },
    onRow: (row: RawRow, columns: Column[]) => void,
  ): Promise<StatementSummary>;
  readOnly<T>(work: (session: ReadSession) => Promise<T>): Promise<T>;
}
