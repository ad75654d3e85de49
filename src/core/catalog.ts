/**
 * The engine-neutral shape of a database catalogue (tables, columns, keys, foreign keys, indexes):
 * read by connectors/catalog.ts, compared by compare/schema.ts.
 */

export interface CatalogColumn {
  name: string;
  /** The engine's own type text: `numeric(12,2)` (PostgreSQL), `decimal(12,2)` (MySQL). */
  type: string;
  nullable: boolean;
  /** Default expression as the engine prints it, identity/auto-increment included; null when none. */
  default: string | null;
  /** The engine-neutral type and default meaning (compare/logical-types.ts), compared across engines. */
  logical?: { type: string; default: string | null };
}

export interface CatalogKey {
  name: string;
  columns: string[];
}

export type ReferentialAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

export interface CatalogForeignKey extends CatalogKey {
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
  onUpdate: ReferentialAction;
  onDelete: ReferentialAction;
}

export interface CatalogIndex {
  name: string;
  /** Key columns (or expressions) in index order. */
  columns: string[];
  /** Non-key INCLUDE columns (PostgreSQL). */
  include: string[];
  unique: boolean;
  /** Access method: btree, hash, gin (PostgreSQL); BTREE, HASH, FULLTEXT (MySQL). */
  method: string;
  /** WHERE clause of a partial index (PostgreSQL); null otherwise. */
  predicate: string | null;
}

export interface CatalogTable {
  schema: string;
  name: string;
  columns: CatalogColumn[];
  primaryKey: CatalogKey | null;
  uniques: CatalogKey[];
  foreignKeys: CatalogForeignKey[];
  /** Indexes that do not back a primary key or unique constraint (those are listed as constraints). */
  indexes: CatalogIndex[];
}

/** A foreign key with the table it belongs to, as readForeignKeys returns it. */
export interface TableForeignKey extends CatalogForeignKey {
  schema: string;
  table: string;
}
