import { parseDuration } from '../config/duration.js';
import { runToEnd, type Steps } from './slices.js';

/**
 * Configuration documents (JSON, YAML, TOML, INI, .env, .properties, HTTP JSON) flattened into
 * key paths -> scalar values, so that two documents compare key by key whatever their nesting.
 *
 * Paths: `server.port`, `servers[0].host`, `servers[name=web].host` (an array keyed by a field),
 * `properties["server.port"]` (a key that contains a separator is quoted as JSON). Empty objects
 * and arrays are leaves of their own (`{}` / `[]`), so "present but empty" differs from "absent".
 */

export const EMPTY_OBJECT: unique symbol = Symbol('{}');
export const EMPTY_ARRAY: unique symbol = Symbol('[]');

export type Scalar = string | number | boolean | null | typeof EMPTY_OBJECT | typeof EMPTY_ARRAY;
export type ScalarType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';
export type FlatConfig = Map<string, Scalar>;

export interface FlattenOptions {
  /** Arrays whose path matches the glob are keyed by the named field of their elements. */
  keyedArrays?: ReadonlyArray<{ path: string; key: string }>;
  /** Fail beyond this many leaves (a runaway source must not eat the exporter's memory). */
  maxKeys?: number;
}

export interface Flattened {
  values: FlatConfig;
  /** Keyed-array rules that could not be applied (missing or duplicate keys): indices were used. */
  warnings: string[];
}

export class TooManyKeysError extends Error {
  constructor(
    readonly limit: number,
    /** Which document went over the limit, when two are walked together. */
    readonly side?: 'baseline' | 'candidate',
  ) {
    super(`more than ${limit} keys`);
    this.name = 'TooManyKeysError';
  }
}

export function typeOf(value: Scalar): ScalarType {
  if (value === null) return 'null';
  if (value === EMPTY_OBJECT) return 'object';
  if (value === EMPTY_ARRAY) return 'array';
  return typeof value as 'string' | 'number' | 'boolean';
}

/** A value as people read it: `{}`, `[]`, `null`, numbers and booleans as written, strings as-is. */
export function displayValue(value: Scalar): string | number | boolean | null {
  if (value === EMPTY_OBJECT) return '{}';
  if (value === EMPTY_ARRAY) return '[]';
  return value;
}

const PLAIN_KEY = /^[^.[\]"\s]+$/;

export function keySegment(key: string, first: boolean): string {
  if (PLAIN_KEY.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

function keyedSegment(field: string, value: string | number | boolean): string {
  const text = String(value);
  return /^[^\]"]+$/.test(text) ? `[${field}=${text}]` : `[${field}=${JSON.stringify(text)}]`;
}

const SEGMENT_NAME = '[^.[\\]]*';
const ANY_BRACKET = '\\[(?:"(?:[^"\\\\]|\\\\.)*"|[^\\]]*)\\]';

/**
 * Path globs: `*` = any characters within one key name, `[*]` = any array element (index or key),
 * `**` = anything, across segments. Everything else is literal.
 */
function globSource(glob: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (glob.startsWith('[*]', i)) {
      source += ANY_BRACKET;
      i += 2;
    } else if (glob[i] === '*') {
      source += SEGMENT_NAME;
    } else {
      source += (glob[i] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return source;
}

/** Matches a path exactly. */
export function exactMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const regex = new RegExp(`^(?:${globs.map(globSource).join('|')})$`);
  return (path) => regex.test(path);
}

/** Matches a path or anything below it: `database` covers `database.host` and `database.pool[0]`. */
export function subtreeMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const regex = new RegExp(`^(?:${globs.map(globSource).join('|')})(?=$|[.[])`);
  return (path) => regex.test(path);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function scalarOf(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Object.is(value, -0) ? 0 : value;
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    default:
      // Dates (TOML datetimes, YAML timestamps) and anything else exotic compare as text.
      return value instanceof Date ? value.toISOString() : String(value);
  }
}

/** Segments of the elements of an array: `[key=value]` when a keyed rule applies cleanly, else `[i]`. */
export function elementSegments(array: readonly unknown[], path: string, key: string | undefined, warnings: string[]): string[] {
  const byIndex = () => array.map((_, index) => `[${index}]`);
  if (key === undefined) return byIndex();
  const segments: string[] = [];
  const seen = new Set<string>();
  for (const [index, element] of array.entries()) {
    const value = isPlainObject(element) ? element[key] : undefined;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      warnings.push(`${path || '(root)'}: element ${index} has no scalar "${key}"; compared by position`);
      return byIndex();
    }
    const segment = keyedSegment(key, value);
    if (seen.has(segment)) {
      warnings.push(`${path || '(root)'}: "${key}" is not unique; compared by position`);
      return byIndex();
    }
    seen.add(segment);
    segments.push(segment);
  }
  return segments;
}

const CHECKPOINT = 2048;

export function* flattenSteps(document: unknown, options: FlattenOptions = {}): Steps<Flattened> {
  const values: FlatConfig = new Map();
  const warnings: string[] = [];
  const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  const rules = (options.keyedArrays ?? []).map((rule) => ({ matches: exactMatcher([rule.path]), key: rule.key }));
  const keyFor = (path: string) => rules.find((rule) => rule.matches(path))?.key;

  if (!isPlainObject(document) && !Array.isArray(document)) {
    values.set('$', scalarOf(document));
    return { values, warnings };
  }
  // An explicit stack instead of recursion: deep documents cannot overflow the call stack.
  const stack: Array<{ node: unknown; path: string }> = [{ node: document, path: '' }];
  let visited = 0;
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: string };
    if (Array.isArray(node)) {
      if (node.length === 0) values.set(path, EMPTY_ARRAY);
      else {
        const segments = elementSegments(node, path, rules.length > 0 ? keyFor(path) : undefined, warnings);
        for (let i = node.length - 1; i >= 0; i -= 1) stack.push({ node: node[i], path: path + segments[i] });
      }
    } else if (isPlainObject(node)) {
      const keys = Object.keys(node);
      if (keys.length === 0) values.set(path, EMPTY_OBJECT);
      else
        for (let i = keys.length - 1; i >= 0; i -= 1) {
          const key = keys[i] as string;
          stack.push({ node: node[key], path: path + keySegment(key, path === '') });
        }
    } else {
      values.set(path, scalarOf(node));
      if (values.size > maxKeys) throw new TooManyKeysError(maxKeys);
    }
    visited += 1;
    if (visited % CHECKPOINT === 0) yield;
  }
  // An empty document at the root is one leaf like any other empty container.
  if (values.has('')) {
    values.set('$', values.get('') as Scalar);
    values.delete('');
  }
  return { values, warnings };
}

export function flatten(document: unknown, options: FlattenOptions = {}): Flattened {
  return runToEnd(flattenSteps(document, options));
}

/** Optional equivalences: values of different spelling (or type) that mean the same thing. */
export const equivalenceNames = ['numbers', 'booleans', 'durations'] as const;
export type Equivalence = (typeof equivalenceNames)[number];

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_TEXT = new Set(['true', 'yes', 'on']);
const FALSE_TEXT = new Set(['false', 'no', 'off']);
const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

function asNumber(value: Scalar): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value.trim());
  return undefined;
}

function asBoolean(value: Scalar): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (TRUE_TEXT.has(lower)) return true;
  if (FALSE_TEXT.has(lower)) return false;
  return undefined;
}

/** Milliseconds of `1m`, `60s`, `1h30m`, `250ms` or ISO-8601 `PT1M`; bare numbers have no unit and are not durations. */
export function durationMs(value: Scalar): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const iso = ISO_DURATION.exec(text);
  if (iso && text.length > 2) {
    const [, d, h, m, s] = iso;
    return Math.round((Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)) * 1000);
  }
  return parseDuration(text) ?? undefined;
}

export function equivalent(a: Scalar, b: Scalar, equivalences: ReadonlySet<Equivalence>): boolean {
  if (equivalences.has('numbers')) {
    const x = asNumber(a);
    if (x !== undefined && x === asNumber(b)) return true;
  }
  if (equivalences.has('booleans')) {
    const x = asBoolean(a);
    if (x !== undefined && x === asBoolean(b)) return true;
  }
  if (equivalences.has('durations')) {
    const x = durationMs(a);
    if (x !== undefined && x === durationMs(b)) return true;
  }
  return false;
}
