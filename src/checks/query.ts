import { z } from 'zod';
import type { RowsComparison } from '../compare/rows.js';
import { compareByDigests, PENDING_ROWS, type OnRow } from '../compare/digest-compare.js';
import { firstPassInThread } from '../connectors/digest-thread.js';
import { checkSchema } from '../config/schema.js';
import { identifier } from '../config/fields.js';
import { sample } from '../metrics/catalogue.js';
import type { RowSink } from '../connectors/database.js';
import type { CheckKind, CheckProblem, KindResult, SampleContext, KindOptions } from './check.js';
import { unlessNothingCompared } from './evidence.js';
import { sqlCheckReferences } from './references.js';

/** `query`: the same SQL (or a per-side override) on both sides, result sets compared. */

const tolerance = z.strictObject({
  absolute: z.number().nonnegative().optional(),
  relative: z.number().nonnegative().optional(),
});

const schema = checkSchema('query', {
  database: identifier,
  sql: z.string().min(1),
  /** Side name -> SQL used on that side instead of `sql` (a renamed table in staging, say). */
  sql_per_side: z.record(identifier, z.string().min(1)).default({}),
  ordered: z.boolean().default(false),
  /** No rows on both sides is a match; by default it is inconclusive (nothing was compared). */
  allow_empty: z.boolean().default(false),
  key: z.array(z.string()).default([]),
  ignore_columns: z.array(z.string()).default([]),
  tolerance: tolerance.optional(),
  column_tolerance: z.record(z.string(), tolerance).default({}),
  max_rows: z.number().int().positive().optional(),
  max_examples: z.number().int().min(0).max(1000).optional(),
});

type QueryOptions = KindOptions<typeof schema>;

function sqlFor(check: QueryOptions, side: string): string {
  return check.sql_per_side[side] ?? check.sql;
}

/**
 * One side's reader: each call runs the statement again (compare/digest-compare.ts reads again when
 * too many rows differ). The first read is a bulk read (COPY text on PostgreSQL) digested in a worker thread.
 */
function sideReader(context: SampleContext, check: QueryOptions, side: string, maxRows: number) {
  const database = context.database(side, check.database);
  const sql = sqlFor(check, side);
  return {
    engine: database.engine,
    read: (onRow: OnRow) => database.stream(sql, { maxRows }, onRow),
    bulk: (sink: RowSink) => database.readOnly((session) => session.bulk(sql, { maxRows }, sink)),
  };
}

function describe(comparison: RowsComparison): string {
  if (comparison.columnProblems.length > 0) return `columns differ: ${comparison.columnProblems.join('; ')}`;
  const rows = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;
  if (comparison.match) return `${rows(comparison.baselineRows)} identical`;
  return `${rows(comparison.mismatchedRows)} ${comparison.mismatchedRows === 1 ? 'differs' : 'differ'} (missing ${comparison.missingRows}, extra ${comparison.extraRows}, changed ${comparison.changedRows})`;
}

export const queryKind: CheckKind<QueryOptions> = {
  kind: 'query',
  description: 'the same SQL on both sides, result sets compared as multisets or in order',
  dimension: 'data',
  schema,

  references(check, root): CheckProblem[] {
    return sqlCheckReferences(root, check);
  },

  async run(check, context): Promise<KindResult> {
    const maxRows = check.max_rows ?? context.defaults.max_rows;
    const sides = {
      baseline: sideReader(context, check, check.baseline, maxRows),
      candidate: sideReader(context, check, check.candidate, maxRows),
    };
    const options = {
      ordered: check.ordered,
      key: check.key,
      ignoreColumns: check.ignore_columns,
      tolerances: { ...(check.tolerance ? { '*': check.tolerance } : {}), ...check.column_tolerance },
      maxExamples: check.max_examples ?? context.defaults.max_examples,
    };
    const { comparison, ...read } = await compareByDigests(
      { baseline: sides.baseline.read, candidate: sides.candidate.read },
      options,
      PENDING_ROWS,
      () =>
        firstPassInThread([sides.baseline.bulk, sides.candidate.bulk], {
          ordered: check.ordered,
          ignoreColumns: check.ignore_columns,
          pendingLimit: PENDING_ROWS,
        }),
    );
    const baseline = { engine: sides.baseline.engine, summary: read.baseline };
    const candidate = { engine: sides.candidate.engine, summary: read.candidate };
    const pair = { check: check.name, baseline: check.baseline, candidate: check.candidate };
    const seconds = (ms: number) => ms / 1000;
    const ratio = baseline.summary.durationMs > 0 ? candidate.summary.durationMs / baseline.summary.durationMs : 1;
    return unlessNothingCompared(
      {
        passed: comparison.match,
        summary: describe(comparison),
        series: [
          sample('fidelity_query_match', pair, comparison.match ? 1 : 0),
          sample('fidelity_query_mismatched_rows', pair, comparison.mismatchedRows),
          sample('fidelity_query_duration_ratio', pair, ratio),
          sample('fidelity_query_rows', { check: check.name, side: check.baseline }, comparison.baselineRows),
          sample('fidelity_query_rows', { check: check.name, side: check.candidate }, comparison.candidateRows),
          sample('fidelity_query_duration_seconds', { check: check.name, side: check.baseline }, seconds(baseline.summary.durationMs)),
          sample('fidelity_query_duration_seconds', { check: check.name, side: check.candidate }, seconds(candidate.summary.durationMs)),
        ],
        scores: [{ candidate: check.candidate, value: comparison.match ? 1 : 0 }],
        details: {
          database: check.database,
          ordered: check.ordered,
          sides: {
            [check.baseline]: {
              engine: baseline.engine,
              rows: comparison.baselineRows,
              durationSeconds: seconds(baseline.summary.durationMs),
              columns: baseline.summary.columns,
            },
            [check.candidate]: {
              engine: candidate.engine,
              rows: comparison.candidateRows,
              durationSeconds: seconds(candidate.summary.durationMs),
              columns: candidate.summary.columns,
            },
          },
          mismatchedRows: comparison.mismatchedRows,
          missingRows: comparison.missingRows,
          extraRows: comparison.extraRows,
          changedRows: comparison.changedRows,
          columnProblems: comparison.columnProblems,
          // Times each side ran the statement (docs/checks/query.md, "Memory and reads").
          reads: read.reads,
          examples: comparison.examples,
        },
      },
      comparison.baselineRows === 0 && comparison.candidateRows === 0 && !check.allow_empty
        ? 'the query returned no rows on either side: nothing compared (set allow_empty: true when no rows is the expected answer)'
        : undefined,
    );
  },
};
