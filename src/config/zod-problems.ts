import type { z } from 'zod';
import { formatPath, type ConfigProblem } from './errors.js';
import { didYouMean } from './suggest.js';

/** Zod's issues in plain sentences ("must be at most 20"); input values are never echoed (they may be secrets). */

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `a ${typeof input}`;
}

const TYPE_WORDS: Record<string, string> = {
  boolean: 'true or false',
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** How Zod's own (untranslated) messages begin. */
const ZOD_DEFAULT = /^(Too (big|small)|Invalid (input|option)|Unrecognized key)/;

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

/** The object schemas a path leads to inside a schema (several under a union). */
function objectsAt(schema: z.ZodType | undefined, path: ReadonlyArray<PropertyKey>): ZodDef[] {
  if (!schema) return [];
  const def = defOf(schema);
  const [head, ...rest] = path;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return objectsAt(def.innerType, path);
    case 'pipe':
      return objectsAt(def.in, path);
    case 'union':
      return (def.options ?? []).flatMap((option) => objectsAt(option, path));
    case 'intersection':
      return [...objectsAt(def.left, path), ...objectsAt(def.right, path)];
    case 'object':
      return head === undefined ? [def] : objectsAt(def.shape?.[String(head)], rest);
    case 'record':
      return head === undefined ? [] : objectsAt(def.valueType, rest);
    case 'array':
      return head === undefined ? [] : objectsAt(def.element, rest);
    default:
      return [];
  }
}

function knownKeys(schema: z.ZodType | undefined, path: ReadonlyArray<PropertyKey>): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((def) => Object.keys(def.shape ?? {})))];
}

function unknownKey(key: string, known: string[]): string {
  const suggestion = didYouMean(key, known);
  if (suggestion) return `unknown key${suggestion}`;
  return known.length > 0 ? `unknown key (allowed here: ${known.join(', ')})` : 'unknown key';
}

function limit(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const big = issue.code === 'too_big';
  const bound = Number(big ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'string' || issue.origin === 'array') {
    const unit = issue.origin === 'string' ? (bound === 1 ? 'character' : 'characters') : bound === 1 ? 'item' : 'items';
    if (!big && bound === 1 && inclusive) return 'must not be empty';
    return `must have ${big ? 'at most' : 'at least'} ${bound} ${unit}`;
  }
  if (big) return inclusive ? `must be at most ${bound}` : `must be less than ${bound}`;
  return inclusive ? `must be at least ${bound}` : `must be greater than ${bound}`;
}

/** Zod issues as problems at `prefix` + the issue's path; `schema` (the one that was parsed) names the allowed keys. */
export function zodProblems(error: z.ZodError, prefix: PropertyKey[], schema?: z.ZodType): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    const path = [...prefix, ...issue.path];
    // A message the schema wrote itself is already plain: keep it.
    if (issue.code !== 'unrecognized_keys' && !ZOD_DEFAULT.test(issue.message)) return [{ path: formatPath(path), message: issue.message }];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(schema, issue.path);
        return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: unknownKey(key, known) }));
      }
      case 'invalid_type': {
        if (issue.input === undefined) return [{ path: formatPath(path), message: 'is required' }];
        const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
        return [{ path: formatPath(path), message: `must be ${expected}, not ${describeInput(issue.input)}` }];
      }
      case 'invalid_value': {
        const values = issue.values.map((value) => JSON.stringify(value));
        const typed = typeof issue.input === 'string' ? didYouMean(issue.input, issue.values.map(String)) : '';
        return [{ path: formatPath(path), message: `must be ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}${typed}` }];
      }
      case 'too_big':
      case 'too_small':
        return [{ path: formatPath(path), message: limit(issue) }];
      default:
        return [{ path: formatPath(path), message: issue.message }];
    }
  });
}
