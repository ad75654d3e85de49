import type { z } from 'zod';

/** A configuration that cannot be used; every problem names its config path. Never carries a secret. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  readonly file: string | undefined;

  constructor(problems: ConfigProblem[], file?: string) {
    const lines = problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message));
    super(`${file ? `invalid configuration ${file}:\n  ` : 'invalid configuration:\n  '}${lines.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
    this.file = file;
  }

  /** "path: message" lines, the form tests and the check-config command print. */
  get lines(): string[] {
    return this.problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message));
  }
}

/** ["checks", 3, "schedule"] -> "checks[3].schedule" */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else {
      const key = String(part);
      text += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (text === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return text;
}

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `a ${typeof input}`;
}

/** Zod issues as "path: message"; input values are never echoed (they may be secrets). */
export function zodProblems(error: z.ZodError, prefix: PropertyKey[]): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: 'unknown key' }));
      case 'invalid_type':
        return [
          {
            path: formatPath(path),
            message: issue.input === undefined ? 'is required' : `expected ${issue.expected}, got ${describeInput(issue.input)}`,
          },
        ];
      case 'invalid_value':
        return [{ path: formatPath(path), message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
      default:
        return [{ path: formatPath(path), message: issue.message }];
    }
  });
}
