/**
 * One canonical text form per value class, so that the same data read from PostgreSQL and from
 * MySQL/MariaDB compares equal. Connectors deliver raw server text (no client-side type parsing);
 * this module is the only place that interprets it. Frozen by table tests in test/unit/canonical.test.ts.
 */

import type { ValueClass } from '../core/columns.js';

/** NULL is kept apart from every string, including the empty one. */
export type CanonicalValue = string | null;

export function canonicalize(valueClass: ValueClass, raw: string | null): CanonicalValue {
  if (raw === null) return null;
  switch (valueClass) {
    case 'integer':
      return canonicalInteger(raw);
    case 'decimal':
      return canonicalDecimal(raw);
    case 'float':
      return canonicalFloat(raw);
    case 'boolean':
      return canonicalBoolean(raw);
    case 'timestamp':
      return canonicalTimestamp(raw);
    case 'time':
      return canonicalTime(raw);
    case 'bytes':
      return raw.startsWith('\\x') ? raw.slice(2).toLowerCase() : raw.toLowerCase();
    case 'json':
      return canonicalJson(raw);
    case 'uuid':
      return raw.toLowerCase();
    default:
      return raw;
  }
}

/** True for the text a server writes for an integer: "0", or digits without a leading zero, maybe after "-". */
function plainInteger(raw: string): boolean {
  const start = raw.charCodeAt(0) === 45 ? 1 : 0;
  const first = raw.charCodeAt(start);
  if (first === 48) return raw.length === 1;
  if (!(first >= 49 && first <= 57)) return false;
  for (let i = start + 1; i < raw.length; i += 1) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function canonicalInteger(raw: string): string {
  if (plainInteger(raw)) return raw;
  const match = /^\s*([+-]?)0*(\d+)\s*$/.exec(raw);
  if (!match) return raw;
  const digits = match[2] ?? '0';
  return digits === '0' || match[1] !== '-' ? digits : `-${digits}`;
}

/** Exact decimal text: no exponent, no leading zeros, no trailing fractional zeros ("1.50" = "1.5"). */
export function canonicalDecimal(raw: string): string {
  // Fast path for the common shapes ("123", "-4.50"); the regex below handles the rest.
  const dot = raw.indexOf('.');
  const first = raw.charCodeAt(raw[0] === '-' ? 1 : 0);
  const plainStart = first >= 49 && first <= 57; // 1-9: no leading zero to strip
  if (dot < 0 && plainStart && /^-?\d+$/.test(raw)) return raw;
  if (dot > 0 && (plainStart || dot === (raw[0] === '-' ? 2 : 1))) {
    let end = raw.length;
    while (end > dot + 1 && raw.charCodeAt(end - 1) === 48) end -= 1;
    if (end === dot + 1) end = dot;
    const trimmed = raw.slice(0, end);
    if (/^-?\d+(\.\d+)?$/.test(trimmed) && trimmed !== '-0') return trimmed;
  }
  const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(raw);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return raw;
  const integerPart = (match[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const body = fraction === '' ? integerPart : `${integerPart}.${fraction}`;
  return match[1] === '-' && body !== '0' ? `-${body}` : body;
}

function canonicalFloat(raw: string): string {
  const trimmed = raw.trim();
  if (/^[+-]?inf(inity)?$/i.test(trimmed)) return trimmed.startsWith('-') ? '-Infinity' : 'Infinity';
  if (/^nan$/i.test(trimmed)) return 'NaN';
  const value = Number(trimmed);
  if (Number.isNaN(value)) return raw;
  return Object.is(value, -0) ? '0' : String(value);
}

function canonicalBoolean(raw: string): string {
  const lower = raw.trim().toLowerCase();
  if (['t', 'true', '1', 'y', 'yes', 'on'].includes(lower)) return 'true';
  if (['f', 'false', '0', 'n', 'no', 'off'].includes(lower)) return 'false';
  return raw;
}

function trimFraction(fraction: string | undefined): string {
  const trimmed = (fraction ?? '').replace(/0+$/, '');
  return trimmed === '' ? '' : `.${trimmed}`;
}

const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*(?:(Z)|([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/;

/**
 * "YYYY-MM-DD HH:MM:SS[.fraction]" in UTC. Sessions are opened in UTC, so a zone offset is
 * normally "+00"; any other offset is applied so that equal instants compare equal.
 */
export function canonicalTimestamp(raw: string): string {
  // Fast path: UTC text as the sessions produce it ("2026-01-02 03:04:05.120000" or "...+00").
  if (raw.length >= 19 && raw.charCodeAt(10) === 32 && raw.charCodeAt(4) === 45) {
    const body = raw.endsWith('+00') ? raw.slice(0, -3) : raw;
    if (body.length === 19) return body;
    if (body.charCodeAt(19) === 46 && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+$/.test(body)) {
      let end = body.length;
      while (end > 20 && body.charCodeAt(end - 1) === 48) end -= 1;
      return end === 20 ? body.slice(0, 19) : body.slice(0, end);
    }
  }
  const match = TIMESTAMP.exec(raw.trim());
  if (!match) return raw;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offH, offM, offS] = match;
  const fractionText = trimFraction(fraction);
  const offsetSeconds = zulu || !sign ? 0 : (sign === '-' ? -1 : 1) * (Number(offH) * 3600 + Number(offM ?? 0) * 60 + Number(offS ?? 0));
  if (offsetSeconds === 0) return `${year}-${month}-${day} ${hour}:${minute}:${second}${fractionText}`;
  const utc = new Date(
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) - offsetSeconds * 1000,
  );
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())} ` +
    `${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}${fractionText}`
  );
}

function canonicalTime(raw: string): string {
  const match = /^(-?\d+):(\d\d):(\d\d)(?:\.(\d+))?(.*)$/.exec(raw.trim());
  if (!match) return raw;
  return `${match[1]?.padStart(2, '0')}:${match[2]}:${match[3]}${trimFraction(match[4])}${match[5] ?? ''}`;
}

/** JSON with object keys sorted, so key order and whitespace are not differences. */
export function canonicalJson(raw: string): string {
  try {
    return stableStringify(JSON.parse(raw));
  } catch {
    return raw;
  }
}

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Numeric view of a canonical value for tolerances; null when it is not a number. */
export function numericValue(value: CanonicalValue): number | null {
  if (value === null) return null;
  const parsed = Number(value);
  return Number.isNaN(parsed) && value !== 'NaN' ? null : parsed;
}
