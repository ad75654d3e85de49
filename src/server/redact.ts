import { looksLikeCredential, Redactor } from '../compare/redact.js';
import { Secret } from '../config/secret.js';
import { cutText } from '../core/text.js';

/**
 * Redaction of secrets in result details before they reach the API, the HTML report or a `run`
 * output file. Kinds keep secrets out of `details` and the results store has already applied the
 * examples policy (personal data); this is the second line of defence against secrets, matched by
 * where they come from and by value, never by the exporter's own field names (a masking check's
 * `violations.token` count is a number like any other):
 * - `Secret` values print as "<secret>"; any configured secret value found in a string is replaced;
 * - credentials inside URLs (scheme://user:pass@host) are removed; a string that is a credential
 *   (PEM block, `Bearer …`) becomes "<redacted>";
 * - an object flagged `sensitive`, `redacted` or `secret: true` by its kind keeps only its
 *   descriptive keys; so does a difference row of compared data (config keys, JSON paths of HTTP
 *   bodies) whose `key` or `path` names a credential (`{ key: "database.password", baseline, candidate }`),
 *   judged with the `config` kind's secret words.
 */

export const REDACTED = '<redacted>';
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
// change/status/firstSeen/approval: a config difference row's kind, approval state and age (never a value).
const DESCRIPTIVE_KEYS = new Set([
  'path',
  'key',
  'column',
  'table',
  'check',
  'detector',
  'rule',
  'reason',
  'type',
  'side',
  'row',
  'count',
  'sensitive',
  'redacted',
  'secret',
  'differs',
  'change',
  'status',
  'firstSeen',
  'approval',
]);
const MAX_DEPTH = 12;
const MAX_ITEMS = 500;
const MAX_STRING = 4000;
const compared = new Redactor();

function redactString(value: string): string {
  let cleaned = value.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  if (looksLikeCredential(cleaned)) return REDACTED;
  for (const secret of Secret.knownValues()) if (cleaned.includes(secret)) cleaned = cleaned.replaceAll(secret, Secret.redacted);
  return cutText(cleaned, MAX_STRING);
}

/** A difference row of compared data about a credential: its `key` or `path` (a string) names one. */
function credentialRow(record: Record<string, unknown>): boolean {
  if (!('baseline' in record) && !('candidate' in record)) return false;
  return [record.key, record.path].some((name) => typeof name === 'string' && compared.secretKey(name));
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
  const flagged = record.sensitive === true || record.redacted === true || record.secret === true || credentialRow(record);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    if (flagged && !DESCRIPTIVE_KEYS.has(key)) out[key] = item === null || typeof item === 'boolean' ? item : REDACTED;
    else out[key] = redact(item, depth + 1);
  }
  return out;
}

export function redactDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return details === undefined ? undefined : (redact(details) as Record<string, unknown>);
}
