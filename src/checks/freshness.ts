import { z } from 'zod';
import { canonicalTimestamp } from '../compare/canonical.js';
import { type Column } from '../core/columns.js';
import { duration, identifier } from '../config/fields.js';
import { checkSchema } from '../config/schema.js';
import type { RawRow } from '../connectors/database.js';
import { sample, type MetricSample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, KindResult, SampleContext, KindOptions } from './check.js';
import { SampleError } from '../core/errors.js';
import { unlessNothingCompared } from './evidence.js';
import { sqlCheckReferences } from './references.js';

/**
 * `freshness`: a query per side returns the newest timestamp of a dataset;
 * lag = baseline newest - candidate newest, age = now - candidate newest, judged against max_age.
 */

const schema = checkSchema('freshness', {
  database: identifier,
  sql: z.string().min(1),
  sql_per_side: z.record(identifier, z.string().min(1)).default({}),
  /** The candidate's newest row may be at most this old (milliseconds once parsed). */
  max_age: duration.default(24 * 3600 * 1000),
  /** Optional: the candidate may trail the baseline by at most this much. */
  max_lag: duration.optional(),
});

type FreshnessOptions = KindOptions<typeof schema>;

/**
 * Milliseconds since the epoch of one raw value: a timestamp or date (sessions run in UTC, so
 * zone-less values are read as UTC) or a number of Unix seconds. Null for SQL NULL.
 */
export function newestInstant(raw: string | null, column: Column): number | null {
  if (raw === null) return null;
  if (column.valueClass === 'integer' || column.valueClass === 'decimal' || column.valueClass === 'float') {
    const seconds = Number(raw);
    if (!Number.isFinite(seconds)) throw new Error(`"${raw}" is not a number of Unix seconds`);
    return seconds * 1000;
  }
  const trimmed = raw.trim();
  if (/^\d{4,}-\d\d-\d\d$/.test(trimmed)) return Date.parse(`${trimmed}T00:00:00Z`);
  const canonical = canonicalTimestamp(trimmed);
  const match = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?$/.exec(canonical);
  if (!match) throw new Error(`column ${column.name} (${column.engineType}) is not a timestamp, date or Unix seconds`);
  // Date keeps milliseconds; finer fractions are dropped.
  const ms = Date.parse(`${match[1]}T${match[2]}${(match[3] ?? '').slice(0, 4)}Z`);
  if (Number.isNaN(ms)) throw new Error(`"${raw}" is not a valid timestamp`);
  return ms;
}

async function newestOf(context: SampleContext, check: FreshnessOptions, side: string): Promise<{ newest: number | null }> {
  const database = context.database(side, check.database);
  let value: { raw: string | null; column: Column } | undefined;
  try {
    const summary = await database.stream(check.sql_per_side[side] ?? check.sql, { maxRows: 1 }, (row: RawRow, columns: Column[]) => {
      const column = columns[0];
      if (columns.length !== 1 || !column)
        throw new SampleError('query', `the freshness query must return one column, got ${columns.length}`);
      value = { raw: row[0] ?? null, column };
    });
    if (summary.rowCount === 0) return { newest: null };
  } catch (error) {
    if (error instanceof SampleError && error.reason === 'limit') {
      throw new SampleError(
        'query',
        `the freshness query on ${side} returned more than one row; it must return the newest timestamp only (e.g. SELECT max(updated_at) FROM ...)`,
      );
    }
    throw error;
  }
  if (!value) return { newest: null };
  try {
    return { newest: newestInstant(value.raw, value.column) };
  } catch (error) {
    throw new SampleError('parse', `freshness value on ${side}: ${(error as Error).message}`);
  }
}

const seconds = (ms: number) => ms / 1000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const freshnessKind: CheckKind<FreshnessOptions> = {
  kind: 'freshness',
  description: 'newest timestamp of a dataset on both sides: lag behind the baseline and age of the candidate against max_age',
  dimension: 'freshness',
  schema,

  references(check, root): CheckProblem[] {
    return sqlCheckReferences(root, check);
  },

  async run(check, context): Promise<KindResult> {
    const [baseline, candidate] = await Promise.all([newestOf(context, check, check.baseline), newestOf(context, check, check.candidate)]);
    const now = Date.now();
    // No row (or NULL) on a side: its data is infinitely old.
    const ageMs = (newest: number | null) => (newest === null ? Number.POSITIVE_INFINITY : now - newest);
    const candidateAge = ageMs(candidate.newest);
    const baselineAge = ageMs(baseline.newest);
    const lagMs =
      baseline.newest === null ? null : candidate.newest === null ? Number.POSITIVE_INFINITY : baseline.newest - candidate.newest;
    const fresh = candidateAge <= check.max_age;
    const lagWithin = check.max_lag === undefined || lagMs === null || lagMs <= check.max_lag;
    const passed = fresh && lagWithin;
    const series: MetricSample[] = [
      sample('fidelity_data_age_seconds', { check: check.name, side: check.baseline }, seconds(baselineAge)),
      sample('fidelity_data_age_seconds', { check: check.name, side: check.candidate }, seconds(candidateAge)),
      sample('fidelity_freshness_max_age_seconds', { check: check.name }, seconds(check.max_age)),
    ];
    if (lagMs !== null)
      series.push(
        sample('fidelity_data_lag_seconds', { check: check.name, baseline: check.baseline, candidate: check.candidate }, seconds(lagMs)),
      );
    const hours = (ms: number) => (Number.isFinite(ms) ? `${(ms / 3_600_000).toFixed(1)} h` : 'no data');
    const summary =
      candidate.newest === null
        ? `${check.candidate} has no data (the query returned no timestamp)`
        : `${check.candidate} data is ${hours(candidateAge)} old (max ${hours(check.max_age)})` +
          (lagMs === null
            ? `; ${check.baseline} has no data`
            : lagMs < 0
              ? `, ${hours(-lagMs)} ahead of ${check.baseline}`
              : `, ${hours(lagMs)} behind ${check.baseline}`) +
          (lagWithin ? '' : ` (max lag ${hours(check.max_lag ?? 0)})`);
    return unlessNothingCompared(
      {
        passed,
        summary,
        series,
        scores: [{ candidate: check.candidate, value: passed ? 1 : 0 }],
        details: {
          database: check.database,
          now: iso(now),
          maxAgeSeconds: seconds(check.max_age),
          ...(check.max_lag !== undefined ? { maxLagSeconds: seconds(check.max_lag) } : {}),
          lagSeconds: lagMs === null ? null : Number.isFinite(lagMs) ? seconds(lagMs) : 'no data on the candidate',
          sides: {
            [check.baseline]: { newest: iso(baseline.newest), ageSeconds: Number.isFinite(baselineAge) ? seconds(baselineAge) : null },
            [check.candidate]: { newest: iso(candidate.newest), ageSeconds: Number.isFinite(candidateAge) ? seconds(candidateAge) : null },
          },
          fresh,
          lagWithinLimit: lagWithin,
        },
      },
      passed && baseline.newest === null
        ? `${check.baseline} has no data (the query returned no timestamp): nothing to compare ${check.candidate}'s freshness with`
        : undefined,
    );
  },
};
