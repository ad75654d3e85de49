import { canonicalDecimal, canonicalize } from './canonical.js';
import { type ValueClass } from '../core/columns.js';

/**
 * The canonical row text of the `table` kind: what both engines hash when the two sides are not
 * the same engine with the same column types. PostgreSQL and MariaDB/MySQL build this text in SQL
 * (connectors/table-sql.ts); `rowText` below is its reference definition, frozen by table tests,
 * and the integration tests check that each engine's SQL produces exactly this text.
 *
 *   row text   = value text of each compared column, joined by U+001F (unit separator)
 *   NULL       = U+001E (record separator) alone
 *   integer    = decimal digits, "-" for negatives
 *   decimal    = exact decimal, no exponent, no trailing fractional zeros ("1.50" -> "1.5", "2.00" -> "2")
 *   float      = rounded to FLOAT_DIGITS decimal places, then as decimal ("0.1" -> "0.1", "1e-9" -> "0")
 *   boolean    = "true" / "false"
 *   text       = the characters as UTF-8
 *   timestamp  = UTC "YYYY-MM-DD HH:MM:SS[.fraction]" without trailing fractional zeros
 *   date       = "YYYY-MM-DD";  time = "HH:MM:SS[.fraction]" without trailing fractional zeros
 *   uuid       = lower-case hex with dashes;  bytes = lower-case hex
 *   json/other = the engine's own text (same-engine comparisons only)
 */

export const FIELD_SEPARATOR = '\u001f';
export const NULL_MARKER = '\u001e';
/** Decimal places kept of float values in the checksum (row-level comparison uses tolerances). */
export const FLOAT_DIGITS = 6;

/**
 * The class two sides' columns are compared under, or null when they cannot be compared.
 * Integers compare with decimals as exact numbers; uuids with text as lower-case text.
 */
export function comparisonClass(a: ValueClass, b: ValueClass): ValueClass | null {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('integer') && pair.has('decimal')) return 'decimal';
  if (pair.has('uuid') && pair.has('text')) return 'uuid';
  return null;
}

/** Classes whose checksum text is the same on every engine (json and other are engine-specific). */
export function portableClass(valueClass: ValueClass): boolean {
  return valueClass !== 'json' && valueClass !== 'other';
}

/**
 * Classes without a checksum text common to the engines that still compare row by row: json
 * (canonical.ts sorts its keys), whose text each engine prints its own way.
 */
export function rowByRowClass(valueClass: ValueClass): boolean {
  return valueClass === 'json';
}

/** Classes usable as key columns: their order is the same in PostgreSQL, MariaDB and here. */
export const KEY_CLASSES: ReadonlySet<ValueClass> = new Set(['integer', 'decimal', 'text', 'uuid', 'date', 'timestamp', 'time']);

function floatText(raw: string): string {
  const value = Number(raw);
  if (!Number.isFinite(value)) return canonicalize('float', raw) ?? raw;
  return canonicalDecimal(value.toFixed(FLOAT_DIGITS));
}

/** The value text of one column of the checksum text, from the engine's raw text. */
export function valueText(valueClass: ValueClass, raw: string | null): string {
  if (raw === null) return NULL_MARKER;
  if (valueClass === 'float') return floatText(raw);
  return canonicalize(valueClass, raw) ?? NULL_MARKER;
}

/** Reference definition of the canonical row text (see the module comment). */
export function rowText(classes: readonly ValueClass[], raw: ReadonlyArray<string | null>): string {
  return classes.map((valueClass, index) => valueText(valueClass, raw[index] ?? null)).join(FIELD_SEPARATOR);
}
