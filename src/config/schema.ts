import { z } from 'zod';
import { databaseUrlProblems } from './database-url.js';
import { cronExpression, duration, examplesPolicy, identifier, positiveInt, secret, sensitiveColumns } from './fields.js';
import { Secret } from './secret.js';
import { configSourceSchema } from './config-sources.js';

/**
 * The configuration file's shape. Defaults live here and nowhere else; checks are validated
 * per kind by each kind's own schema (see checks/kinds.ts) and cross-references in references.ts.
 */

export const databaseSchema = z.strictObject({
  url: z
    .string()
    .superRefine((url, ctx) => {
      for (const message of databaseUrlProblems(url)) ctx.addIssue({ code: 'custom', message });
    })
    .transform((url) => new Secret(url)),
  pool_size: positiveInt.max(20).default(2),
  connect_timeout: duration.default(5000),
  /** Statements at once on this database; the environment's `max_concurrency` when unset. */
  max_concurrency: positiveInt.max(64).optional(),
  /** Columns of this database whose values never leave the exporter raw (docs/privacy.md). */
  sensitive_columns: sensitiveColumns.default([]),
});

/** TLS towards an environment's HTTP entry point; files are read by the prober (paths relative to the config file). */
export const httpTlsSchema = z
  .strictObject({
    /** PEM bundle of the CAs that sign the server's certificate, in place of the system's. */
    ca_file: z.string().min(1).optional(),
    /** Client certificate and key (PEM) for servers that ask for one. */
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    /** Name sent as SNI and checked against the certificate, when base_url's host is not it. */
    server_name: z.string().min(1).optional(),
    insecure_skip_verify: z.boolean().default(false),
  })
  .refine((tls) => (tls.cert_file === undefined) === (tls.key_file === undefined), { error: 'cert_file and key_file go together' });

export const httpSchema = z.strictObject({
  base_url: z.url({ error: 'must be an absolute http(s) URL' }),
  headers: z.record(z.string(), secret).default({}),
  allow_writes: z.boolean().default(false),
  // Probing limits (flow, fault and virtual checks): see docs/checks/flow.md.
  /** Requests per second to this environment; 0 = unlimited. */
  rate_limit: z.number().nonnegative().default(10),
  max_body_bytes: positiveInt.default(10 * 1024 * 1024),
  /** Hosts (host[:port]) a redirect may lead to besides base_url's own. */
  allowed_redirect_hosts: z.array(z.string().min(1)).default([]),
  max_redirects: z.number().int().min(0).max(20).default(5),
  timeouts: z
    .strictObject({
      connect: duration.default(5000),
      /** Deadline of one request, connect to last body byte. */
      step: duration.default(10_000),
    })
    .prefault({}),
  tls: httpTlsSchema.optional(),
});

export const environmentSchema = z.strictObject({
  description: z.string().optional(),
  databases: z.record(identifier, databaseSchema).default({}),
  http: httpSchema.optional(),
  /** Configuration sources compared by `config` checks (see config-sources.ts). */
  configs: z.record(identifier, configSourceSchema).default({}),
  /** Statements at once on each database of this environment (each database has its own slots). */
  max_concurrency: positiveInt.max(64).default(2),
});

export const scheduleFields = {
  schedule: cronExpression.optional(),
  every: duration.optional(),
};

export const defaultsSchema = z
  .strictObject({
    baseline: identifier.default('production'),
    candidate: identifier.default('staging'),
    ...scheduleFields,
    timeout: duration.default(30_000),
    max_rows: positiveInt.default(100_000),
    max_examples: z.number().int().min(0).max(1000).default(10),
    side_probe_interval: duration.default(30_000),
    // First samples after a start spread over each check's interval, at most this long (scheduler/spread.ts).
    start_spread: duration.default(300_000),
    /** Values in examples: `hash` (keyed hashes), `show`, or `hide`; personal data is marked under all three. */
    examples: examplesPolicy.default('hash'),
    /** Key of the `hash` marks; a random key per process when unset (marks then change on restart). */
    examples_hash_key: secret.optional(),
  })
  .prefault({});

// Scores and gate (docs/scores-and-gate.md): a threshold per dimension and overall (seed defaults:
// data 0.95, error_detection 0.8), weights of the overall score, and what an inconclusive gate means.
const scoreValue = z.number().min(0).max(1);
const weight = z.number().min(0).max(1000);
export const scoresSchema = z
  .strictObject({
    thresholds: z
      .strictObject({
        overall: scoreValue.optional(),
        data: scoreValue.default(0.95),
        config: scoreValue.optional(),
        behavior: scoreValue.optional(),
        freshness: scoreValue.optional(),
        error_detection: scoreValue.default(0.8),
        privacy: scoreValue.optional(),
      })
      .prefault({}),
    weights: z
      .strictObject({ data: weight, config: weight, behavior: weight, freshness: weight, error_detection: weight, privacy: weight })
      .partial()
      .prefault({}),
    /** Any privacy contribution below 1 (an unmasked value, say) fails the gate whatever the score. */
    fail_on_privacy_violation: z.boolean().default(true),
    /** How an inconclusive gate counts: stay inconclusive (run exits 2), or count as pass or fail. */
    inconclusive: z.enum(['inconclusive', 'fail', 'pass']).default('inconclusive'),
    /** HTTP status of /gate when the verdict is inconclusive. */
    inconclusive_http_status: z.union([z.literal(200), z.literal(503)]).default(503),
  })
  .prefault({});

// Events API (POST /api/v1/events): disabled until a bearer token is configured.
export const eventsSchema = z
  .strictObject({
    token: secret.optional(),
    /** Releases remembered to link production incidents to staging verdicts (oldest forgotten first). */
    max_releases: positiveInt.max(100_000).default(1000),
    /** Open provisioning runs remembered per environment. */
    max_open_provisionings: positiveInt.max(10_000).default(100),
  })
  .prefault({});

// The HTTP prober thread of flow, fault and virtual checks (docs/checks/flow.md#cpu-scheduling).
export const proberSchema = z
  .strictObject({
    /** `realtime`: the prober thread runs under SCHED_FIFO, ahead of every normal thread (needs CAP_SYS_NICE). */
    scheduling: z.enum(['normal', 'realtime']).default('normal'),
    /** SCHED_FIFO priority under `realtime`. */
    realtime_priority: z.number().int().min(1).max(99).default(10),
  })
  .prefault({});

/** Fields every check has, whatever its kind. */
export const commonCheckFields = {
  name: identifier,
  kind: z.string(),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  baseline: identifier.optional(),
  candidate: identifier.optional(),
  ...scheduleFields,
  timeout: duration.optional(),
  /** The examples policy of this check (default: defaults.examples). */
  examples: examplesPolicy.optional(),
  /** Columns of this check's results whose values never leave the exporter raw. */
  sensitive_columns: sensitiveColumns.optional(),
};

export const rootSchema = z.strictObject({
  environments: z.record(identifier, environmentSchema).refine((envs) => Object.keys(envs).length > 0, {
    error: 'at least one environment is required',
  }),
  defaults: defaultsSchema,
  scores: scoresSchema,
  events: eventsSchema,
  prober: proberSchema,
  // Each check is validated by its kind's schema once the kind is known.
  checks: z.array(z.record(z.string(), z.unknown())).default([]),
});

export type DatabaseConfig = z.output<typeof databaseSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type DefaultsConfig = z.output<typeof defaultsSchema>;
export type ScoresConfig = z.output<typeof scoresSchema>;
export type RootConfig = z.output<typeof rootSchema>;

/** The strict schema of one check kind: the common fields plus the kind's own. */
export function checkSchema<const K extends string, S extends z.ZodRawShape>(kind: K, fields: S) {
  return z.strictObject({ ...commonCheckFields, kind: z.literal(kind), ...fields });
}
