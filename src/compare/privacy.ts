import { createHmac } from 'node:crypto';
import type { examplesPolicies } from '../config/fields.js';
import { detect, type Detector } from './detectors.js';

/**
 * What a value read from a compared system may look like when it leaves the exporter (pure).
 *
 * - Personal data (a value a detector recognises) and values of sensitive columns are always
 *   replaced by a mark naming why: `<card>`, `<email>`, `<sensitive>`; under `hash` the mark
 *   carries a short keyed hash (`<card #1f2e3d4c5b6a>`) so equal values line up across sides.
 * - Other values follow the examples policy: `show` them, `hash` them (`#1f2e3d4c5b6a`), or
 *   `hide` them (`<hidden>`). Key values (which row differs) are shown under every policy.
 *
 * Details reach this module as plain JSON. Row values are recognised by the shapes every kind
 * uses for them (see CheckResult.details); any other string is scanned by the detectors and
 * loses the personal data found in it.
 */

export type ExamplesPolicy = (typeof examplesPolicies)[number];

/** Mark of a value in a sensitive column, one a masking check masks or flags. */
export const SENSITIVE = 'sensitive';
export const HIDDEN = '<hidden>';
const HASH_CHARS = 12;
/** Free text longer than this is withheld whole when it holds personal data, not searched word by word. */
const MAX_SEARCHED_TEXT = 4000;
/** Words looked at together when searching free text: an IBAN is printed as up to 9 groups. */
const MAX_WINDOW = 9;

export interface PrivacyRules {
  policy: ExamplesPolicy;
  detectors: readonly Detector[];
  /** HMAC key of `hash` marks: per process unless configured, so marks mean nothing elsewhere. */
  hashKey: string | Buffer;
  /** Lower-cased names of columns whose values are personal whatever they look like. */
  sensitive: ReadonlySet<string>;
  /** Lower-cased names of the columns that identify a row (query and table keys). */
  key: ReadonlySet<string>;
  /** Set when protecting an already protected result again: its marks stay as they are. */
  again?: boolean;
}

type Cell = string | number | boolean | null;

export function hashOf(text: string, key: string | Buffer): string {
  return createHmac('sha256', key).update(text).digest('hex').slice(0, HASH_CHARS);
}

function mark(reason: string, text: string, rules: PrivacyRules): string {
  return rules.policy === 'hash' ? `<${reason} #${hashOf(text, rules.hashKey)}>` : `<${reason}>`;
}

/** A mark this module made: protecting a result again (a column just became sensitive) keeps it, so marks keep lining up. */
const MARK = new RegExp(`^(?:<[A-Za-z_][\\w.-]*(?: #[0-9a-f]{${HASH_CHARS}})?>|#[0-9a-f]{${HASH_CHARS}})$`);

/** One value of a column, as it may leave the exporter. */
export function protectValue(value: Cell, column: string | undefined, isKey: boolean, rules: PrivacyRules): Cell {
  if (value === null || typeof value === 'boolean') return value;
  if (rules.again === true && typeof value === 'string' && MARK.test(value)) return value;
  const text = String(value);
  const found = detect(text, rules.detectors)[0];
  if (found !== undefined) return mark(found, text, rules);
  if (column !== undefined && rules.sensitive.has(column.toLowerCase())) return mark(SENSITIVE, text, rules);
  if (isKey || rules.policy === 'show') return value;
  return rules.policy === 'hash' ? `#${hashOf(text, rules.hashKey)}` : HIDDEN;
}

/**
 * Free text (a summary, an error message, a string in details that is not a row value): the words
 * that make a detector fire are replaced by its mark, the rest is kept. A text too long to search
 * word by word, or one that still holds personal data afterwards, is withheld whole.
 */
export function protectText(text: string, rules: Pick<PrivacyRules, 'detectors' | 'hashKey' | 'policy'>): string {
  const first = detect(text, rules.detectors)[0];
  if (first === undefined) return text;
  const full = { ...rules, sensitive: new Set<string>(), key: new Set<string>() };
  const withheld = `${mark(first, text, full)} (text withheld: it holds personal data)`;
  if (text.length > MAX_SEARCHED_TEXT) return withheld;
  const parts = text.split(/(\s+)/); // words at even indices, the spaces between them at odd ones
  const words = parts.filter((_, index) => index % 2 === 0);
  const out: string[] = [];
  for (let start = 0; start < words.length;) {
    let end = -1;
    let found: string | undefined;
    for (let size = 1; size <= MAX_WINDOW && start + size <= words.length; size += 1) {
      found = detect(words.slice(start, start + size).join(' '), rules.detectors)[0];
      if (found !== undefined) {
        end = start + size;
        break;
      }
    }
    if (found === undefined) {
      out.push(words[start] ?? '');
      start += 1;
      continue;
    }
    // The window may begin with words that are not part of the match ("card 4111 …"): keep them.
    let from = start;
    while (from + 1 < end && detect(words.slice(from + 1, end).join(' '), rules.detectors).length > 0) from += 1;
    out.push(...words.slice(start, from), mark(found, words.slice(from, end).join(' '), full));
    start = end;
  }
  const result = out.join(' ');
  return detect(result, rules.detectors).length > 0 ? withheld : result;
}

const MAX_FIELD_DEPTH = 4;

/**
 * A log line's fields with the personal data in their strings marked (`<email>`). Results reach
 * the log already protected; this catches what other messages may quote (a server's error).
 */
export function scrubFields(value: unknown, detectors: readonly Detector[], depth = 0): unknown {
  if (typeof value === 'string') return protectText(value, { detectors, hashKey: '', policy: 'show' });
  if (value === null || typeof value !== 'object' || depth >= MAX_FIELD_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => scrubFields(item, detectors, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubFields(item, detectors, depth + 1)]));
}

function isCells(value: unknown): value is Record<string, Cell> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item));
}

function protectCells(cells: Record<string, Cell>, keysOnly: boolean, rules: PrivacyRules): Record<string, Cell> {
  return Object.fromEntries(
    Object.entries(cells).map(([column, value]) => [
      column,
      protectValue(value, column, keysOnly || rules.key.has(column.toLowerCase()), rules),
    ]),
  );
}

const KEY_RECORDS = new Set(['key', 'references']);
const ROW_RECORDS = new Set(['baseline', 'candidate']);

/**
 * Details of a result, protected. Shapes that carry row values:
 * - `examples: [{ key?, baseline?, candidate? }]`: records of column -> value (query, table);
 * - `key` and `references` records anywhere: key values (table, masking, integrity);
 * - `{ column, ..., value }`, at any depth below the object naming the column (coverage).
 */
export function protectDetails(details: unknown, rules: PrivacyRules): unknown {
  const walk = (value: unknown, column: string | undefined, exampleItem: boolean): unknown => {
    if (typeof value === 'string') return protectText(value, rules);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => walk(item, column, false));
    const record = value as Record<string, unknown>;
    const here = typeof record.column === 'string' ? record.column : column;
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(record)) {
      if (KEY_RECORDS.has(name) && isCells(item)) out[name] = protectCells(item, true, rules);
      else if (exampleItem && ROW_RECORDS.has(name) && isCells(item)) out[name] = protectCells(item, false, rules);
      else if (name === 'value' && here !== undefined && (item === null || typeof item !== 'object'))
        out[name] = protectValue(item as Cell, here, false, rules);
      else if (name === 'examples' && Array.isArray(item)) out[name] = item.map((example) => walk(example, here, true));
      else out[name] = walk(item, here, false);
    }
    return out;
  };
  return walk(details, undefined, false);
}
