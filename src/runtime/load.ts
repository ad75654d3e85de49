import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { CheckProblem, CommonCheck } from '../checks/check.js';
import { kindNames, kinds } from '../checks/kinds.js';
import { sideReferences } from '../checks/references.js';
import { ConfigError, formatPath, type ConfigProblem } from '../config/errors.js';
import { interpolate } from '../config/interpolate.js';
import { lenientRoot } from '../config/lenient.js';
import { locateProblems } from '../config/locate.js';
import { rootSchema, type RootConfig } from '../config/schema.js';
import { didYouMean } from '../config/suggest.js';
import { zodProblems } from '../config/zod-problems.js';

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

/** One check of the file: its kind's schema, defaults applied, its references; undefined when unusable. */
function loadCheck(
  raw: RootConfig['checks'][number],
  index: number,
  root: RootConfig,
  seen: Map<string, number>,
  problems: ConfigProblem[],
): CommonCheck | undefined {
  const at = ['checks', index];
  const kindName = raw.kind;
  if (typeof kindName !== 'string') {
    problems.push({ path: formatPath([...at, 'kind']), message: `is required (one of ${kindNames.join(', ')})` });
    return undefined;
  }
  const kind = kinds[kindName];
  if (!kind) {
    const suggestion = didYouMean(kindName, kindNames);
    problems.push({
      path: formatPath([...at, 'kind']),
      message: `unknown kind "${kindName}"${suggestion || ` (known: ${kindNames.join(', ')})`}`,
    });
    return undefined;
  }
  const result = kind.schema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    problems.push(...zodProblems(result.error, at, kind.schema));
    return undefined;
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
  for (const side of ['baseline', 'candidate'] as const) {
    // Point at the key that names the side: the check's own, or the default's.
    const where = check[side] === undefined ? ['defaults', side] : [...at, side];
    problems.push(...problemsOf(sideReferences(root, [resolved[side]]), where));
  }
  problems.push(...problemsOf(kind.references(resolved, root), at));
  return resolved;
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
  // An unset variable or unreadable secret file makes its own field invalid, and only that field:
  // everything else is still checked, and nothing more is said about that field.
  const unresolved = problems.map((problem) => problem.path);

  const parsed = rootSchema.safeParse(interpolated, { reportInput: true });
  let root: RootConfig;
  if (parsed.success) {
    root = parsed.data;
    resolveTlsFiles(root, options.baseDir ?? process.cwd(), problems);
  } else {
    problems.push(...zodProblems(parsed.error, [], rootSchema));
    // Check the checks and their references against what is usable of the rest.
    root = lenientRoot(interpolated);
  }

  const checks: CommonCheck[] = [];
  const seen = new Map<string, number>();
  root.checks.forEach((raw, index) => {
    const check = loadCheck(raw, index, root, seen, problems);
    if (check) checks.push(check);
  });
  if (root.defaults.schedule !== undefined && root.defaults.every !== undefined) {
    problems.push({ path: 'defaults', message: 'set either schedule or every, not both' });
  }
  const seenProblems = new Set<string>();
  const reported = problems.filter((problem, index) => {
    const id = `${problem.path}\n${problem.message}`;
    if (seenProblems.has(id)) return false; // a default named by several checks is said once
    seenProblems.add(id);
    return index < unresolved.length || !unresolved.some((path) => within(problem.path, path));
  });
  if (reported.length > 0) throw new ConfigError(reported, options.file);
  return { root, checks, file: options.file };
}

/** Whether config path `path` is `field` or lies under it. */
function within(path: string, field: string): boolean {
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
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
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  if (document.errors.length > 0) {
    // The first syntax error only: the ones after it are usually its echoes.
    const [error] = document.errors;
    const at = error?.linePos?.[0];
    const message = error?.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'unreadable';
    throw new ConfigError([{ path: '', message: `YAML syntax error: ${message}`, line: at?.line, column: at?.col }], options.file);
  }
  try {
    return loadConfigObject(document.toJS(), options);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(locateProblems(error.problems, document, lineCounter), options.file);
    throw error;
  }
}
