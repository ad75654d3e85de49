import { basename, extname } from 'node:path';
import { parse as parseEnv } from 'dotenv';
import { parse as parseIni } from 'ini';
import { parse as parseToml, TomlError } from 'smol-toml';
import { parseDocument } from 'yaml';
import type { ConfigFormat } from '../config/config-sources.js';

/**
 * Parsers of configuration documents (pure: text in, tree out). Error messages carry positions,
 * never document text: parser messages often quote the offending text, which may be a secret.
 */

export class SourceParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceParseError';
  }
}

export function formatFromPath(path: string): ConfigFormat | undefined {
  const name = basename(path).toLowerCase();
  if (name === '.env' || name.startsWith('.env.') || name.endsWith('.env')) return 'env';
  switch (extname(name)) {
    case '.json':
      return 'json';
    case '.yaml':
    case '.yml':
      return 'yaml';
    case '.toml':
      return 'toml';
    case '.ini':
    case '.cfg':
    case '.conf':
      return 'ini';
    case '.properties':
      return 'properties';
    default:
      return undefined;
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8 messages quote the document ("Unexpected token ..., "{"password": ..." is not valid JSON"): keep the position only.
    const message = error instanceof Error ? error.message : '';
    const position = /position (\d+)/.exec(message);
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    const at = lineCol ? `line ${lineCol[1]}, column ${lineCol[2]}` : position ? lineColumn(text, Number(position[1])) : undefined;
    const kind = /end of (JSON|data) input/i.test(message) ? 'unexpected end of input' : 'invalid JSON';
    // A login page or proxy error instead of the document is the usual cause; say so.
    const hint = text.trimStart().startsWith('<') ? ' (the document looks like HTML or XML)' : '';
    throw new SourceParseError(`${kind}${at ? ` at ${at}` : ''}${hint}`);
  }
}

function parseYaml(text: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const error = document.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    throw new SourceParseError(`YAML error ${error.code}${at ? ` at line ${at.line}, column ${at.col}` : ''}`);
  }
  return document.toJS({ maxAliasCount: 100 }) as unknown;
}

function parseTomlText(text: string): unknown {
  try {
    return parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) throw new SourceParseError(`TOML syntax error at line ${error.line}, column ${error.column}`);
    throw new SourceParseError('TOML syntax error');
  }
}

/**
 * Dotted keys (`server.port=8080`) nest like the same settings in YAML, so a .properties file and
 * a YAML file of one application compare key by key. When keys clash (`a=1` next to `a.b=2`) no
 * key is nested: the document stays flat rather than lose a value.
 */
export function nestDottedKeys(entries: ReadonlyArray<[string, string]>): Record<string, unknown> {
  const flat = () => Object.fromEntries(entries);
  const root: Record<string, unknown> = {};
  const isNode = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  for (const [key, value] of entries) {
    const parts = key.split('.');
    if (parts.some((part) => part === '' || part === '__proto__')) return flat();
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (next === undefined) node = node[part] = {};
      else if (isNode(next)) node = next;
      else return flat();
    }
    const last = parts[parts.length - 1] as string;
    if (isNode(Object.hasOwn(node, last) ? node[last] : undefined)) return flat();
    node[last] = value;
  }
  return root;
}

/** Java .properties (java.util.Properties#load): `=`, `:` or blank separators, `#`/`!` comments, `\` continuations and escapes. */
export function parseProperties(text: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const lineNumber = index + 1;
    let logical = (lines[index] ?? '').replace(/^[ \t\f]+/, '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    // A line ending in an odd number of backslashes continues on the next one.
    while (/(?:^|[^\\])(?:\\\\)*\\$/.test(logical) && index + 1 < lines.length) {
      index += 1;
      logical = logical.slice(0, -1) + (lines[index] ?? '').replace(/^[ \t\f]+/, '');
    }
    if (/(?:^|[^\\])(?:\\\\)*\\$/.test(logical)) logical = logical.slice(0, -1);
    let keyEnd = 0;
    while (keyEnd < logical.length) {
      const char = logical[keyEnd];
      if (char === '\\') keyEnd += 2;
      else if (char === '=' || char === ':' || char === ' ' || char === '\t' || char === '\f') break;
      else keyEnd += 1;
    }
    let valueStart = keyEnd;
    while (valueStart < logical.length && /[ \t\f]/.test(logical[valueStart] ?? '')) valueStart += 1;
    if (logical[valueStart] === '=' || logical[valueStart] === ':') valueStart += 1;
    while (valueStart < logical.length && /[ \t\f]/.test(logical[valueStart] ?? '')) valueStart += 1;
    entries.push([unescapeProperty(logical.slice(0, keyEnd), lineNumber), unescapeProperty(logical.slice(valueStart), lineNumber)]);
  }
  return entries;
}

const PROPERTY_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescapeProperty(text: string, line: number): string {
  return text.replace(/\\(u([0-9a-fA-F]{0,4})|[\s\S]?)/g, (whole, escape: string, hex: string | undefined) => {
    if (hex !== undefined) {
      if (hex.length !== 4) throw new SourceParseError(`malformed \\uXXXX escape at line ${line}`);
      return String.fromCharCode(parseInt(hex, 16));
    }
    return PROPERTY_ESCAPES[escape] ?? escape;
  });
}

/** Parses the text of a configuration document; errors carry positions, never document text. */
export function parseConfigText(text: string, format: ConfigFormat): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  switch (format) {
    case 'json':
      return parseJson(body);
    case 'yaml':
      return parseYaml(body);
    case 'toml':
      return parseTomlText(body);
    case 'ini':
      return parseIni(body);
    case 'env':
      return { ...parseEnv(body) };
    case 'properties':
      return nestDottedKeys(parseProperties(body));
  }
}
