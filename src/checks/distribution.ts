import { z } from 'zod';
import { compareColumn, type ColumnSides, type ColumnVerdict, type Histogram, type Moments } from '../compare/distribution-columns.js';
import { defaultThresholds, statistics, type Thresholds } from '../compare/distribution.js';
import { bandsOf, calibrated } from '../compare/distribution-calibration.js';
import { identifier, positiveInt } from '../config/fields.js';
import { checkSchema } from '../config/schema.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, KindResult, KindOptions } from './check.js';
import { profileSide, ShapeExchange } from './distribution-profile.js';
import type { ColumnProfile, ColumnShape, ProfileRequest, SideProfile } from './distribution-types.js';
import { unlessNothingCompared } from './evidence.js';
import { databaseReferences, sqlCheckReferences } from './references.js';
import { parseTableName } from './sampling.js';

/**
 * `distribution`: whether each column of the candidate is spread like the baseline's (shares, not
 * counts), from profiles both databases compute; for staging that is a subset, a masked copy or
 * synthetic data, where `query` and `table` see every row differ (docs/checks/distribution.md).
 */

const columnSchema = z.union([
  identifier,
  z.strictObject({
    name: identifier,
    /** The column holds masked data: compared by its lengths and shapes only, never its values. */
    masked: z.boolean().default(false),
  }),
]);

const thresholdsSchema = z.strictObject(
  Object.fromEntries(statistics.map((name) => [name, z.number().min(0).optional()])) as Record<
    (typeof statistics)[number],
    z.ZodOptional<z.ZodNumber>
  >,
);

const schema = checkSchema('distribution', {
  database: identifier,
  /** `table` or `schema.table`; or `sql`, a query whose result is profiled (exactly one of the two). */
  table: identifier.optional(),
  sql: z.string().min(1).optional(),
  /** Side name -> SQL used on that side instead of `sql`. */
  sql_per_side: z.record(identifier, z.string().min(1)).default({}),
  /** Default: every column of the table. */
  columns: z.array(columnSchema).min(1).optional(),
  /** Columns a MySQL/MariaDB sample hashes to pick rows (the key); default: the compared columns. */
  key: z.array(identifier).min(1).optional(),
  sample_fraction: z.number().gt(0).max(1).optional(),
  sample_rows: positiveInt.optional(),
  seed: z.number().int().min(0).max(2_147_483_647).default(1),
  bins: z.number().int().min(10).max(50).default(20),
  top_values: z.number().int().min(2).max(100).default(20),
  thresholds: thresholdsSchema.default({}),
  /** Candidate rows / baseline rows expected (0.1 for a 10 % subset); unset: not judged. */
  expected_ratio: z.number().gt(0).optional(),
  ratio_tolerance: z.number().min(0).max(10).default(0.25),
  /** Judge each column against its own noise: the distances between two disjoint halves of the baseline. */
  calibrate: z.boolean().default(false),
  /** With `calibrate`: a distance drifts above this many times the halves' band (and the threshold). */
  calibration_factor: z.number().min(1).max(10).default(3),
  /** With `calibrate`: how many different splits of the baseline into two halves (each reads the baseline twice). */
  calibration_splits: z.number().int().min(1).max(10).default(4),
});

type DistributionOptions = KindOptions<typeof schema>;

function wantedColumns(check: DistributionOptions & { sensitive_columns?: string[] }, databaseSensitive: string[]) {
  if (!check.columns) return null;
  const sensitive = new Set([...(check.sensitive_columns ?? []), ...databaseSensitive].map((name) => name.toLowerCase()));
  return check.columns.map((column) => {
    const name = typeof column === 'string' ? column : column.name;
    const masked = typeof column === 'string' ? false : column.masked;
    return { name, lengthsOnly: masked || sensitive.has(name.toLowerCase()) };
  });
}

function thresholdsOf(check: DistributionOptions): Thresholds {
  const configured = Object.fromEntries(Object.entries(check.thresholds).filter(([, value]) => value !== undefined));
  return { ...defaultThresholds, ...configured };
}

function momentsOf(profile: ColumnProfile | undefined): Moments {
  return profile?.measure ?? { mean: null, sd: null, min: null, max: null, p1: null, p50: null, p99: null };
}

/** Both sides' profiles of one column, in the shape the pure comparison takes. */
function columnSides(base: ColumnProfile, cand: ColumnProfile, shape: ColumnShape, baseRows: number, candRows: number): ColumnSides {
  const histogram = (edges: number[], b: { counts: number[]; sums: number[] }, c: { counts: number[]; sums: number[] }): Histogram => ({
    edges,
    baseline: b.counts,
    candidate: c.counts,
    baselineSums: b.sums,
    candidateSums: c.sums,
    moments: { baseline: momentsOf(base), candidate: momentsOf(cand) },
  });
  const sides: ColumnSides = {
    name: base.name,
    family: base.family,
    rows: { baseline: baseRows, candidate: candRows },
    nulls: { baseline: baseRows - base.nonNull, candidate: candRows - cand.nonNull },
    distinct: {
      baseline: { distinct: base.distinct, rows: base.nonNull, top: base.top.map((entry) => entry.count) },
      candidate: { distinct: cand.distinct, rows: cand.nonNull, top: cand.top.map((entry) => entry.count) },
    },
  };
  if (shape.valueEdges.length > 0) sides.values = histogram(shape.valueEdges, base.valueBins, cand.valueBins);
  if (shape.lengthEdges.length > 0) sides.lengths = histogram(shape.lengthEdges, base.lengthBins, cand.lengthBins);
  const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);
  const counted = (values: string[], complete: boolean, listed: [number[], number[]], candidateTop: ColumnProfile['top']) => ({
    values,
    complete,
    baseline: listed[0],
    candidate: listed[1],
    baselineRest: Math.max(0, base.nonNull - sum(listed[0])),
    candidateRest: Math.max(0, cand.nonNull - sum(listed[1])),
    candidateExtra: candidateTop.filter((entry) => !values.includes(entry.value)),
  });
  if (base.family === 'categorical' || base.family === 'text')
    sides.categories = counted(shape.values, shape.complete, [base.listed, cand.listed], cand.top);
  if (base.family === 'length')
    sides.shapes = counted(shape.shapes, shape.shapesComplete, [base.listedShapes, cand.listedShapes], cand.shapes);
  return sides;
}

interface Unseen {
  name: string;
  column: string;
  drifted: false;
  comparable: false;
  reason: string;
}

export const distributionKind: CheckKind<DistributionOptions> = {
  kind: 'distribution',
  description: 'per column, whether the candidate is spread like the baseline (KS, Wasserstein, TV, Jensen-Shannon, PSI, null share)',
  dimension: 'data',
  schema,

  references(check, root): CheckProblem[] {
    const problems = check.sql
      ? sqlCheckReferences(root, { ...check, sql: check.sql })
      : databaseReferences(root, check.database, [check.baseline, check.candidate]);
    if ((check.table === undefined) === (check.sql === undefined))
      problems.push({ path: [], message: 'set `table` or `sql` (the relation profiled on both sides), exactly one of the two' });
    if (check.sql === undefined && Object.keys(check.sql_per_side).length > 0)
      problems.push({ path: ['sql_per_side'], message: 'sql_per_side overrides `sql`: set `sql` too' });
    if (check.sample_fraction !== undefined && check.sample_rows !== undefined)
      problems.push({ path: ['sample_rows'], message: 'set sample_rows or sample_fraction, not both' });
    const seen = new Set<string>();
    (check.columns ?? []).forEach((column, index) => {
      const name = (typeof column === 'string' ? column : column.name).toLowerCase();
      if (seen.has(name)) problems.push({ path: ['columns', index], message: `column "${name}" is listed twice` });
      seen.add(name);
    });
    return problems;
  },

  async run(check, context): Promise<KindResult> {
    const sensitiveOf = (side: string) => context.environment(side).databases[check.database]?.sensitive_columns ?? [];
    const request = (side: string): ProfileRequest => ({
      source: check.table !== undefined ? { table: parseTableName(check.table) } : { sql: check.sql_per_side[side] ?? check.sql ?? '' },
      columns: wantedColumns(check, [...sensitiveOf(check.baseline), ...sensitiveOf(check.candidate)]),
      fraction: check.sample_fraction ?? (check.sample_rows === undefined ? 1 : null),
      sampleRows: check.sample_rows ?? null,
      seed: check.seed,
      key: check.key ?? [],
      bins: check.bins,
      topValues: check.top_values,
    });
    const exchange = new ShapeExchange();
    const side = (name: string, half?: ProfileRequest['half']) => {
      const database = context.database(name, check.database);
      const wanted = { ...request(name), ...(half === undefined ? {} : { half }) };
      return database.readOnly((session) =>
        profileSide(session, database.dialect, wanted, exchange, name === check.baseline && half === undefined),
      );
    };
    const baselineRun = side(check.baseline);
    // The candidate bins by the baseline's edges: it waits for them (or the baseline's failure).
    baselineRun.catch((error: unknown) => exchange.fail(error));
    const [baseline, candidate] = await Promise.all([baselineRun, side(check.candidate)]);
    const baselineShapes = await exchange.shapes();
    // Self-calibration: splits of the baseline's sample into two disjoint halves, binned on its edges (one split at a time).
    const splits: SideProfile[][] = [];
    for (let split = 0; check.calibrate && split < check.calibration_splits; split++)
      splits.push(await Promise.all(([0, 1] as const).map((half) => side(check.baseline, { split, side: half }))));
    return judgeSides(check, baseline, candidate, baselineShapes, splits);
  },
};

const sampling = (profile: SideProfile) => ({
  fraction: profile.fraction,
  sampledRows: profile.rows,
  estimatedRows: profile.estimatedRows,
  edgeFraction: profile.edgeFraction,
});

function judgeSides(
  check: DistributionOptions & { name: string; baseline: string; candidate: string },
  baseline: SideProfile,
  candidate: SideProfile,
  shapes: Map<string, ColumnShape>,
  splits: SideProfile[][],
): KindResult {
  const thresholds = thresholdsOf(check);
  const { verdicts, unseen } = verdictsOf(check, baseline, candidate, shapes, thresholds);
  const calibratedVerdicts =
    splits.length > 0 ? verdicts.map((verdict) => withBand(verdict, splits, shapes, thresholds, check.calibration_factor)) : verdicts;
  return resultOf(check, baseline, candidate, calibratedVerdicts, unseen, thresholds);
}

/** The verdict judged again against the band of the baseline's halves (compare/distribution-calibration.ts). */
function withBand(
  verdict: ColumnVerdict,
  splits: SideProfile[][],
  shapes: Map<string, ColumnShape>,
  thresholds: Thresholds,
  factor: number,
) {
  const shape = shapes.get(verdict.name.toLowerCase());
  const between = splits.flatMap(([a, b]) => {
    const [first, second] = [a, b].map((half) => half?.columns.find((column) => column.name.toLowerCase() === verdict.name.toLowerCase()));
    if (!a || !b || !first || !second || !shape) return [];
    return [compareColumn(columnSides(first, second, shape, a.rows, b.rows), thresholds)];
  });
  return between.length > 0 ? calibrated(verdict, bandsOf(between, verdict.rows), factor) : verdict;
}

function verdictsOf(
  check: DistributionOptions & { baseline: string; candidate: string },
  baseline: SideProfile,
  candidate: SideProfile,
  shapes: Map<string, ColumnShape>,
  thresholds: Thresholds,
): { verdicts: ColumnVerdict[]; unseen: Unseen[] } {
  const candidateColumns = new Map(candidate.columns.map((column) => [column.name.toLowerCase(), column]));
  const verdicts: ColumnVerdict[] = [];
  const unseen: Unseen[] = [];
  for (const base of baseline.columns) {
    const cand = candidateColumns.get(base.name.toLowerCase());
    const shape = shapes.get(base.name.toLowerCase());
    const reason = !cand
      ? `not in the ${check.candidate} table`
      : cand.family !== base.family
        ? `compared as ${base.family} on ${check.baseline} but ${cand.family} on ${check.candidate} (${base.valueClass} vs ${cand.valueClass})`
        : undefined;
    if (reason || !cand || !shape)
      unseen.push({ name: base.name, column: base.name, drifted: false, comparable: false, reason: reason ?? 'no profile' });
    else verdicts.push(compareColumn(columnSides(base, cand, shape, baseline.rows, candidate.rows), thresholds));
  }
  return { verdicts, unseen };
}

function resultOf(
  check: DistributionOptions & { name: string; baseline: string; candidate: string },
  baseline: SideProfile,
  candidate: SideProfile,
  verdicts: ColumnVerdict[],
  unseen: Unseen[],
  thresholds: Thresholds,
): KindResult {
  const estimate = (profile: SideProfile) => (profile.fraction > 0 ? profile.rows / profile.fraction : profile.rows);
  const rowRatio = estimate(baseline) > 0 ? estimate(candidate) / estimate(baseline) : 0;
  const ratioOff = check.expected_ratio !== undefined && Math.abs(rowRatio / check.expected_ratio - 1) > check.ratio_tolerance;
  const drifted = verdicts.filter((verdict) => verdict.drifted);
  const within = verdicts.length - drifted.length;
  const total = verdicts.length + unseen.length;
  const labels = { check: check.name, baseline: check.baseline, candidate: check.candidate };
  const parts = [
    drifted.length === 0
      ? `no column of ${total} drifted`
      : `${drifted.length} of ${total} columns drifted: ${drifted.map((v) => v.name).join(', ')}`,
    ...(unseen.length > 0 ? [`not compared: ${unseen.map((u) => `${u.name} (${u.reason})`).join('; ')}`] : []),
    ...(ratioOff ? [`row ratio ${rowRatio.toFixed(3)}, expected ${check.expected_ratio}`] : []),
  ];
  const result: KindResult = {
    passed: drifted.length === 0 && unseen.length === 0 && !ratioOff,
    summary: parts.join('; '),
    series: [
      ...verdicts.flatMap((verdict) => [
        ...Object.entries(verdict.statistics).map(([statistic, judged]) =>
          sample('fidelity_distribution_distance', { ...labels, column: verdict.name, statistic }, judged.distance),
        ),
        sample(
          'fidelity_distribution_null_ratio',
          { check: check.name, column: verdict.name, side: check.baseline },
          verdict.nullShare.baseline,
        ),
        sample(
          'fidelity_distribution_null_ratio',
          { check: check.name, column: verdict.name, side: check.candidate },
          verdict.nullShare.candidate,
        ),
        sample('fidelity_distribution_column_drifted', { ...labels, column: verdict.name }, verdict.drifted ? 1 : 0),
      ]),
      sample('fidelity_distribution_drifted_columns', labels, drifted.length + unseen.length),
      sample('fidelity_distribution_row_ratio', labels, rowRatio),
    ],
    // The data score: the share of columns within their thresholds (a column not compared is not within).
    scores: [{ candidate: check.candidate, value: total > 0 ? within / total : 0 }],
    details: {
      database: check.database,
      ...(check.table !== undefined ? { table: check.table } : { source: 'sql' }),
      thresholds,
      ...(check.calibrate ? { calibration: { factor: check.calibration_factor, splits: check.calibration_splits } } : {}),
      rowRatio: { value: rowRatio, expected: check.expected_ratio ?? null, tolerance: check.ratio_tolerance, passed: !ratioOff },
      sampling: {
        [check.baseline]: sampling(baseline),
        [check.candidate]: sampling(candidate),
      },
      columns: [...verdicts, ...unseen],
    },
  };
  return unlessNothingCompared(
    result,
    baseline.rows === 0
      ? `the ${check.baseline} sample of ${check.table ?? 'the query'} has no rows: no distribution to compare`
      : undefined,
  );
}
