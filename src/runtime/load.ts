import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { CheckProblem, CommonCheck } from '../checks/check.js';
import { kindNames, kinds } from '../checks/kinds.js';
import { sideReferences } from '../checks/references.js';
import { ConfigError, formatPath, zodProblems, type ConfigProblem } from '../config/errors.js';
import { interpolate } from '../config/interpolate.js';
import { rootSchema, type RootConfig } from '../config/schema.js';

/** A loaded, validated configuration: defaults applied, references resolved. */
export interface LoadedConfig {
  root: RootConfig;
  checks: CommonCheck[];
  /** The file it came from, when there was one. */
  file?: string;
}

const DEFAULT_EVERY_MS = 60_000;

function problemsOf(problems: CheckProblem[], prefix: PropertyKey[]): ConfigProblem[] {
  return problems.map((problem) => ({ path: formatPath([...prefix, ...problem.path]), message: problem.message }));
}

const TLS_FILES = ['ca_file', 'cert_file', 'key_file'] as const;

/** Makes the HTTP TLS file paths absolute (relative ones are relative to the config file) and checks they can be read. */
function resolveTlsFiles(root: RootConfig, baseDir: string, problems: ConfigProblem[]): void {
  for (const [name, environment] of Object.entries(root.environments)) {
    const tls = environment.http?.tls;
    if (!tls) continue;
    for (const key of TLS_FILES) {
      const file = tls[key];
      if (file === undefined) continue;
      const absolute = resolve(baseDir, file);
      try {
        accessSync(absolute, constants.R_OK);
        tls[key] = absolute;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        problems.push({ path: formatPath(['environments', name, 'http', 'tls', key]), message: `cannot read ${absolute} (${code})` });
      }
    }
  }
}

/** Validates an already-parsed document (the YAML tree), environment references included. */
export function loadConfigObject(
  document: unknown,
  options: { env?: NodeJS.ProcessEnv; baseDir?: string; file?: string } = {},
): LoadedConfig {
  const problems: ConfigProblem[] = [];
  const interpolated = interpolate(
    document ?? {},
    { env: options.env ?? process.env, baseDir: options.baseDir ?? process.cwd() },
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems, options.file);

  const parsed = rootSchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) throw new ConfigError(zodProblems(parsed.error, []), options.file);
  const root = parsed.data;
  resolveTlsFiles(root, options.baseDir ?? process.cwd(), problems);

  const checks: CommonCheck[] = [];
  const seen = new Map<string, number>();
  root.checks.forEach((raw, index) => {
    const at = ['checks', index];
    const kindName = raw.kind;
    if (typeof kindName !== 'string') {
      problems.push({ path: formatPath([...at, 'kind']), message: `is required (one of ${kindNames.join(', ')})` });
      return;
    }
    const kind = kinds[kindName];
    if (!kind) {
      problems.push({ path: formatPath([...at, 'kind']), message: `unknown kind "${kindName}" (known: ${kindNames.join(', ')})` });
      return;
    }
    const result = kind.schema.safeParse(raw, { reportInput: true });
    if (!result.success) {
      problems.push(...zodProblems(result.error, at));
      return;
    }
    const check = result.data;
    const previous = seen.get(check.name);
    if (previous !== undefined) {
      problems.push({ path: formatPath([...at, 'name']), message: `duplicate check name "${check.name}" (also checks[${previous}])` });
    }
    seen.set(check.name, index);
    if (check.schedule !== undefined && check.every !== undefined) {
      problems.push({ path: formatPath(at), message: 'set either schedule or every, not both' });
    }
    const useDefaults = check.schedule === undefined && check.every === undefined;
    const resolved: CommonCheck = {
      ...check,
      baseline: check.baseline ?? root.defaults.baseline,
      candidate: check.candidate ?? root.defaults.candidate,
      timeout: check.timeout ?? root.defaults.timeout,
      schedule: useDefaults ? root.defaults.schedule : check.schedule,
      every: useDefaults ? (root.defaults.schedule === undefined ? (root.defaults.every ?? DEFAULT_EVERY_MS) : undefined) : check.every,
    };
    if (resolved.baseline === resolved.candidate) {
      problems.push({ path: formatPath(at), message: `baseline and candidate are both "${resolved.baseline}"` });
    }
    if (resolved.every !== undefined && resolved.every < 1000) {
      problems.push({ path: formatPath([...at, 'every']), message: 'must be at least 1s' });
    }
    problems.push(...problemsOf(sideReferences(root, [resolved.baseline, resolved.candidate]), at));
    problems.push(...problemsOf(kind.references(resolved, root), at));
    checks.push(resolved);
  });
  if (root.defaults.schedule !== undefined && root.defaults.every !== undefined) {
    problems.push({ path: 'defaults', message: 'set either schedule or every, not both' });
  }
  if (problems.length > 0) throw new ConfigError(problems, options.file);
  return { root, checks, file: options.file };
}

/** Reads, interpolates and validates a YAML configuration file. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path: '', message: `cannot read configuration file (${code})` }], file);
  }
  return loadConfigText(text, { env, baseDir: dirname(path), file });
}

export function loadConfigText(text: string, options: { env?: NodeJS.ProcessEnv; baseDir?: string; file?: string } = {}): LoadedConfig {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      // The first syntax error only: the ones after it are usually its echoes.
      document.errors.slice(0, 1).map((error) => {
        const at = error.linePos?.[0];
        return {
          path: '',
          message: `YAML syntax error${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
        };
      }),
      options.file,
    );
  }
  return loadConfigObject(document.toJS(), options);
}
