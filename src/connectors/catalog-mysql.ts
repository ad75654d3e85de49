import type { SampleError } from '../core/errors.js';
import { text, type ConstraintRow } from './catalog-rows.js';
import type { RawRow, ReadSession } from './database.js';
import { mysqlAccount, mysqlPermissionError, permissionError } from './permissions.js';

/**
 * Keys and foreign keys of MySQL/MariaDB schemas, read from what a `SELECT`-only role can see.
 *
 * MariaDB (10.11 at least) shows such a role no rows in information_schema.TABLE_CONSTRAINTS and
 * REFERENTIAL_CONSTRAINTS, while KEY_COLUMN_USAGE, STATISTICS and SHOW CREATE TABLE still show
 * every key of the tables it may read. So KEY_COLUMN_USAGE is the source of the keys (`PRIMARY`,
 * a referenced table means a foreign key, any other name a unique key); TABLE_CONSTRAINTS and
 * REFERENTIAL_CONSTRAINTS are used when visible, and SHOW CREATE TABLE otherwise gives the
 * referential actions. The read is then verified: every unique index of STATISTICS must be a key
 * of KEY_COLUMN_USAGE, and every foreign key of SHOW CREATE TABLE must be in KEY_COLUMN_USAGE;
 * anything else means the role cannot see everything, and that is a `permission` failure, never
 * "no constraints".
 */

// information_schema views are materialised per query in MariaDB and MySQL, so joining them in SQL
// grows with the square of the number of constraints; they are read one by one and joined here.
const KEY_COLUMNS = `
SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA IN (?)
ORDER BY 1, 2, 3, ORDINAL_POSITION`;

const TABLE_CONSTRAINTS = `
SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE
FROM information_schema.TABLE_CONSTRAINTS
WHERE TABLE_SCHEMA IN (?) AND CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')`;

const REFERENTIAL_CONSTRAINTS = `
SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA IN (?)`;

// Unique indexes on plain columns (an expression index has no COLUMN_NAME and no key entry).
const UNIQUE_INDEXES = `
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, MIN(CASE WHEN COLUMN_NAME IS NULL THEN 0 ELSE 1 END)
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA IN (?) AND NON_UNIQUE = 0
GROUP BY 1, 2, 3`;

const constraintId = (schema: string, table: string, name: string) => `${schema}\u0000${table}\u0000${name}`;
const rowId = (row: RawRow) => constraintId(text(row, 0), text(row, 1), text(row, 2));
const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const unquote = (name: string) => name.replaceAll('``', '`');

export interface ForeignKeyDefinition {
  name: string;
  onUpdate: string;
  onDelete: string;
}

const FOREIGN_KEY_LINE =
  /^\s*CONSTRAINT `((?:[^`]|``)+)` FOREIGN KEY \(.*?\) REFERENCES .*?\)((?: ON (?:DELETE|UPDATE) (?:RESTRICT|CASCADE|SET NULL|SET DEFAULT|NO ACTION))*),?$/gm;

/**
 * The foreign keys of one `SHOW CREATE TABLE` text with their actions. An action the server does
 * not print is its default, RESTRICT (what REFERENTIAL_CONSTRAINTS reports for it too).
 */
export function foreignKeysOfCreateTable(createTable: string): ForeignKeyDefinition[] {
  const found: ForeignKeyDefinition[] = [];
  for (const match of createTable.matchAll(FOREIGN_KEY_LINE)) {
    const actions = match[2] ?? '';
    found.push({
      name: unquote(match[1] ?? ''),
      onDelete: / ON DELETE (RESTRICT|CASCADE|SET NULL|SET DEFAULT|NO ACTION)/.exec(actions)?.[1] ?? 'RESTRICT',
      onUpdate: / ON UPDATE (RESTRICT|CASCADE|SET NULL|SET DEFAULT|NO ACTION)/.exec(actions)?.[1] ?? 'RESTRICT',
    });
  }
  return found;
}

/** The account the session logged in as, quoted for a GRANT (`'fidelity'@'%'`). */
async function account(session: ReadSession): Promise<string> {
  const { rows } = await session.query('SELECT CURRENT_USER()');
  return mysqlAccount(rows[0]?.[0] ?? '');
}

async function incomplete(session: ReadSession, schema: string, table: string, what: string): Promise<SampleError> {
  return permissionError(
    `${what} of ${schema}.${table} is not in information_schema.KEY_COLUMN_USAGE: the role cannot see every key`,
    `SELECT on ${schema}.${table}`,
    `GRANT SELECT ON ${quote(schema)}.* TO ${await account(session)};`,
  );
}

// Tables the account may read only column by column: information_schema then hides every key and
// foreign key on a column it was not granted, and STATISTICS hides the indexes too, so the
// cross-checks below cannot see the gap. Table, schema or global SELECT makes the table whole.
const COLUMN_ONLY_TABLES = `
SELECT DISTINCT c.TABLE_SCHEMA, c.TABLE_NAME
FROM information_schema.COLUMN_PRIVILEGES c
WHERE c.TABLE_SCHEMA IN (?) AND c.PRIVILEGE_TYPE = 'SELECT'
  AND NOT EXISTS (SELECT 1 FROM information_schema.TABLE_PRIVILEGES t
    WHERE t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.PRIVILEGE_TYPE = 'SELECT')
  AND NOT EXISTS (SELECT 1 FROM information_schema.SCHEMA_PRIVILEGES s
    WHERE c.TABLE_SCHEMA LIKE s.TABLE_SCHEMA AND s.PRIVILEGE_TYPE = 'SELECT')
  AND NOT EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES u WHERE u.PRIVILEGE_TYPE = 'SELECT')`;

/**
 * Fails with `permission` when a table of `schemas` (or only `table`) is readable column by column
 * only: its catalogue rows would be partial. Grants through a role are not listed in the
 * privilege views, so only an account without an active role is judged.
 */
export async function requireWholeTables(session: ReadSession, schemas: string[], table?: string): Promise<void> {
  const role = await session.query('SELECT CURRENT_ROLE()').catch(() => ({ rows: [] as RawRow[] }));
  const activeRole = role.rows[0]?.[0];
  if (activeRole && activeRole !== 'NONE') return;
  const partial = (await session.query(COLUMN_ONLY_TABLES, [schemas])).rows.find((row) => table === undefined || text(row, 1) === table);
  if (!partial) return;
  throw permissionError(
    `table ${text(partial, 0)}.${text(partial, 1)} is readable only column by column (column privileges), which hides some of its columns and keys`,
    `SELECT on ${text(partial, 0)}.${text(partial, 1)}`,
    `GRANT SELECT ON ${quote(text(partial, 0))}.* TO ${await account(session)};`,
  );
}

export async function mysqlConstraintRows(session: ReadSession, schemas: string[]): Promise<ConstraintRow[]> {
  await requireWholeTables(session, schemas);
  const keyColumns = (await session.query(KEY_COLUMNS, [schemas])).rows;
  const types = new Map((await session.query(TABLE_CONSTRAINTS, [schemas])).rows.map((row) => [rowId(row), text(row, 3)]));
  const rules = new Map(
    (await session.query(REFERENTIAL_CONSTRAINTS, [schemas])).rows.map((row) => [rowId(row), [text(row, 3), text(row, 4)] as const]),
  );

  const rows: ConstraintRow[] = keyColumns.map((row) => {
    const name = text(row, 2);
    const declared = types.get(rowId(row));
    const type: ConstraintRow['type'] =
      declared === 'PRIMARY KEY' || (!declared && name === 'PRIMARY')
        ? 'primary_key'
        : declared === 'FOREIGN KEY' || (!declared && row[5] !== null && row[5] !== undefined)
          ? 'foreign_key'
          : 'unique';
    return {
      schema: text(row, 0),
      table: text(row, 1),
      name,
      type,
      column: text(row, 3),
      referencedSchema: text(row, 4),
      referencedTable: text(row, 5),
      referencedColumn: text(row, 6),
      onUpdate: '',
      onDelete: '',
    };
  });
  const keys = new Set(rows.map((row) => constraintId(row.schema, row.table, row.name)));

  // Every unique index is a primary or unique key; one the key columns do not list was hidden.
  for (const row of (await session.query(UNIQUE_INDEXES, [schemas])).rows) {
    if (row[3] !== '1' || keys.has(rowId(row))) continue;
    throw await incomplete(session, text(row, 0), text(row, 1), `unique index ${text(row, 2)}`);
  }

  // Referential actions: REFERENTIAL_CONSTRAINTS when it shows them, else SHOW CREATE TABLE,
  // which also tells whether KEY_COLUMN_USAGE listed every foreign key of the table.
  const withoutRules = new Map<string, { schema: string; table: string }>();
  for (const row of rows) {
    if (row.type !== 'foreign_key') continue;
    const rule = rules.get(constraintId(row.schema, row.table, row.name));
    if (rule) [row.onUpdate, row.onDelete] = rule;
    else withoutRules.set(`${row.schema}\u0000${row.table}`, { schema: row.schema, table: row.table });
  }
  for (const { schema, table } of withoutRules.values()) {
    const created = await session.query(`SHOW CREATE TABLE ${quote(schema)}.${quote(table)}`);
    const definitions = foreignKeysOfCreateTable(text(created.rows[0] ?? [], 1));
    for (const definition of definitions) {
      if (!keys.has(constraintId(schema, table, definition.name)))
        throw await incomplete(session, schema, table, `foreign key ${definition.name}`);
      for (const row of rows) {
        if (row.schema !== schema || row.table !== table || row.name !== definition.name || row.type !== 'foreign_key') continue;
        row.onUpdate = definition.onUpdate;
        row.onDelete = definition.onDelete;
      }
    }
  }
  return rows;
}

/**
 * information_schema hides a table the role has no privilege on, as if it did not exist. For
 * tables expected on this side (configured, or present on the other side), a zero-row read tells
 * the two apart: "no such table" is a real absence, a privilege error becomes `permission`.
 */
export async function probeHiddenTables(session: ReadSession, schema: string | undefined, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    try {
      await session.query(`SELECT 1 FROM ${schema === undefined ? '' : `${quote(schema)}.`}${quote(table)} LIMIT 0`);
    } catch (error) {
      const { errno, message } = error as { errno?: number; message?: string };
      const denied = mysqlPermissionError(errno, message ?? String(error));
      if (denied) throw denied;
      if (errno !== 1146) throw error;
    }
  }
}
