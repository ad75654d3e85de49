import {
  defaultsSchema,
  environmentSchema,
  eventsSchema,
  proberSchema,
  scoresSchema,
  type EnvironmentConfig,
  type RootConfig,
} from './schema.js';

/**
 * The usable part of a configuration whose top level did not validate, so that its checks and
 * their references are still checked in the same run. Only for finding more problems: a
 * configuration with problems is never run.
 */
export function lenientRoot(input: unknown): RootConfig {
  const raw = record(input);
  const environments: Record<string, EnvironmentConfig> = {};
  for (const [name, value] of Object.entries(record(raw.environments))) {
    const parsed = environmentSchema.safeParse(value);
    const environment = record(value);
    environments[name] = parsed.success
      ? parsed.data
      : ({
          databases: record(environment.databases),
          configs: record(environment.configs),
          http: environment.http === undefined ? undefined : record(environment.http),
          max_concurrency: 2,
        } as unknown as EnvironmentConfig);
  }
  const defaults = defaultsSchema.safeParse(raw.defaults);
  const rawDefaults = record(raw.defaults);
  const fallbackDefaults = defaultsSchema.parse({});
  for (const side of ['baseline', 'candidate'] as const) {
    const value = rawDefaults[side];
    if (typeof value === 'string') fallbackDefaults[side] = value;
  }
  return {
    environments,
    defaults: defaults.success ? defaults.data : fallbackDefaults,
    scores: scoresSchema.safeParse(raw.scores).data ?? scoresSchema.parse({}),
    events: eventsSchema.safeParse(raw.events).data ?? eventsSchema.parse({}),
    prober: proberSchema.safeParse(raw.prober).data ?? proberSchema.parse({}),
    checks: Array.isArray(raw.checks) ? raw.checks.map(record) : [],
  };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
