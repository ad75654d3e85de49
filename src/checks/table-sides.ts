import { type ValueClass } from '../core/columns.js';
import { comparisonClass, KEY_CLASSES, portableClass, rowByRowClass } from '../compare/rowtext.js';
import type { ReadSession, RawRow } from '../connectors/database.js';
import type { Dialect } from '../connectors/dialects/dialect.js';
import {
  catalog,
  parseTableName,
  TableSql,
  type RowHash,
  type SideColumn,
  type Statement,
  type TableName,
} from '../connectors/table-sql.js';
import { type Engine } from '../core/engines.js';
import type { SampleContext } from './check.js';
import type { DatabaseHandle } from '../connectors/handle.js';
import { SampleError } from '../core/errors.js';
import type { Role, TableCheck } from './table-options.js';

/** The `table` kind's view of one side: catalog facts, the compared columns, its SQL and its busy time. */

export interface CatalogColumn {
  name: string;
  type: string;
  collation: string;
  valueClass: ValueClass;
}

export interface SideInfo {
  side: string;
  engine: Engine;
  dialect: Dialect;
  table: TableName;
  tableText: string;
  columns: Map<string, CatalogColumn>;
  order: string[];
  estimatedRows: number;
  defaultCollation: string;
  uniqueSets: string[][];
  md5: boolean;
}

/** Wall time during which a side had at least one statement running. */
export class BusyClock {
  private active = 0;
  private since = 0;
  ms = 0;
  statements = 0;

  async time<T>(work: () => Promise<T>): Promise<T> {
    if (this.active === 0) this.since = performance.now();
    this.active += 1;
    this.statements += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      if (this.active === 0) this.ms += performance.now() - this.since;
    }
  }
}

export interface Side {
  role: Role;
  info: SideInfo;
  db: DatabaseHandle;
  sql: TableSql;
  clock: BusyClock;
}

export async function run(session: ReadSession, clock: BusyClock, statement: Statement): Promise<RawRow[]> {
  return clock.time(async () => (await session.query(statement.sql, statement.params)).rows);
}

/** Per-transaction settings the engine wants for checksum and row statements (TableDialect.tuning). */
export async function tune(session: ReadSession, dialect: Dialect): Promise<ReadSession> {
  for (const setting of dialect.table.tuning) await session.query(setting);
  return session;
}

export function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

export async function describeSide(context: SampleContext, check: TableCheck, side: string, wantMd5: boolean): Promise<SideInfo> {
  const db = context.database(side, check.database);
  const tableText = check.table_per_side[side] ?? check.table;
  const table = parseTableName(tableText);
  const { engine, dialect } = db;
  return db.readOnly(async (session) => {
    const ask = async (statement: Statement) => (await session.query(statement.sql, statement.params)).rows;
    // A table readable column by column only would be compared on the columns the role sees.
    await dialect.table.requireWholeTable?.(session, table);
    const columnRows = await ask(dialect.table.columns(table));
    if (columnRows.length === 0) {
      // information_schema hides a table the role may not read: tell that from a missing table.
      await dialect.probeHiddenTables?.(session, table.schema, [table.name]);
      throw new SampleError('query', `table "${tableText}" does not exist on side "${side}" (database "${check.database}")`);
    }
    const order = columnRows.map((row) => text(row[0]));
    const probe = catalog.probe(engine, table, order);
    const { columns: classes } = await session.query(probe.sql, probe.params);
    const columns = new Map<string, CatalogColumn>();
    columnRows.forEach((row, index) => {
      const name = text(row[0]);
      const type = text(row[1]);
      const valueClass = dialect.types.catalogClass(type) ?? classes[index]?.valueClass ?? 'other';
      columns.set(name, { name, type, collation: text(row[2]), valueClass });
    });
    const facts = (await ask(dialect.table.facts(table)))[0] ?? [];
    const unsupported = dialect.table.checksumProblem(Number(facts[2] ?? 0), side);
    if (unsupported) throw new SampleError('query', unsupported);
    const indexRows = await ask(dialect.table.uniqueIndexes(table));
    const indexes = new Map<string, string[]>();
    for (const row of indexRows) indexes.set(text(row[0]), [...(indexes.get(text(row[0])) ?? []), text(row[1])]);
    let md5 = false;
    if (wantMd5) {
      // Last statement of the transaction: where FIPS mode refuses md5 the error ends it harmlessly.
      try {
        await session.query(dialect.table.md5Works().sql);
        md5 = true;
      } catch {
        md5 = false;
      }
    }
    return {
      side,
      engine,
      dialect,
      table,
      tableText,
      columns,
      order,
      estimatedRows: Number(facts[0] ?? 0) || 0,
      defaultCollation: text(facts[1]),
      uniqueSets: [...indexes.values()],
      md5,
    };
  });
}

export interface ColumnPlan {
  keyNames: string[];
  valueNames: string[];
  keyClasses: ValueClass[];
  valueClasses: ValueClass[];
  sameTypes: boolean;
  /** Some column has no checksum text both engines write (json across engines): rows are merged one by one. */
  rowByRow: boolean;
}

export function planColumns(check: TableCheck, a: SideInfo, b: SideInfo): ColumnPlan {
  const where = (info: SideInfo) => `table "${info.tableText}" on side "${info.side}"`;
  for (const info of [a, b]) {
    for (const key of check.key) {
      if (!info.columns.has(key)) throw new SampleError('config', `key column "${key}" does not exist in ${where(info)}`);
    }
    if (check.filter && !info.columns.has(check.filter.column)) {
      throw new SampleError('config', `filter column "${check.filter.column}" does not exist in ${where(info)}`);
    }
  }
  const ignored = new Set([...check.ignore_columns, ...check.key]);
  let valueNames: string[];
  if (check.columns) {
    valueNames = check.columns.filter((name) => !ignored.has(name));
    for (const info of [a, b]) {
      for (const name of valueNames)
        if (!info.columns.has(name)) throw new SampleError('config', `column "${name}" does not exist in ${where(info)}`);
    }
  } else {
    valueNames = a.order.filter((name) => !ignored.has(name));
    const missing = valueNames.filter((name) => !b.columns.has(name));
    const extra = b.order.filter((name) => !ignored.has(name) && !a.columns.has(name));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [...missing.map((name) => `"${name}" only in ${where(a)}`), ...extra.map((name) => `"${name}" only in ${where(b)}`)];
      throw new SampleError('config', `columns differ: ${parts.join('; ')} (list them in ignore_columns to compare the rest)`);
    }
  }
  const crossEngine = a.dialect !== b.dialect;
  let sameTypes = !crossEngine;
  let rowByRow = false;
  const classOf = (name: string, isKey: boolean): ValueClass => {
    const x = a.columns.get(name) as CatalogColumn;
    const y = b.columns.get(name) as CatalogColumn;
    const valueClass = comparisonClass(x.valueClass, y.valueClass);
    if (valueClass === null) {
      throw new SampleError('config', `column "${name}" has incompatible types: ${x.type} on "${a.side}", ${y.type} on "${b.side}"`);
    }
    if (crossEngine && !portableClass(valueClass) && !isKey && rowByRowClass(valueClass)) rowByRow = true;
    else if (crossEngine && !portableClass(valueClass)) {
      throw new SampleError(
        'config',
        `column "${name}" (${x.type} on "${a.side}", ${y.type} on "${b.side}") cannot be compared across engines; list it in ignore_columns`,
      );
    }
    if (isKey && !KEY_CLASSES.has(valueClass)) {
      throw new SampleError(
        'config',
        `key column "${name}" has type ${x.type}; keys must be integer, decimal, text, uuid, date, time or timestamp columns`,
      );
    }
    if (x.type.toLowerCase() !== y.type.toLowerCase()) sameTypes = false;
    return valueClass;
  };
  const keyClasses = check.key.map((name) => classOf(name, true));
  const valueClasses = valueNames.map((name) => classOf(name, false));
  return { keyNames: check.key, valueNames, keyClasses, valueClasses, sameTypes, rowByRow };
}

export function chooseHash(check: TableCheck, a: SideInfo, b: SideInfo, plan: ColumnPlan): RowHash {
  const nativePossible = a.dialect === b.dialect && a.dialect.table.nativeRowHash !== undefined && plan.sameTypes;
  if (check.hash === 'native') {
    if (!nativePossible) {
      throw new SampleError(
        'config',
        'hash "native" needs PostgreSQL on both sides with the same column types; use "auto", "md5" or "sha256"',
      );
    }
    return 'native';
  }
  if (check.hash === 'md5' || check.hash === 'sha256') return check.hash;
  if (nativePossible) return 'native';
  return a.md5 && b.md5 ? 'md5' : 'sha256';
}

export function sideSql(
  info: SideInfo,
  plan: ColumnPlan,
  hash: RowHash,
  cutoff: string | undefined,
  filterColumn: string | undefined,
): TableSql {
  const column = (name: string, valueClass: ValueClass): SideColumn => {
    const catalogColumn = info.columns.get(name) as CatalogColumn;
    return { name, valueClass, engineType: catalogColumn.type, collation: catalogColumn.collation };
  };
  return new TableSql({
    engine: info.engine,
    table: info.table,
    key: plan.keyNames.map((name, i) => column(name, plan.keyClasses[i] ?? 'text')),
    values: plan.valueNames.map((name, i) => column(name, plan.valueClasses[i] ?? 'text')),
    hash,
    ...(cutoff && filterColumn ? { filter: { column: filterColumn, cutoff } } : {}),
    defaultCollation: info.defaultCollation,
  });
}

export function utcText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Throws when the key is not unique on the side: free with a unique index, one GROUP BY without. */
export async function checkUniqueKey(side: Side, key: string[]): Promise<void> {
  const covered = side.info.uniqueSets.some((columns) => columns.length > 0 && columns.every((column) => key.includes(column)));
  if (covered) return;
  const duplicate = await side.db.readOnly((session) => run(session, side.clock, side.sql.duplicateKey()));
  const row = duplicate[0];
  if (row) {
    const example = key.map((name, i) => `${name}=${text(row[i])}`).join(', ');
    throw new SampleError(
      'config',
      `key (${key.join(', ')}) is not unique in table "${side.info.tableText}" on side "${side.info.side}": ${example} appears ${text(row[key.length])} times`,
    );
  }
}
