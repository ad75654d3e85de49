import { canonicalDecimal } from './canonical.js';

/**
 * The engine-neutral vocabulary of column types, shared by the dialects' type mappings
 * (connectors/dialects/*-types.ts) and the schema comparison across engines. A logical type is
 * a short text: `boolean`, `smallint`, `integer`, `bigint` (` unsigned` appended where the engine
 * has it), `decimal(p,s)`, `real`, `double`, `text`, `varchar(n)`, `char(n)`, `uuid`, `json`,
 * `bytes`, `date`, `time(p)`, `timestamp(p)` (with or without zone: sessions run in UTC) and
 * `enum('a','b')`; anything else is the engine's own type text in lower case.
 */

export const CURRENT_TIMESTAMP = 'current_timestamp';
export const AUTO_INCREMENT = 'auto_increment';

const NUMERIC = /^(smallint|integer|bigint|tinyint|mediumint|decimal|real|double)\b/;

/** `'it''s'` -> `it's`; anything not a quoted literal is returned as it is. */
function unquoteLiteral(text: string): string {
  const match = /^'((?:[^']|'')*)'$/s.exec(text);
  return match ? (match[1] ?? '').replaceAll("''", "'") : text;
}

/**
 * The meaning of a literal default for a column of the logical type: booleans as true/false
 * (`0`, `'f'` and `false` alike), numbers as exact decimals (`0.00` = `0`), other values quoted.
 */
export function literalDefault(value: string, logicalType: string): string {
  const plain = unquoteLiteral(value.trim());
  if (logicalType === 'boolean') {
    const lower = plain.toLowerCase();
    if (['0', 'false', 'f', "b'0'"].includes(lower)) return 'false';
    if (['1', 'true', 't', "b'1'"].includes(lower)) return 'true';
  }
  if (NUMERIC.test(logicalType) && /^[+-]?\d*\.?\d+$/.test(plain)) return canonicalDecimal(plain.replace(/^\+/, ''));
  return `'${plain.replaceAll("'", "''")}'`;
}

/** The current instant in any spelling (`now()`, `CURRENT_TIMESTAMP(6)`, `current_timestamp()`). */
export function isCurrentTimestamp(expression: string): boolean {
  return /^(now\(\)|current_timestamp(\(\d*\))?|localtimestamp(\(\d*\))?|transaction_timestamp\(\))$/i.test(expression.trim());
}

/** Index access methods compare without case (`btree` = `BTREE`). */
export function logicalMethod(method: string): string {
  return method.toLowerCase();
}
