import { Redactor } from './redact.js';

/**
 * Structural comparison of HTTP response bodies: a JSON diff with ignored paths and noise
 * cancellation (paths that differ between two runs of the baseline are noise, not drift).
 */

export type ChangeKind = 'added' | 'removed' | 'changed' | 'type';

export interface JsonDifference {
  /** JSONPath-style location: `$.order.items[2].price`. */
  path: string;
  change: ChangeKind;
  baseline?: unknown;
  candidate?: unknown;
  /** Set when the path names a credential: the values are then left out. */
  secret?: true;
  differs?: true;
}

type Segment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(segments: readonly Segment[]): string {
  return (
    '$' +
    segments
      .map((segment) =>
        typeof segment === 'number' ? `[${segment}]` : IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`,
      )
      .join('')
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Every difference between two JSON values, in document order. */
export function diffJson(baseline: unknown, candidate: unknown): JsonDifference[] {
  const differences: JsonDifference[] = [];
  const walk = (a: unknown, b: unknown, segments: Segment[]): void => {
    const kindA = kindOf(a);
    const kindB = kindOf(b);
    if (kindA !== kindB) {
      differences.push({ path: formatPath(segments), change: 'type', baseline: a, candidate: b });
      return;
    }
    if (kindA === 'array') {
      const left = a as unknown[];
      const right = b as unknown[];
      const common = Math.min(left.length, right.length);
      for (let i = 0; i < common; i++) walk(left[i], right[i], [...segments, i]);
      for (let i = common; i < left.length; i++)
        differences.push({ path: formatPath([...segments, i]), change: 'removed', baseline: left[i] });
      for (let i = common; i < right.length; i++)
        differences.push({ path: formatPath([...segments, i]), change: 'added', candidate: right[i] });
      return;
    }
    if (kindA === 'object') {
      const left = a as Record<string, unknown>;
      const right = b as Record<string, unknown>;
      for (const key of Object.keys(left)) {
        if (Object.hasOwn(right, key)) walk(left[key], right[key], [...segments, key]);
        else differences.push({ path: formatPath([...segments, key]), change: 'removed', baseline: left[key] });
      }
      for (const key of Object.keys(right)) {
        if (!Object.hasOwn(left, key)) differences.push({ path: formatPath([...segments, key]), change: 'added', candidate: right[key] });
      }
      return;
    }
    if (!Object.is(a, b)) differences.push({ path: formatPath(segments), change: 'changed', baseline: a, candidate: b });
  };
  walk(baseline, candidate, []);
  return differences;
}

/** Splits `$.a.b[0]["x y"][*]` and `$..id` into segments; `**` stands for "any depth". */
export function parsePath(path: string): string[] {
  const text = path.trim();
  if (!text.startsWith('$')) throw new Error(`path "${path}" must start with "$"`);
  const segments: string[] = [];
  let i = 1;
  while (i < text.length) {
    if (text.startsWith('..', i)) {
      segments.push('**');
      i += 2;
      const match = /^[A-Za-z0-9_$*-]+/.exec(text.slice(i));
      if (match) {
        segments.push(match[0]);
        i += match[0].length;
      }
    } else if (text[i] === '.') {
      const match = /^[A-Za-z0-9_$*-]+/.exec(text.slice(i + 1));
      if (!match) throw new Error(`path "${path}": expected a name after "." at ${i}`);
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (text[i] === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) throw new Error(`path "${path}": unclosed "["`);
      const inner = text.slice(i + 1, end).trim();
      segments.push(/^["']/.test(inner) ? inner.slice(1, -1) : inner);
      i = end + 1;
    } else {
      throw new Error(`path "${path}": unexpected "${text[i]}" at ${i}`);
    }
  }
  return segments;
}

/** A compiled set of path patterns; a pattern covers the path itself and everything under it. */
export class PathSet {
  private readonly patterns: string[][];

  constructor(paths: Iterable<string>) {
    this.patterns = [...paths].map(parsePath);
  }

  get size(): number {
    return this.patterns.length;
  }

  covers(path: string): boolean {
    const segments = parsePath(path);
    return this.patterns.some((pattern) => matchesPrefix(pattern, 0, segments, 0));
  }
}

function matchesPrefix(pattern: string[], p: number, path: string[], s: number): boolean {
  if (p === pattern.length) return true; // the pattern is a prefix: the subtree is covered
  const head = pattern[p] as string;
  if (head === '**') {
    for (let k = s; k <= path.length; k++) if (matchesPrefix(pattern, p + 1, path, k)) return true;
    return false;
  }
  if (s === path.length) return false;
  if (head === '*' || head === path[s]) return matchesPrefix(pattern, p + 1, path, s + 1);
  return false;
}

/** The path with every array index replaced by `*`, so noise seen at items[0] also covers items[5]. */
export function generalisePath(path: string): string {
  return path.replace(/\[\d+\]/g, '[*]');
}

export interface BodyComparison {
  identical: boolean;
  /** Differences that count (not ignored, not noise). */
  differences: JsonDifference[];
  /** Differences dropped because the baseline itself varies there. */
  noise: string[];
  ignored: number;
  /** How the bodies were compared. */
  mode: 'json' | 'text' | 'none';
}

export interface BodyOptions {
  ignore: PathSet;
  /** Generalised paths that differed between two baseline runs. */
  noise: PathSet;
  maxDifferences: number;
}

export interface ParsedBody {
  /** The parsed JSON document when the body is JSON; undefined otherwise. */
  json?: unknown;
  text: string;
}

/** Paths that differ between two runs of the baseline, generalised over array indexes. */
export function noisePaths(first: ParsedBody, second: ParsedBody): string[] {
  if (first.json !== undefined && second.json !== undefined) {
    return [...new Set(diffJson(first.json, second.json).map((d) => generalisePath(d.path)))];
  }
  return first.text === second.text ? [] : ['$'];
}

/** Compares two bodies: structurally when both are JSON, as text otherwise. */
export function compareBodies(baseline: ParsedBody, candidate: ParsedBody, options: BodyOptions): BodyComparison {
  if (baseline.json !== undefined && candidate.json !== undefined) {
    const all = diffJson(baseline.json, candidate.json);
    const differences: JsonDifference[] = [];
    const noise = new Set<string>();
    let ignored = 0;
    let kept = 0;
    for (const difference of all) {
      if (options.ignore.covers(difference.path)) ignored++;
      else if (options.noise.covers(generalisePath(difference.path))) noise.add(difference.path);
      else {
        kept++;
        if (differences.length < options.maxDifferences) differences.push(preview(difference));
      }
    }
    return { identical: kept === 0, differences, noise: [...noise], ignored, mode: 'json' };
  }
  if (baseline.text === candidate.text) return { identical: true, differences: [], noise: [], ignored: 0, mode: 'text' };
  if (options.noise.covers('$') || options.ignore.covers('$'))
    return { identical: true, differences: [], noise: ['$'], ignored: 0, mode: 'text' };
  return {
    identical: false,
    differences: [
      preview({
        path: '$',
        change: baseline.json !== undefined || candidate.json !== undefined ? 'type' : 'changed',
        baseline: baseline.text,
        candidate: candidate.text,
      }),
    ],
    noise: [],
    ignored: 0,
    mode: 'text',
  };
}

const PREVIEW_CHARS = 200;

function shorten(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length <= PREVIEW_CHARS) return value;
  return `${text.slice(0, PREVIEW_CHARS)}… (${text.length} chars)`;
}

/** Keeps differences small enough for the API and the HTML report. */
/** Secret-looking body fields (`$.auth.token`), judged with the same words as configuration keys. */
const secretFields = new Redactor();

function preview(difference: JsonDifference): JsonDifference {
  const out: JsonDifference = { path: difference.path, change: difference.change };
  // A differing secret shows as "differs", nothing else (the value of a token, a session id).
  if (secretFields.secretKey(difference.path)) return { ...out, secret: true, differs: true };
  if ('baseline' in difference) out.baseline = shorten(difference.baseline);
  if ('candidate' in difference) out.candidate = shorten(difference.candidate);
  return out;
}
