import { z } from 'zod';
import { engineOf } from '../connectors/database.js';
import { cronExpression, duration, identifier, positiveInt, secret } from './fields.js';
import { Secret } from './secret.js';

/**
 * The configuration file's shape. Defaults live here and nowhere else; checks are validated
 * per kind by each kind's own schema (see checks/kinds.ts) and cross-references in references.ts.
 */

export const databaseSchema = z.strictObject({
  url: z
    .string()
    .refine((url) => engineOf(url) !== null, { error: 'unsupported database URL (expected postgres:// or mysql://)' })
    .transform((url) => new Secret(url)),
  pool_size: positiveInt.max(20).default(2),
  connect_timeout: duration.default(5000),
});

export const httpSchema = z.strictObject({
  base_url: z.url({ error: 'must be an absolute http(s) URL' }),
  headers: z.record(z.string(), secret).default({}),
  allow_writes: z.boolean().default(false),
});

export const environmentSchema = z.strictObject({
  description: z.string().optional(),
  databases: z.record(identifier, databaseSchema).default({}),
  http: httpSchema.optional(),
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
  })
  .prefault({});

export const scoresSchema = z
  .strictObject({
    thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
    weights: z.record(z.string(), z.number().min(0)).default({}),
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
};

export const rootSchema = z.strictObject({
  environments: z.record(identifier, environmentSchema).refine((envs) => Object.keys(envs).length > 0, {
    error: 'at least one environment is required',
  }),
  defaults: defaultsSchema,
  scores: scoresSchema,
  // Each check is validated by its kind's schema once the kind is known.
  checks: z.array(z.record(z.string(), z.unknown())).default([]),
});

export type DatabaseConfig = z.output<typeof databaseSchema>;
export type HttpConfig = z.output<typeof httpSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type DefaultsConfig = z.output<typeof defaultsSchema>;
export type ScoresConfig = z.output<typeof scoresSchema>;
export type RootConfig = z.output<typeof rootSchema>;

/** The strict schema of one check kind: the common fields plus the kind's own. */
export function checkSchema<const K extends string, S extends z.ZodRawShape>(kind: K, fields: S) {
  return z.strictObject({ ...commonCheckFields, kind: z.literal(kind), ...fields });
}
