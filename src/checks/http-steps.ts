import { z } from 'zod';
import { JSONPath } from 'jsonpath-plus';
import { canonicalize, stableStringify } from '../compare/canonical.js';
import { parsePath, type ParsedBody } from '../compare/responses.js';
import { duration, identifier } from '../config/fields.js';
import type { RootConfig } from '../config/schema.js';
import { httpClient, httpSideConfig, isSafeMethod, type HttpFailureReason, type HttpTimings } from '../connectors/http.js';
import type { CheckProblem, SampleContext } from './check.js';
import { SampleError } from '../core/errors.js';
import { sideReferences } from './references.js';
import { readOnlyProblem } from './sql-guard.js';

/**
 * HTTP requests as configured by the flow, fault and virtual kinds: the request schema, `{{var}}`
 * substitution, extraction, expectations, and one request run against one side.
 */

const methods = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const jsonPathField = z.string().refine((path) => path.trim().startsWith('$'), { error: 'must be a JSONPath starting with "$"' });

const ignorePath = z.string().superRefine((path, ctx) => {
  try {
    parsePath(path);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const regexField = z.string().superRefine((pattern, ctx) => {
  try {
    new RegExp(pattern);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
  }
});

const extraction = z.union([
  z.strictObject({ json: jsonPathField }),
  z.strictObject({ header: z.string().min(1) }),
  z.strictObject({ cookie: z.string().min(1) }),
]);

const statusList = z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]);

export const requestFields = {
  name: identifier,
  method: z
    .string()
    .transform((method) => method.toUpperCase())
    .pipe(z.enum(methods, { error: `must be one of ${methods.join(', ')}` }))
    .default('GET'),
  path: z
    .string()
    .min(1)
    .refine((path) => path.startsWith('/'), { error: 'must start with "/" (it is relative to the environment\'s base_url)' }),
  query: z.record(z.string(), z.string()).default({}),
  headers: z.record(z.string(), z.string()).default({}),
  /** A JSON body (sent with Content-Type: application/json). */
  json: z.unknown().optional(),
  /** A form body (application/x-www-form-urlencoded). */
  form: z.record(z.string(), z.string()).optional(),
  /** A raw body, sent as is (malformed input for fault probes). */
  body: z.string().optional(),
  /** A generated body of this many bytes (oversized input for fault probes). */
  body_bytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024)
    .optional(),
  content_type: z.string().optional(),
  follow_redirects: z.boolean().default(true),
  /** Per-request deadline; default: the environment's http.timeouts.step. */
  timeout: duration.optional(),
};

/** At most one body per request. */
export function oneBody(request: { json?: unknown; form?: unknown; body?: unknown; body_bytes?: unknown }, ctx: z.RefinementCtx): void {
  const given = (['json', 'form', 'body', 'body_bytes'] as const).filter((key) => request[key] !== undefined);
  if (given.length > 1)
    ctx.addIssue({
      code: 'custom',
      message: `give at most one of json, form, body, body_bytes (got ${given.join(', ')})`,
      path: [given[1] as string],
    });
}

export const expectSchema = z
  .strictObject({
    status: statusList.optional(),
    json: z.array(z.strictObject({ path: jsonPathField, equals: z.unknown().optional(), exists: z.boolean().optional() })).default([]),
    body_matches: regexField.optional(),
  })
  .prefault({});

export const stepSchema = z
  .strictObject({
    ...requestFields,
    /** Variables read from this step's response, per side, for later steps (`{{name}}`). */
    extract: z.record(identifier, extraction).default({}),
    expect: expectSchema,
    /** Compare this step's body across sides (default true). */
    compare_body: z.boolean().default(true),
    /** JSON paths ignored in this step's body comparison, on top of the check's. */
    ignore: z.array(ignorePath).default([]),
    /** Verifies a data mutation with a read-only query on each side's database; results compared. */
    verify: z
      .strictObject({
        database: identifier,
        sql: z.string().min(1),
        params: z.array(z.string()).default([]),
        ignore_columns: z.array(z.string()).default([]),
      })
      .optional(),
  })
  .superRefine(oneBody);

export type RequestConfig = z.output<z.ZodObject<typeof requestFields>>;
export type StepConfig = z.output<typeof stepSchema>;
export type ExpectConfig = z.output<typeof expectSchema>;
export { ignorePath };

export const connectionField = z.enum(['keepalive', 'cold']).default('keepalive');

// ---------------------------------------------------------------------------------------------
// Load-time cross-checks

/** HTTP section present on every side, and no unsafe method against a side that does not allow writes. */
export function httpReferences(
  root: RootConfig,
  sides: string[],
  requests: { name: string; method: string }[],
  listKey: string,
): CheckProblem[] {
  const problems = sideReferences(root, sides);
  for (const side of new Set(sides)) {
    const environment = root.environments[side];
    if (!environment) continue;
    if (!environment.http) {
      problems.push({ path: [], message: `environment "${side}" has no http section (base_url)` });
      continue;
    }
    if (environment.http.allow_writes) continue;
    requests.forEach((request, index) => {
      if (!isSafeMethod(request.method)) {
        problems.push({
          path: [listKey, index, 'method'],
          message: `${listKey.replace(/s$/, '')} "${request.name}" sends ${request.method} but environment "${side}" does not allow writes (only GET, HEAD, OPTIONS; set environments.${side}.http.allow_writes: true if it really may be written to)`,
        });
      }
    });
  }
  return problems;
}

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

function variablesIn(value: unknown, found: Set<string>): void {
  if (typeof value === 'string') for (const match of value.matchAll(VARIABLE)) found.add(match[1] as string);
  else if (Array.isArray(value)) value.forEach((item) => variablesIn(item, found));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => variablesIn(item, found));
}

/** Every `{{var}}` used by a step must be extracted by an earlier step (or given in `variables`). */
export function variableReferences(steps: StepConfig[], given: string[]): CheckProblem[] {
  const known = new Set(given);
  const problems: CheckProblem[] = [];
  steps.forEach((step, index) => {
    const used = new Set<string>();
    variablesIn([step.path, step.query, step.headers, step.json, step.form, step.body], used);
    for (const name of used) {
      if (!known.has(name))
        problems.push({ path: ['steps', index], message: `step "${step.name}" uses {{${name}}}, which no earlier step extracts` });
    }
    for (const name of Object.keys(step.extract)) known.add(name);
    // The verification runs after the step's own extraction, so it may use those variables too.
    const verifyUses = new Set<string>();
    variablesIn(step.verify?.params, verifyUses);
    for (const name of verifyUses) {
      if (!known.has(name))
        problems.push({
          path: ['steps', index, 'verify', 'params'],
          message: `step "${step.name}" verifies with {{${name}}}, which neither it nor an earlier step extracts`,
        });
    }
    if (step.verify) {
      const problem = readOnlyProblem(step.verify.sql);
      if (problem) problems.push({ path: ['steps', index, 'verify', 'sql'], message: problem });
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Running requests

export class MissingVariable extends Error {}

/** Replaces `{{name}}` with the side's variable; a missing one is an error naming it. */
export function substitute(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(VARIABLE, (_, name: string) => {
    const value = variables.get(name);
    if (value === undefined) throw new MissingVariable(`variable "${name}" is not set (its extraction failed earlier in the flow)`);
    return value;
  });
}

function substituteDeep(value: unknown, variables: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return substitute(value, variables);
  if (Array.isArray(value)) return value.map((item) => substituteDeep(item, variables));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteDeep(item, variables)]));
  return value;
}

function mapValues(record: Record<string, string>, variables: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, substitute(value, variables)]));
}

export interface RequestError {
  reason: HttpFailureReason;
  message: string;
}

export interface RequestRun {
  name: string;
  side: string;
  method: string;
  /** Path as sent, variables substituted. */
  path: string;
  status?: number;
  /** Transport or parse failure; the response (if any) is still described. */
  error?: RequestError;
  /** Expectations that did not hold. */
  failures: string[];
  body: ParsedBody;
  contentType?: string;
  headers: Record<string, string[]>;
  timings?: HttpTimings;
  /** Whether this request counts as an error for the side's error ratio. */
  isError: boolean;
}

function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && /[/+]json\b/i.test(contentType);
}

/** Parses a body by its Content-Type; non-JSON under a JSON type is a parse problem, not a crash. */
export function parseBody(bytes: Uint8Array, contentType: string | undefined): { body: ParsedBody; problem?: string } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (!isJsonType(contentType)) return { body: { text } };
  if (text.trim() === '') return { body: { text }, problem: 'empty body under a JSON Content-Type' };
  try {
    return { body: { text, json: JSON.parse(text) as unknown } };
  } catch (error) {
    return { body: { text }, problem: `body is not valid JSON though Content-Type is ${contentType} (${(error as Error).message})` };
  }
}

export function jsonPathValue(document: unknown, path: string): { found: boolean; value?: unknown } {
  const results = JSONPath({ path, json: document as object, wrap: true }) as unknown[];
  if (!Array.isArray(results) || results.length === 0) return { found: false };
  return { found: true, value: results[0] };
}

function cookieValue(setCookies: string[] | undefined, name: string): string | undefined {
  for (const header of setCookies ?? []) {
    const [pair] = header.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** Checks the configured expectations; returns the ones that did not hold. */
export function checkExpectations(expect: ExpectConfig, run: Pick<RequestRun, 'status' | 'body'>): string[] {
  const failures: string[] = [];
  if (expect.status !== undefined && run.status !== undefined) {
    const allowed = Array.isArray(expect.status) ? expect.status : [expect.status];
    if (!allowed.includes(run.status)) failures.push(`status ${run.status}, expected ${allowed.join(' or ')}`);
  }
  for (const assertion of expect.json) {
    if (run.body.json === undefined) {
      failures.push(`${assertion.path}: body is not JSON`);
      continue;
    }
    const result = jsonPathValue(run.body.json, assertion.path);
    if (assertion.exists !== undefined && result.found !== assertion.exists) {
      failures.push(`${assertion.path} ${assertion.exists ? 'is missing' : 'is present'}`);
    }
    if (assertion.equals !== undefined && (!result.found || stableStringify(result.value) !== stableStringify(assertion.equals))) {
      failures.push(
        `${assertion.path} is ${result.found ? JSON.stringify(result.value) : 'missing'}, expected ${JSON.stringify(assertion.equals)}`,
      );
    }
  }
  if (expect.body_matches !== undefined && !new RegExp(expect.body_matches).test(run.body.text)) {
    failures.push(`body does not match /${expect.body_matches}/`);
  }
  return failures;
}

/** Reads the step's extractions into the side's variables; returns the ones that failed. */
export function extractVariables(extract: StepConfig['extract'], run: RequestRun, variables: Map<string, string>): string[] {
  const failures: string[] = [];
  for (const [name, source] of Object.entries(extract)) {
    let value: string | undefined;
    if ('json' in source) {
      if (run.body.json !== undefined) {
        const result = jsonPathValue(run.body.json, source.json);
        if (result.found && result.value !== null && result.value !== undefined)
          value = typeof result.value === 'string' ? result.value : JSON.stringify(result.value);
      }
    } else if ('header' in source) {
      value = run.headers[source.header.toLowerCase()]?.[0];
    } else {
      value = cookieValue(run.headers['set-cookie'], source.cookie);
    }
    if (value === undefined)
      failures.push(
        `could not extract {{${name}}} from ${'json' in source ? source.json : 'header' in source ? `header ${source.header}` : `cookie ${source.cookie}`}`,
      );
    else variables.set(name, value);
  }
  return failures;
}

function encodeBody(request: RequestConfig, variables: ReadonlyMap<string, string>): { body?: string | Uint8Array; contentType?: string } {
  if (request.json !== undefined) return { body: JSON.stringify(substituteDeep(request.json, variables)), contentType: 'application/json' };
  if (request.form !== undefined)
    return { body: new URLSearchParams(mapValues(request.form, variables)).toString(), contentType: 'application/x-www-form-urlencoded' };
  if (request.body !== undefined) return { body: substitute(request.body, variables) };
  if (request.body_bytes !== undefined) return { body: new Uint8Array(request.body_bytes).fill(0x61), contentType: 'text/plain' };
  return {};
}

/** Runs one configured request against one side. Failures become a described RequestRun, never a throw. */
export async function runRequest(
  context: SampleContext,
  side: string,
  request: RequestConfig,
  options: { variables: ReadonlyMap<string, string>; connection: 'keepalive' | 'cold'; expect?: ExpectConfig },
): Promise<RequestRun> {
  const run: RequestRun = {
    name: request.name,
    side,
    method: request.method,
    path: request.path,
    failures: [],
    body: { text: '' },
    headers: {},
    isError: true,
  };
  const config = httpSideConfig(side, context.environment(side));
  if (!config) throw new SampleError('config', `environment "${side}" has no http section`);
  let spec;
  try {
    run.path = substitute(request.path, options.variables);
    const encoded = encodeBody(request, options.variables);
    const headers = mapValues(request.headers, options.variables);
    const contentType = request.content_type ?? encoded.contentType;
    if (contentType && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = contentType;
    spec = {
      method: request.method,
      path: run.path,
      query: mapValues(request.query, options.variables),
      headers,
      ...(encoded.body !== undefined ? { body: encoded.body } : {}),
      followRedirects: request.follow_redirects,
      connection: options.connection,
    };
  } catch (error) {
    if (error instanceof MissingVariable) {
      run.error = { reason: 'parse', message: error.message };
      return run;
    }
    throw error;
  }
  const deadlineMs = Math.min(
    request.timeout ?? context.environment(side).http?.timeouts.step ?? 10_000,
    Math.max(1, context.remainingMs()),
  );
  const outcome = await httpClient().request(config, spec, { deadlineMs, signal: context.signal });
  if (outcome.timings) run.timings = outcome.timings;
  if (!outcome.ok) {
    run.error = { reason: outcome.reason, message: outcome.message };
    return run;
  }
  run.status = outcome.status;
  run.headers = outcome.headers;
  run.contentType = outcome.headers['content-type']?.[0];
  const parsed = parseBody(outcome.body, run.contentType);
  run.body = parsed.body;
  if (parsed.problem) run.error = { reason: 'parse', message: parsed.problem };
  if (options.expect) run.failures = checkExpectations(options.expect, run);
  run.isError = run.error !== undefined || run.status >= 500 || run.failures.length > 0;
  return run;
}

/** Rows of a verification query, canonicalised and sorted so both sides compare as multisets. */
export async function verifyMutation(
  context: SampleContext,
  side: string,
  verify: NonNullable<StepConfig['verify']>,
  variables: ReadonlyMap<string, string>,
): Promise<{ rows: string[]; columns: string[] } | { error: string }> {
  let params: string[];
  try {
    params = verify.params.map((param) => substitute(param, variables));
  } catch (error) {
    return { error: (error as Error).message };
  }
  try {
    const result = await context.database(side, verify.database).readOnly((session) => session.query(verify.sql, params));
    const ignored = new Set(verify.ignore_columns);
    const keep = result.columns.map((column, index) => ({ column, index })).filter(({ column }) => !ignored.has(column.name));
    const rows = result.rows
      .map((row) => JSON.stringify(keep.map(({ column, index }) => canonicalize(column.valueClass, row[index] ?? null))))
      .sort();
    return { rows, columns: keep.map(({ column }) => column.name) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** The phases of a request's timings, in seconds, for the step duration series. */
export function phasesOf(timings: HttpTimings): Record<string, number> {
  const phases: Record<string, number> = {
    total: timings.totalMs / 1000,
    ttfb: timings.ttfbMs / 1000,
    transfer: timings.transferMs / 1000,
  };
  if (timings.dnsMs !== undefined) phases.dns = timings.dnsMs / 1000;
  if (timings.connectMs !== undefined) phases.connect = timings.connectMs / 1000;
  if (timings.tlsMs !== undefined) phases.tls = timings.tlsMs / 1000;
  return phases;
}
