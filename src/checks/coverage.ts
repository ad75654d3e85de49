import { z } from 'zod';
import { canonicalize } from '../compare/canonical.js';
import { ColumnProfile, compareCoverage, type ColumnCoverage, type CoverageMode } from '../compare/coverage.js';
import { checkSchema } from '../config/schema.js';
import { identifier, positiveInt } from '../config/fields.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, KindResult, SampleContext, KindOptions } from './check.js';
import { unlessNothingCompared } from './evidence.js';
import { databaseReferences } from './references.js';
import { parseTableName, sampleTable, type SampleOutcome } from './sampling.js';

/**
 * `coverage`: for configured columns, the share of the baseline's distinct values (or value
 * shapes, for high-cardinality columns) that also occur in the candidate, from bounded samples.
 */

const modes = ['auto', 'values', 'shapes'] as const;

const columnSchema = z.union([
  identifier,
  z.strictObject({
    name: identifier,
    mode: z.enum(modes).optional(),
    /** The column holds masked data: missing values are never shown, only their shapes. */
    masked: z.boolean().default(false),
  }),
]);

const schema = checkSchema('coverage', {
  database: identifier,
  /** `table` or `schema.table`. */
  table: identifier,
  columns: z.array(columnSchema).min(1),
  mode: z.enum(modes).default('auto'),
  sample_rows: positiveInt.max(1_000_000).default(10_000),
  max_distinct: positiveInt.max(100_000).default(1000),
  min_share: z.number().min(0).max(1).default(0),
  min_ratio: z.number().min(0).max(1).default(1),
  max_missing: z.number().int().min(0).max(1000).optional(),
});

type CoverageOptions = KindOptions<typeof schema>;

interface ColumnSetting {
  name: string;
  mode: CoverageMode;
  masked: boolean;
}

function columnSettings(check: CoverageOptions): ColumnSetting[] {
  return check.columns.map((column) =>
    typeof column === 'string'
      ? { name: column, mode: check.mode, masked: false }
      : { name: column.name, mode: column.mode ?? check.mode, masked: column.masked },
  );
}

async function profileSide(context: SampleContext, check: CoverageOptions, side: string, columns: ColumnSetting[]) {
  const database = context.database(side, check.database);
  const table = parseTableName(check.table);
  const profiles = columns.map(() => new ColumnProfile());
  const list = columns.map((column) => database.dialect.quote(column.name)).join(', ');
  const outcome: SampleOutcome = await database.readOnly((session) =>
    sampleTable(session, database.dialect, table, { list, params: [] }, check.sample_rows, (row, rowColumns) => {
      profiles.forEach((profile, index) => profile.add(canonicalize(rowColumns[index]?.valueClass ?? 'text', row[index] ?? null)));
    }),
  );
  return { profiles, outcome, engine: database.engine };
}

function describeColumn(name: string, coverage: ColumnCoverage): string {
  const what = coverage.mode === 'values' ? 'values' : 'shapes';
  return `${name}: ${coverage.covered} of ${coverage.baselineDistinct} ${what}`;
}

export const coverageKind: CheckKind<CoverageOptions> = {
  kind: 'coverage',
  description: "share of the baseline's distinct values or value shapes that also occur in the candidate, per column",
  dimension: 'data',
  schema,

  references(check, root): CheckProblem[] {
    const problems = databaseReferences(root, check.database, [check.baseline, check.candidate]);
    const seen = new Set<string>();
    columnSettings(check).forEach((column, index) => {
      if (seen.has(column.name)) problems.push({ path: ['columns', index], message: `column "${column.name}" is listed twice` });
      seen.add(column.name);
    });
    return problems;
  },

  async run(check, context): Promise<KindResult> {
    const columns = columnSettings(check);
    const [baseline, candidate] = await Promise.all([
      profileSide(context, check, check.baseline, columns),
      profileSide(context, check, check.candidate, columns),
    ]);
    const maxMissing = check.max_missing ?? context.defaults.max_examples;
    // Missing values help fix the candidate; the examples policy decides how they leave (results/privacy.ts).
    const results = columns.map((column, index) => ({
      column,
      coverage: compareCoverage(baseline.profiles[index] ?? new ColumnProfile(), candidate.profiles[index] ?? new ColumnProfile(), {
        mode: column.mode,
        maxDistinct: check.max_distinct,
        minShare: check.min_share,
        maxMissing,
        hideValues: column.masked,
      }),
    }));
    const passed = results.every(({ coverage }) => coverage.ratio >= check.min_ratio);
    const mean = results.reduce((sum, { coverage }) => sum + coverage.ratio, 0) / results.length;
    const sampling = (side: typeof baseline) => ({
      engine: side.engine,
      method: side.outcome.method,
      estimatedRows: side.outcome.estimatedRows,
      sampledRows: side.outcome.rows,
    });
    return unlessNothingCompared(
      {
        passed,
        summary: results.map(({ column, coverage }) => describeColumn(column.name, coverage)).join('; ') + ' covered',
        series: results.flatMap(({ column, coverage }) => [
          sample(
            'fidelity_data_coverage_ratio',
            { check: check.name, column: column.name, baseline: check.baseline, candidate: check.candidate },
            coverage.ratio,
          ),
          sample(
            'fidelity_data_coverage_missing',
            { check: check.name, column: column.name, baseline: check.baseline, candidate: check.candidate },
            coverage.missing,
          ),
        ]),
        scores: [{ candidate: check.candidate, value: mean }],
        details: {
          database: check.database,
          table: check.table,
          minRatio: check.min_ratio,
          sampling: { [check.baseline]: sampling(baseline), [check.candidate]: sampling(candidate) },
          columns: results.map(({ column, coverage }) => ({ column: column.name, masked: column.masked, ...coverage })),
        },
      },
      baseline.outcome.rows === 0
        ? `the ${check.baseline} sample of ${check.table} has no rows: no values to look for in ${check.candidate}`
        : undefined,
    );
  },
};
