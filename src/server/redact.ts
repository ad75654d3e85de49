import { Secret } from '../config/secret.js';

/**
 * Redaction of result details before they reach the API, the HTML report or a `run` output file.
 * Kinds already keep secrets out of `details`; this is the second line of defence:
 * - `Secret` values print as "<secret>";
 * - values under keys that name credentials (password, token, secret, api_key, authorization,
 *   cookie, credential, private_key, dsn) become "<redacted>" (booleans such as `differs: true` stay);
 * - credentials inside URLs (scheme://user:pass@host) are removed;
 * - an object flagged `sensitive: true` or `redacted: true` (a masking violation, say) keeps only
 *   its descriptive keys (path, key, column, table, check, detector, rule, reason, type, side, row,
 *   count); every other value becomes "<redacted>". So does a difference row whose `key` or `path`
 *   names a credential (`{ key: "database.password", baseline, candidate }`).
 */

export const REDACTED = '<redacted>';
const SENSITIVE_KEY = /(^|[_.-])pass(word|wd)?$|^passwd$|^password|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|private[-_]?key|^dsn$/i;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
// change/status/firstSeen/approval: a config difference row's kind, approval state and age (never a value).
const DESCRIPTIVE_KEYS = new Set(['path', 'key', 'column', 'table', 'check', 'detector', 'rule', 'reason', 'type', 'side', 'row', 'count', 'sensitive', 'redacted', 'change', 'status', 'firstSeen', 'approval']);
const MAX_DEPTH = 12;
const MAX_ITEMS = 500;
const MAX_STRING = 4000;

function redactString(value: string): string {
  const cleaned = value.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  return cleaned.length > MAX_STRING ? `${cleaned.slice(0, MAX_STRING)}… (${cleaned.length - MAX_STRING} more characters)` : cleaned;
}

export function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Secret) return Secret.redacted;
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => redact(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`… ${value.length - MAX_ITEMS} more`);
    return items;
  }
  if (value instanceof Date) return value.toISOString();
  const record = value as Record<string, unknown>;
  // A difference row about a credential ({ key: "db.password", baseline, candidate }) is flagged too.
  const names = [record.key, record.path].filter((name): name is string => typeof name === 'string');
  const flagged = record.sensitive === true || record.redacted === true || names.some((name) => SENSITIVE_KEY.test(name.split(/[.[\]/]/).filter(Boolean).at(-1) ?? ''));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    if (flagged && !DESCRIPTIVE_KEYS.has(key)) out[key] = item === null || typeof item === 'boolean' ? item : REDACTED;
    else if (SENSITIVE_KEY.test(key) && item !== null && typeof item !== 'boolean' && typeof item !== 'object') out[key] = REDACTED;
    else if (SENSITIVE_KEY.test(key) && item !== null && typeof item === 'object' && !(item instanceof Secret)) out[key] = REDACTED;
    else out[key] = redact(item, depth + 1);
  }
  return out;
}

export function redactDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return details === undefined ? undefined : (redact(details) as Record<string, unknown>);
}
