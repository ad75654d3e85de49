/** A configuration that cannot be used; every problem names its config path. Never carries a secret. */
export interface ConfigProblem {
  path: string;
  message: string;
  /** Where in the file (1-based), when the configuration came from YAML text. */
  line?: number;
  column?: number;
}

function problemLine(problem: ConfigProblem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}

function position(problem: ConfigProblem): string {
  return problem.line === undefined ? '' : `${problem.line}:${problem.column ?? 1}: `;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  readonly file: string | undefined;

  constructor(problems: ConfigProblem[], file?: string) {
    const lines = problems.map(
      (problem) => (file && problem.line !== undefined ? `${file}:` : '') + position(problem) + problemLine(problem),
    );
    super(`${file ? `invalid configuration ${file}:\n  ` : 'invalid configuration:\n  '}${lines.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
    this.file = file;
  }

  /** "path: message" lines, the form tests and the check-config command print. */
  get lines(): string[] {
    return this.problems.map(problemLine);
  }

  /** "line:column: path: message" lines (no position when the problem has none). */
  get locatedLines(): string[] {
    return this.problems.map((problem) => position(problem) + problemLine(problem));
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

/** The inverse of formatPath: "checks[3].schedule" -> ["checks", 3, "schedule"]. */
export function parsePath(text: string): Array<string | number> {
  const parts: Array<string | number> = [];
  const token = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([A-Za-z_][A-Za-z0-9_-]*)/gy;
  let match: RegExpExecArray | null;
  while ((match = token.exec(text)) !== null) {
    if (match[1] !== undefined) parts.push(Number(match[1]));
    else if (match[2] !== undefined) parts.push(JSON.parse(match[2]) as string);
    else if (match[3] !== undefined) parts.push(match[3]);
  }
  return parts;
}
