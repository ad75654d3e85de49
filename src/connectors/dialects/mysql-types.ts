import type { Column, ValueClass } from '../../core/columns.js';
import { AUTO_INCREMENT, CURRENT_TIMESTAMP, isCurrentTimestamp, literalDefault } from '../../compare/logical-types.js';

/**
 * MySQL's and MariaDB's types, mapped once: to value classes (for rows read through the driver)
 * and to logical types and defaults (for the schema kind across engines). BOOLEAN is tinyint(1),
 * MariaDB's JSON is longtext with a json_valid check, and display widths (`bigint(20)`) carry no
 * meaning. docs/cross-engine.md has the table of pairs.
 */

/** MySQL protocol column type codes (include/mysql_com.h) mapped to canonical value classes. */
const CLASS_BY_TYPE: Record<number, ValueClass> = {
  0: 'decimal',
  246: 'decimal',
  1: 'integer',
  2: 'integer',
  3: 'integer',
  8: 'integer',
  9: 'integer',
  13: 'integer',
  4: 'float',
  5: 'float',
  7: 'timestamp',
  12: 'timestamp',
  10: 'date',
  14: 'date',
  11: 'time',
  245: 'json',
  15: 'text',
  253: 'text',
  254: 'text',
  247: 'text',
  248: 'text',
  249: 'text',
  250: 'text',
  251: 'text',
  252: 'text',
  16: 'bytes',
};
const TYPE_NAME: Record<number, string> = {
  0: 'DECIMAL',
  246: 'DECIMAL',
  1: 'TINYINT',
  2: 'SMALLINT',
  3: 'INT',
  8: 'BIGINT',
  9: 'MEDIUMINT',
  13: 'YEAR',
  4: 'FLOAT',
  5: 'DOUBLE',
  7: 'TIMESTAMP',
  12: 'DATETIME',
  10: 'DATE',
  11: 'TIME',
  245: 'JSON',
  15: 'VARCHAR',
  253: 'VARCHAR',
  254: 'CHAR',
  247: 'ENUM',
  248: 'SET',
  249: 'TINYBLOB',
  250: 'MEDIUMBLOB',
  251: 'LONGBLOB',
  252: 'BLOB',
  16: 'BIT',
};
const BINARY_CHARSET = 63;
const BLOB_TYPES = new Set([249, 250, 251, 252, 253, 254]);
const TINYINT = 1;

export interface MysqlField {
  name: string;
  columnType?: number;
  columnLength?: number;
  characterSet?: number;
  /** MariaDB's extended metadata: `json` for its JSON alias. */
  extendedFormat?: string;
  /** MariaDB's extended metadata: the data type plugin (`uuid`, `inet6`). */
  extendedTypeName?: string;
}

function classOf(field: MysqlField): { valueClass: ValueClass; engineType: string } {
  const type = field.columnType ?? -1;
  if (field.extendedFormat === 'json') return { valueClass: 'json', engineType: 'JSON' };
  if (field.extendedTypeName === 'uuid') return { valueClass: 'uuid', engineType: 'UUID' };
  if (BLOB_TYPES.has(type) && field.characterSet === BINARY_CHARSET) return { valueClass: 'bytes', engineType: 'BINARY' };
  // BOOLEAN is tinyint(1): a display width of one is how the engine marks it.
  if (type === TINYINT && field.columnLength === 1) return { valueClass: 'boolean', engineType: 'TINYINT(1)' };
  return { valueClass: CLASS_BY_TYPE[type] ?? 'other', engineType: TYPE_NAME[type] ?? `type ${type}` };
}

/** The columns of a result, from the driver's field descriptions. */
export function mysqlColumns(fields: ReadonlyArray<MysqlField>): Column[] {
  return fields.map((field) => ({ name: field.name, ...classOf(field) }));
}

const INTEGERS: Record<string, string> = {
  tinyint: 'tinyint',
  smallint: 'smallint',
  mediumint: 'mediumint',
  int: 'integer',
  integer: 'integer',
  bigint: 'bigint',
};

/** The logical type of a COLUMN_TYPE text; `json` when a json_valid check guards the column. */
export function mysqlLogicalType(type: string, jsonChecked: boolean): string {
  const lower = type.toLowerCase().trim();
  const args = /\(([^)]*)\)/.exec(lower)?.[1]?.replace(/\s+/g, '');
  const base = /^[a-z]+/.exec(lower)?.[0] ?? lower;
  const unsigned = /\bunsigned\b/.test(lower) ? ' unsigned' : '';
  if (base === 'tinyint' && args === '1' && !unsigned) return 'boolean';
  if (base in INTEGERS) return `${INTEGERS[base]}${unsigned}`;
  switch (base) {
    case 'bool':
    case 'boolean':
      return 'boolean';
    case 'decimal':
    case 'numeric':
      return args ? `decimal(${args.includes(',') ? args : `${args},0`})` : 'decimal(10,0)';
    case 'float':
      return 'real';
    case 'double':
    case 'real':
      return 'double';
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      return jsonChecked ? 'json' : 'text';
    case 'varchar':
      return `varchar(${args})`;
    case 'char':
      return args === '36' ? 'uuid' : `char(${args ?? '1'})`;
    case 'uuid':
      return 'uuid';
    case 'json':
      return 'json';
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
    case 'binary':
    case 'varbinary':
      return 'bytes';
    case 'date':
      return 'date';
    case 'time':
      return `time(${args ?? '0'})`;
    case 'datetime':
    case 'timestamp':
      return `timestamp(${args ?? '0'})`;
    case 'enum':
      return lower;
    default:
      return lower;
  }
}

/** The meaning of COLUMN_DEFAULT with EXTRA (auto_increment, on update current_timestamp). */
export function mysqlLogicalDefault(columnDefault: string | null, extra: string | null, logicalType: string): string | null {
  const extras = (extra ?? '')
    .toLowerCase()
    .replace(/\bdefault_generated\b/, '')
    .trim();
  if (/\bauto_increment\b/.test(extras)) return AUTO_INCREMENT;
  // MariaDB reports an explicit or implicit NULL default as the text NULL.
  const value = columnDefault === null || columnDefault === 'NULL' ? null : columnDefault.trim();
  let meaning: string | null = null;
  if (value !== null) {
    if (isCurrentTimestamp(value)) meaning = CURRENT_TIMESTAMP;
    else if (/^uuid\(\)$/i.test(value)) meaning = 'uuid()';
    else if (/^curdate\(\)$|^current_date(\(\))?$/i.test(value)) meaning = 'current_date';
    else meaning = literalDefault(value, logicalType);
  }
  const onUpdate = /on update (\S+)/.exec(extras)?.[1];
  if (onUpdate) return `${meaning ?? 'null'} on update ${isCurrentTimestamp(onUpdate) ? CURRENT_TIMESTAMP : onUpdate}`;
  return meaning;
}

/**
 * The driver decodes binary strings and blobs as latin1 text (one character per byte) and does
 * not tell its value parser the character set: rows are fixed up afterwards, binary columns to
 * lower-case hex, as canonical `bytes` values are.
 */
export function binaryToHex(columns: readonly Column[]): ((row: Array<string | null>) => void) | null {
  const binary = columns.flatMap((column, index) => (column.engineType === 'BINARY' ? [index] : []));
  if (binary.length === 0) return null;
  return (row) => {
    for (const index of binary) {
      const value = row[index];
      if (typeof value === 'string') row[index] = Buffer.from(value, 'latin1').toString('hex');
    }
  };
}
