import type { Column, ValueClass } from '../../core/columns.js';
import { AUTO_INCREMENT, CURRENT_TIMESTAMP, isCurrentTimestamp, literalDefault } from '../../compare/logical-types.js';

/**
 * PostgreSQL's types, mapped once: to value classes (for rows read through the driver, and for
 * catalog type names) and to logical types and defaults (for the schema kind across engines).
 * docs/cross-engine.md has the table of pairs.
 */

const CLASS_BY_OID: Record<number, ValueClass> = {
  16: 'boolean',
  17: 'bytes',
  20: 'integer',
  21: 'integer',
  23: 'integer',
  26: 'integer',
  700: 'float',
  701: 'float',
  1700: 'decimal',
  790: 'text',
  18: 'text',
  19: 'text',
  25: 'text',
  1042: 'text',
  1043: 'text',
  114: 'json',
  3802: 'json',
  1082: 'date',
  1083: 'time',
  1266: 'time',
  1114: 'timestamp',
  1184: 'timestamp',
  2950: 'uuid',
};

const TYPE_NAME_BY_OID: Record<number, string> = {
  16: 'boolean',
  17: 'bytea',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  26: 'oid',
  700: 'real',
  701: 'double precision',
  1700: 'numeric',
  790: 'money',
  18: 'char',
  19: 'name',
  25: 'text',
  1042: 'character',
  1043: 'character varying',
  114: 'json',
  3802: 'jsonb',
  1082: 'date',
  1083: 'time',
  1266: 'time with time zone',
  1114: 'timestamp',
  1184: 'timestamp with time zone',
  2950: 'uuid',
  1186: 'interval',
};

/** The columns of a result, from the driver's field descriptions (type OIDs). */
export function postgresColumns(fields: ReadonlyArray<{ name: string; dataTypeID: number }>): Column[] {
  return fields.map((field) => ({
    name: field.name,
    valueClass: CLASS_BY_OID[field.dataTypeID] ?? 'other',
    engineType: TYPE_NAME_BY_OID[field.dataTypeID] ?? `oid ${field.dataTypeID}`,
  }));
}

/** Prefix of the catalog type text of an enum column (`table.columns`): its values compare as text. */
export const ENUM_PREFIX = 'enum ';

/** The class a catalog type name gives, where the driver's OID alone cannot (enum types); else null. */
export function postgresCatalogClass(type: string): ValueClass | null {
  return type.startsWith(ENUM_PREFIX) ? 'text' : null;
}

/** The logical type of a `format_type` text; `enumLabels` is `'a','b'` for enum types, else null. */
export function postgresLogicalType(type: string, enumLabels: string | null): string {
  if (enumLabels !== null) return `enum(${enumLabels})`;
  const lower = type.toLowerCase().trim();
  const args = /\(([^)]*)\)/.exec(lower)?.[1]?.replace(/\s+/g, '');
  const base = lower
    .replace(/\([^)]*\)/, '')
    .replace(/\s+/g, ' ')
    .trim();
  switch (base) {
    case 'boolean':
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'real':
    case 'text':
    case 'uuid':
    case 'date':
      return base;
    case 'double precision':
      return 'double';
    case 'numeric':
      return args ? `decimal(${args.includes(',') ? args : `${args},0`})` : 'decimal';
    case 'character varying':
      return args ? `varchar(${args})` : 'text';
    case 'character':
      return args === '36' ? 'uuid' : `char(${args ?? '1'})`;
    case 'json':
    case 'jsonb':
      return 'json';
    case 'bytea':
      return 'bytes';
    case 'timestamp without time zone':
    case 'timestamp with time zone':
      return `timestamp(${args ?? '6'})`;
    case 'time without time zone':
    case 'time with time zone':
      return `time(${args ?? '6'})`;
    default:
      return lower;
  }
}

/** Casts PostgreSQL adds to defaults: `'new'::order_status`, `'x'::character varying(20)`. */
const CAST = /::[a-z_][a-z0-9_ ]*(\([\d, ]*\))?(\[\])?$/i;

/** The meaning of a default as `pg_get_expr` prints it (identity columns as their GENERATED text). */
export function postgresLogicalDefault(expression: string | null, logicalType: string): string | null {
  if (expression === null) return null;
  let text = expression.trim();
  if (/^nextval\(/i.test(text) || /^GENERATED (ALWAYS|BY DEFAULT) AS IDENTITY$/i.test(text)) return AUTO_INCREMENT;
  while (CAST.test(text)) text = text.replace(CAST, '').trim();
  while (/^\(.*\)$/s.test(text)) text = text.slice(1, -1).trim();
  if (isCurrentTimestamp(text)) return CURRENT_TIMESTAMP;
  if (/^gen_random_uuid\(\)$/i.test(text)) return 'uuid()';
  if (/^current_date$/i.test(text)) return 'current_date';
  if (/^'(?:[^']|'')*'$/s.test(text) || /^[+-]?\d*\.?\d+$/.test(text) || /^(true|false)$/i.test(text)) {
    return literalDefault(text, logicalType);
  }
  return text.toLowerCase();
}
