import type { CatalogColumn, CatalogForeignKey, CatalogIndex, CatalogKey, CatalogTable, ReferentialAction } from '../core/catalog.js';
import { logicalMethod } from './logical-types.js';

/**
 * Schema comparison: two catalog snapshots in, a list of differences out, each one sentence a
 * person can act on ("staging lacks index orders_created_at_idx on orders (created_at)").
 * Pure; the catalogs are read by connectors/catalog.ts.
 */

export const schemaObjects = [
  'table',
  'column',
  'type',
  'nullability',
  'default',
  'primary_key',
  'unique',
  'foreign_key',
  'index',
] as const;
export type SchemaObject = (typeof schemaObjects)[number];

export interface SchemaDifference {
  object: SchemaObject;
  /** missing: only on the baseline; extra: only on the candidate; changed: on both, different. */
  change: 'missing' | 'extra' | 'changed';
  /** The table (qualified by its schema when several schemas are compared). */
  table: string;
  /** The object's own name: column, constraint or index; the table name for tables. */
  name: string;
  baseline?: string;
  candidate?: string;
  message: string;
}

export interface SchemaComparison {
  differences: SchemaDifference[];
  counts: Record<SchemaObject, number>;
  /** How many objects of each type the baseline has within the compared tables. */
  compared: { tables: number; columns: number; constraints: number; indexes: number };
}

export interface SchemaCompareOptions {
  baselineName: string;
  candidateName: string;
  /** Name tables as schema.table (needed when several schemas are compared). */
  qualify: boolean;
  /** Object types left out of the comparison. */
  ignore?: readonly SchemaObject[];
  /**
   * When true (default), an index or constraint that exists on both sides with the same definition
   * but another name is a difference; when false, it counts as the same object.
   */
  matchNames?: boolean;
  /**
   * Compare the logical schema (sides of different engines): logical types and the meaning of
   * defaults instead of their spelling, index methods without case, and foreign key actions by
   * effect (RESTRICT as NO ACTION, which is the default and not shown).
   */
  logical?: boolean;
}

function list(columns: readonly string[]): string {
  return `(${columns.join(', ')})`;
}

function describeIndex(index: CatalogIndex, logical: boolean): string {
  const method = logical ? logicalMethod(index.method) : index.method;
  const parts = [`${index.unique ? 'unique ' : ''}${method} ${list(index.columns)}`];
  if (index.include.length > 0) parts.push(`include ${list(index.include)}`);
  if (index.predicate) parts.push(`where ${index.predicate}`);
  return parts.join(' ');
}

/** Pairs objects by name first, then the rest by definition; returns pairs and leftovers. */
function match<T extends { name: string }>(
  baseline: readonly T[],
  candidate: readonly T[],
  signature: (item: T) => string,
): { pairs: [T, T][]; missing: T[]; extra: T[] } {
  const candidateByName = new Map(candidate.map((item) => [item.name, item]));
  const pairs: [T, T][] = [];
  const unpairedBaseline: T[] = [];
  const used = new Set<T>();
  for (const item of baseline) {
    const other = candidateByName.get(item.name);
    if (other && !used.has(other)) {
      pairs.push([item, other]);
      used.add(other);
    } else unpairedBaseline.push(item);
  }
  const unpairedCandidate = candidate.filter((item) => !used.has(item));
  const missing: T[] = [];
  for (const item of unpairedBaseline) {
    const other = unpairedCandidate.find((candidateItem) => !used.has(candidateItem) && signature(candidateItem) === signature(item));
    if (other) {
      pairs.push([item, other]);
      used.add(other);
    } else missing.push(item);
  }
  return { pairs, missing, extra: unpairedCandidate.filter((item) => !used.has(item)) };
}

const zeroCounts = (): Record<SchemaObject, number> =>
  Object.fromEntries(schemaObjects.map((object) => [object, 0])) as Record<SchemaObject, number>;

/** What every step of one comparison needs: the options read once, and where differences go. */
interface SchemaContext {
  base: string;
  cand: string;
  qualify: boolean;
  logical: boolean;
  matchNames: boolean;
  add: (difference: SchemaDifference) => void;
}

function typeOf(context: SchemaContext, column: CatalogColumn): string {
  return context.logical ? (column.logical?.type ?? column.type) : column.type;
}

function defaultOf(context: SchemaContext, column: CatalogColumn): string | null {
  return context.logical ? (column.logical?.default ?? null) : column.default;
}

// InnoDB treats RESTRICT and NO ACTION alike, and so does PostgreSQL for a constraint that is not deferred.
function effect(context: SchemaContext, action: ReferentialAction): ReferentialAction | 'NO ACTION' {
  return context.logical && action === 'RESTRICT' ? 'NO ACTION' : action;
}

function tableNameOf(context: SchemaContext, table: CatalogTable): string {
  return context.qualify ? `${table.schema}.${table.name}` : table.name;
}

// A referenced table in the same schema is named without it, so `shop` and `shop_staging` compare equal.
function referenced(table: CatalogTable, key: CatalogForeignKey): string {
  return `${key.referencedSchema === table.schema ? key.referencedTable : `${key.referencedSchema}.${key.referencedTable}`}${list(key.referencedColumns)}`;
}

export function compareSchemas(
  baseline: readonly CatalogTable[],
  candidate: readonly CatalogTable[],
  options: SchemaCompareOptions,
): SchemaComparison {
  const ignored = new Set(options.ignore ?? []);
  const differences: SchemaDifference[] = [];
  const context: SchemaContext = {
    base: options.baselineName,
    cand: options.candidateName,
    qualify: options.qualify,
    logical: options.logical ?? false,
    matchNames: options.matchNames ?? true,
    add: (difference) => {
      if (!ignored.has(difference.object)) differences.push(difference);
    },
  };
  const compared = compareTables(context, baseline, candidate);
  const counts = zeroCounts();
  for (const difference of differences) counts[difference.object] += 1;
  return { differences, counts, compared };
}

/** Pairs tables by name, compares each pair, reports tables on one side only; returns what was compared. */
function compareTables(
  context: SchemaContext,
  baseline: readonly CatalogTable[],
  candidate: readonly CatalogTable[],
): SchemaComparison['compared'] {
  const { base, cand, add } = context;
  const compared = { tables: 0, columns: 0, constraints: 0, indexes: 0 };
  const candidateTables = new Map(candidate.map((table) => [tableNameOf(context, table), table]));
  const baselineNames = new Set(baseline.map((table) => tableNameOf(context, table)));
  for (const table of baseline) {
    const name = tableNameOf(context, table);
    compared.tables += 1;
    const other = candidateTables.get(name);
    if (!other) {
      add({ object: 'table', change: 'missing', table: name, name, message: `${cand} lacks table ${name}` });
      continue;
    }
    compared.columns += table.columns.length;
    compared.constraints += (table.primaryKey ? 1 : 0) + table.uniques.length + table.foreignKeys.length;
    compared.indexes += table.indexes.length;
    compareColumns(context, table, other, name);
    compareKeys(context, table, other, name);
    compareIndexes(context, table, other, name);
  }
  for (const table of candidate) {
    const name = tableNameOf(context, table);
    if (!baselineNames.has(name))
      add({ object: 'table', change: 'extra', table: name, name, message: `${cand} has table ${name}, which ${base} lacks` });
  }
  return compared;
}

function compareColumns(context: SchemaContext, table: CatalogTable, other: CatalogTable, name: string): void {
  const { base, cand, add } = context;
  const otherColumns = new Map(other.columns.map((column) => [column.name, column]));
  for (const column of table.columns) {
    const peer = otherColumns.get(column.name);
    if (!peer) {
      add({
        object: 'column',
        change: 'missing',
        table: name,
        name: column.name,
        baseline: typeOf(context, column),
        message: `${cand} lacks column ${name}.${column.name}`,
      });
      continue;
    }
    compareColumn(context, column, peer, name);
  }
  const names = new Set(table.columns.map((column) => column.name));
  for (const column of other.columns) {
    if (!names.has(column.name)) {
      add({
        object: 'column',
        change: 'extra',
        table: name,
        name: column.name,
        candidate: typeOf(context, column),
        message: `${cand} has column ${name}.${column.name}, which ${base} lacks`,
      });
    }
  }
}

/** One column present on both sides: its type, nullability and default. */
function compareColumn(context: SchemaContext, column: CatalogColumn, peer: CatalogColumn, name: string): void {
  const { base, cand, add } = context;
  const at = `${name}.${column.name}`;
  const [type, peerType] = [typeOf(context, column), typeOf(context, peer)];
  if (type !== peerType) {
    add({
      object: 'type',
      change: 'changed',
      table: name,
      name: column.name,
      baseline: type,
      candidate: peerType,
      message: `column ${at} has type ${type} on ${base}, ${peerType} on ${cand}`,
    });
  }
  if (column.nullable !== peer.nullable) {
    const word = (nullable: boolean) => (nullable ? 'NULL' : 'NOT NULL');
    add({
      object: 'nullability',
      change: 'changed',
      table: name,
      name: column.name,
      baseline: word(column.nullable),
      candidate: word(peer.nullable),
      message: `column ${at} is ${word(column.nullable)} on ${base}, ${word(peer.nullable)} on ${cand}`,
    });
  }
  const [value, peerValue] = [defaultOf(context, column), defaultOf(context, peer)];
  if (value !== peerValue) {
    const shown = (text: string | null) => (text === null ? 'no default' : `default ${text}`);
    add({
      object: 'default',
      change: 'changed',
      table: name,
      name: column.name,
      ...(value !== null ? { baseline: value } : {}),
      ...(peerValue !== null ? { candidate: peerValue } : {}),
      message: `column ${at} has ${shown(value)} on ${base}, ${shown(peerValue)} on ${cand}`,
    });
  }
}

function compareKeys(context: SchemaContext, table: CatalogTable, other: CatalogTable, name: string): void {
  comparePrimaryKeys(context, table, other, name);
  const sides = { baselineTable: table, candidateTable: other, table: name };
  compareNamed<CatalogKey>(context, 'unique', 'unique constraint', sides, table.uniques, other.uniques, (key) => list(key.columns));
  compareNamed<CatalogForeignKey>(context, 'foreign_key', 'foreign key', sides, table.foreignKeys, other.foreignKeys, (key, owner) => {
    const actions = [
      effect(context, key.onUpdate) !== 'NO ACTION' ? ` on update ${key.onUpdate}` : '',
      effect(context, key.onDelete) !== 'NO ACTION' ? ` on delete ${key.onDelete}` : '',
    ].join('');
    return `${list(key.columns)} references ${referenced(owner, key)}${actions}`;
  });
}

function comparePrimaryKeys(context: SchemaContext, table: CatalogTable, other: CatalogTable, name: string): void {
  const { base, cand, add } = context;
  const pk = table.primaryKey;
  const otherPk = other.primaryKey;
  if (pk && !otherPk) {
    add({
      object: 'primary_key',
      change: 'missing',
      table: name,
      name: pk.name,
      baseline: list(pk.columns),
      message: `${cand} lacks the primary key ${list(pk.columns)} of ${name}`,
    });
  } else if (!pk && otherPk) {
    add({
      object: 'primary_key',
      change: 'extra',
      table: name,
      name: otherPk.name,
      candidate: list(otherPk.columns),
      message: `${cand} has a primary key ${list(otherPk.columns)} on ${name}, which ${base} lacks`,
    });
  } else if (pk && otherPk && list(pk.columns) !== list(otherPk.columns)) {
    add({
      object: 'primary_key',
      change: 'changed',
      table: name,
      name: pk.name,
      baseline: list(pk.columns),
      candidate: list(otherPk.columns),
      message: `primary key of ${name} is ${list(pk.columns)} on ${base}, ${list(otherPk.columns)} on ${cand}`,
    });
  }
}

function compareIndexes(context: SchemaContext, table: CatalogTable, other: CatalogTable, name: string): void {
  const sides = { baselineTable: table, candidateTable: other, table: name };
  compareNamed<CatalogIndex>(context, 'index', 'index', sides, table.indexes, other.indexes, (index) =>
    describeIndex(index, context.logical),
  );
}

/** The two tables whose named objects are compared, and the name differences are reported under. */
interface TablePair {
  baselineTable: CatalogTable;
  candidateTable: CatalogTable;
  table: string;
}

function compareNamed<T extends { name: string }>(
  context: SchemaContext,
  object: SchemaObject,
  word: string,
  { baselineTable, candidateTable, table }: TablePair,
  baselineItems: readonly T[],
  candidateItems: readonly T[],
  define: (item: T, owner: CatalogTable) => string,
): void {
  const { base, cand, add } = context;
  // Each side's objects are described relative to their own table (its schema may be named differently).
  const owners = new Map<T, CatalogTable>([
    ...baselineItems.map((item): [T, CatalogTable] => [item, baselineTable]),
    ...candidateItems.map((item): [T, CatalogTable] => [item, candidateTable]),
  ]);
  const definition = (item: T) => define(item, owners.get(item) ?? baselineTable);
  const { pairs, missing, extra } = match(baselineItems, candidateItems, definition);
  for (const item of missing) {
    add({
      object,
      change: 'missing',
      table,
      name: item.name,
      baseline: definition(item),
      message: `${cand} lacks ${word} ${item.name} on ${table} ${definition(item)}`,
    });
  }
  for (const item of extra) {
    add({
      object,
      change: 'extra',
      table,
      name: item.name,
      candidate: definition(item),
      message: `${cand} has ${word} ${item.name} on ${table} ${definition(item)}, which ${base} lacks`,
    });
  }
  for (const [item, peer] of pairs) {
    if (definition(item) !== definition(peer)) {
      add({
        object,
        change: 'changed',
        table,
        name: item.name,
        baseline: definition(item),
        candidate: definition(peer),
        message: `${word} ${item.name} on ${table} is ${definition(item)} on ${base}, ${definition(peer)} on ${cand}`,
      });
    } else if (item.name !== peer.name && context.matchNames) {
      add({
        object,
        change: 'changed',
        table,
        name: item.name,
        baseline: item.name,
        candidate: peer.name,
        message: `${word} ${item.name} on ${table} is named ${peer.name} on ${cand}`,
      });
    }
  }
}
