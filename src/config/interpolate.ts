import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigProblem } from './errors.js';
import { formatPath } from './errors.js';

/**
 * Replaces ${VAR}, ${VAR:-fallback} and ${file:/path} inside every string of the parsed YAML.
 * "$${" stands for a literal "${". A reference to an unset variable or an unreadable file is a
 * problem naming the config path; the value itself is never part of a message.
 */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;

export interface InterpolationEnv {
  env: NodeJS.ProcessEnv;
  /** Directory that relative file: paths are resolved against (the config file's). */
  baseDir: string;
}

export function interpolate(value: unknown, context: InterpolationEnv, problems: ConfigProblem[], path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') return interpolateString(value, context, problems, path);
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, context, problems, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, interpolate(item, context, problems, [...path, key])]),
    );
  }
  return value;
}

function interpolateString(text: string, context: InterpolationEnv, problems: ConfigProblem[], path: PropertyKey[]): string {
  return text.replace(REFERENCE, (whole, expression: string | undefined) => {
    if (whole === '$${') return '${';
    const body = (expression ?? '').trim();
    if (body.startsWith('file:')) {
      const file = resolve(context.baseDir, body.slice('file:'.length).trim());
      try {
        return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        problems.push({ path: formatPath(path), message: `cannot read secret file ${file} (${code})` });
        return '';
      }
    }
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(body);
    if (!match) {
      problems.push({
        path: formatPath(path),
        message: `invalid reference "\${${body}}" (use \${VAR}, \${VAR:-default} or \${file:/path})`,
      });
      return '';
    }
    const [, name = '', fallback] = match;
    const found = context.env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
    return '';
  });
}
