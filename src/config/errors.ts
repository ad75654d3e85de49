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
