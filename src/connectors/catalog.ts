import type { CatalogForeignKey, CatalogIndex, CatalogKey, CatalogTable, ReferentialAction, TableForeignKey } from '../core/catalog.js';
import type { ReadSession } from './database.js';
import { text, type ConstraintRow } from './catalog-rows.js';
import { dialectOf } from './dialects/index.js';
import { type Engine } from '../core/engines.js';

/**
 * Catalog reads: tables, columns, keys, foreign keys and indexes of chosen schemas, with the
 * statements of each engine's dialect (CatalogDialect). I/O only: the rows are grouped into one
 * engine-neutral shape; comparing them is compare/schema.ts's job.
 * Every statement is a small catalog SELECT run inside the caller's read-only session.
 */

/** A referential action as the dialects report it (SQL words); anything else reads as NO ACTION. */
function action(raw: string | null | undefined): ReferentialAction {
  const upper = (raw ?? '').trim().toUpperCase();
  return (['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'] as const).find((known) => known === upper) ?? 'NO ACTION';
}

function tableId(schema: string, table: string): string {
  return `${schema}\u0000${table}`;
}

/** The schema a check reads when none is configured: PostgreSQL current_schema(), MySQL DATABASE(). */
export async function defaultSchemas(session: ReadSession, engine: Engine): Promise<string[]> {
  const catalog = dialectOf(engine).catalog;
  const { rows } = await session.query(catalog.currentSchema);
  const schema = rows[0]?.[0];
  if (schema) return [schema];
  await catalog.noCurrentSchema?.(session);
  return [];
}

function constraintRows(session: ReadSession, engine: Engine, schemas: string[]): Promise<ConstraintRow[]> {
  return dialectOf(engine).catalog.constraintRows(session, schemas);
}

interface GroupedConstraints {
  primaryKey: Map<string, CatalogKey>;
  uniques: Map<string, CatalogKey[]>;
  foreignKeys: Map<string, CatalogForeignKey[]>;
}

function groupConstraints(rows: ConstraintRow[]): GroupedConstraints {
  const grouped: GroupedConstraints = { primaryKey: new Map(), uniques: new Map(), foreignKeys: new Map() };
  const byName = new Map<string, CatalogKey | CatalogForeignKey>();
  for (const row of rows) {
    const table = tableId(row.schema, row.table);
    const id = `${table}\u0000${row.type}\u0000${row.name}`;
    const existing = byName.get(id);
    if (existing) {
      existing.columns.push(row.column);
      if ('referencedColumns' in existing) existing.referencedColumns.push(row.referencedColumn);
      continue;
    }
    if (row.type === 'primary_key') {
      const key: CatalogKey = { name: row.name, columns: [row.column] };
      grouped.primaryKey.set(table, key);
      byName.set(id, key);
    } else if (row.type === 'unique') {
      const key: CatalogKey = { name: row.name, columns: [row.column] };
      grouped.uniques.set(table, [...(grouped.uniques.get(table) ?? []), key]);
      byName.set(id, key);
    } else {
      const key: CatalogForeignKey = {
        name: row.name,
        columns: [row.column],
        referencedSchema: row.referencedSchema,
        referencedTable: row.referencedTable,
        referencedColumns: [row.referencedColumn],
        onUpdate: action(row.onUpdate),
        onDelete: action(row.onDelete),
      };
      grouped.foreignKeys.set(table, [...(grouped.foreignKeys.get(table) ?? []), key]);
      byName.set(id, key);
    }
  }
  return grouped;
}

/**
 * Reads every base table of `schemas` with its columns, keys and indexes. Tables come back
 * sorted by schema and name; columns in their declared order.
 */
export async function readCatalog(session: ReadSession, engine: Engine, schemas: string[]): Promise<CatalogTable[]> {
  if (schemas.length === 0) return [];
  const catalog = dialectOf(engine).catalog;
  const tablesResult = await session.query(catalog.tables, [schemas]);
  const tables = new Map<string, CatalogTable>();
  for (const row of tablesResult.rows) {
    const table: CatalogTable = {
      schema: text(row, 0),
      name: text(row, 1),
      columns: [],
      primaryKey: null,
      uniques: [],
      foreignKeys: [],
      indexes: [],
    };
    tables.set(tableId(table.schema, table.name), table);
  }

  const columns = await session.query(catalog.columns, [schemas]);
  for (const row of columns.rows) {
    const table = tables.get(tableId(text(row, 0), text(row, 1)));
    if (!table) continue; // a view's columns (information_schema lists them too)
    table.columns.push({
      name: text(row, 2),
      type: text(row, 3),
      nullable: row[4] === 't',
      default: catalog.columnDefault(row),
      logical: catalog.logicalColumn(row),
    });
  }

  const constraints = groupConstraints(await constraintRows(session, engine, schemas));
  for (const [id, table] of tables) {
    table.primaryKey = constraints.primaryKey.get(id) ?? null;
    table.uniques = constraints.uniques.get(id) ?? [];
    table.foreignKeys = constraints.foreignKeys.get(id) ?? [];
  }

  const indexes = await session.query(catalog.indexes, [schemas]);
  const indexByName = new Map<string, CatalogIndex>();
  for (const row of indexes.rows) {
    const id = tableId(text(row, 0), text(row, 1));
    const table = tables.get(id);
    if (!table) continue;
    const name = text(row, 2);
    // Indexes behind PRIMARY KEY and UNIQUE constraints are compared as constraints.
    if (catalog.listsConstraintIndexes && (name === table.primaryKey?.name || table.uniques.some((unique) => unique.name === name)))
      continue;
    const indexId = `${id}\u0000${name}`;
    const entry = catalog.indexEntry(row);
    let index = indexByName.get(indexId);
    if (!index) {
      index = { name, columns: [], include: [], unique: row[3] === 't', method: text(row, 4), predicate: entry.predicate };
      indexByName.set(indexId, index);
      table.indexes.push(index);
    }
    (entry.include ? index.include : index.columns).push(entry.column);
  }
  return [...tables.values()];
}

/**
 * Declared foreign keys of `schemas`, one entry per constraint with its columns in order:
 * parent/child relations for checks that follow references (orphan rows, say).
 */
export async function readForeignKeys(session: ReadSession, engine: Engine, schemas: string[]): Promise<TableForeignKey[]> {
  if (schemas.length === 0) return [];
  const grouped = groupConstraints((await constraintRows(session, engine, schemas)).filter((row) => row.type === 'foreign_key'));
  const result: TableForeignKey[] = [];
  for (const [id, keys] of grouped.foreignKeys) {
    const [schema = '', table = ''] = id.split('\u0000');
    for (const key of keys) result.push({ schema, table, ...key });
  }
  return result;
}
