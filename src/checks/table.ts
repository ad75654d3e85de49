import { DuplicateKeyError } from '../compare/merge.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, KindResult } from './check.js';
import { SampleError } from '../core/errors.js';
import { unlessNothingCompared } from './evidence.js';
import { databaseReferences } from './references.js';
import { tableSchema as schema, type TableCheck, type TableOptions, type Role } from './table-options.js';
import { Comparison } from './table-comparison.js';
import {
  BusyClock,
  chooseHash,
  checkUniqueKey,
  describeSide,
  planColumns,
  sideSql,
  utcText,
  type Side,
  type SideInfo,
} from './table-sides.js';

/**
 * `table`: whole tables compared by key. Each database computes per-bucket checksums over key
 * ranges (a few bytes per bucket come back); mismatching buckets are bisected until small, then
 * their rows are fetched and merged on the key, so differences are named by exact key. When too
 * many buckets differ, both tables are merged in key order page by page (bounded memory).
 */

/** One side's part of the details: its engine, table, rows and the time its statements took. */
function sideDetails(side: Side, rowCount: number) {
  return {
    engine: side.info.engine,
    table: side.info.tableText,
    rows: rowCount,
    durationSeconds: side.clock.ms / 1000,
    statements: side.clock.statements,
  };
}

/** Runs the comparison by the strategy it chose; a key seen twice on a side is a configuration error. */
async function compareSides(
  comparison: Comparison,
  keyNames: readonly string[],
  infos: Record<Role, SideInfo>,
  rowByRow: boolean,
): Promise<void> {
  try {
    if (rowByRow) await comparison.compareAllRows();
    else if (comparison.progress.strategy === 'integer-buckets') await comparison.compareIntegerKeys();
    else await comparison.compareByQuantiles();
  } catch (error) {
    if (error instanceof DuplicateKeyError) {
      const info = infos[error.side];
      throw new SampleError(
        'config',
        `key (${keyNames.join(', ')}) is not unique in table "${info.tableText}" on side "${info.side}": ${JSON.stringify(error.key)} appears more than once`,
      );
    }
    throw error;
  }
}

export const tableKind: CheckKind<TableOptions> = {
  kind: 'table',
  description: 'whole tables compared by key: in-database checksums over key ranges, differing keys named exactly',
  dimension: 'data',
  schema,

  references(check, root): CheckProblem[] {
    const problems = databaseReferences(root, check.database, [check.baseline, check.candidate]);
    for (const side of Object.keys(check.table_per_side)) {
      if (side !== check.baseline && side !== check.candidate) {
        problems.push({ path: ['table_per_side', side], message: `"${side}" is neither the baseline nor the candidate of this check` });
      }
    }
    check.key.forEach((key, index) => {
      if (check.ignore_columns.includes(key)) problems.push({ path: ['key', index], message: `key column "${key}" cannot be ignored` });
    });
    if (new Set(check.key).size !== check.key.length) problems.push({ path: ['key'], message: 'key columns must be distinct' });
    return problems;
  },

  async run(check, context): Promise<KindResult> {
    const started = performance.now();
    const full: TableCheck = check;
    const wantMd5 = check.hash === 'auto';
    const [infoA, infoB] = await Promise.all([
      describeSide(context, full, check.baseline, wantMd5),
      describeSide(context, full, check.candidate, wantMd5),
    ]);
    const plan = planColumns(full, infoA, infoB);
    const hash = chooseHash(full, infoA, infoB, plan);
    const cutoff = check.filter ? utcText(new Date(Date.now() - check.filter.min_age)) : undefined;
    const makeSide = (role: Role, info: SideInfo): Side => ({
      role,
      info,
      db: context.database(info.side, check.database),
      sql: sideSql(info, plan, hash, cutoff, check.filter?.column),
      clock: new BusyClock(),
    });
    const baseline = makeSide('baseline', infoA);
    const candidate = makeSide('candidate', infoB);
    await Promise.all([checkUniqueKey(baseline, plan.keyNames), checkUniqueKey(candidate, plan.keyNames)]);

    const comparison = new Comparison(full, context, baseline, candidate, plan, check.max_examples ?? context.defaults.max_examples);
    await compareSides(comparison, plan.keyNames, { baseline: infoA, candidate: infoB }, plan.rowByRow);

    const { counts, examples } = comparison.merge;
    const differences = comparison.merge.differences;
    const rows = comparison.rows;
    const ratio = differences / Math.max(1, rows.baseline, rows.candidate);
    const match = differences === 0;
    const pair = { check: check.name, baseline: check.baseline, candidate: check.candidate };
    const seconds = (ms: number) => ms / 1000;
    const summary = match
      ? `${rows.baseline} rows identical`
      : `${differences} of ${Math.max(rows.baseline, rows.candidate)} rows differ (missing ${counts.missing}, extra ${counts.extra}, changed ${counts.changed})`;
    return unlessNothingCompared(
      {
        passed: match,
        summary,
        series: [
          sample('fidelity_table_match', pair, match ? 1 : 0),
          sample('fidelity_table_missing_rows', pair, counts.missing),
          sample('fidelity_table_extra_rows', pair, counts.extra),
          sample('fidelity_table_changed_rows', pair, counts.changed),
          sample('fidelity_table_difference_ratio', pair, ratio),
          sample('fidelity_table_rows', { check: check.name, side: check.baseline }, rows.baseline),
          sample('fidelity_table_rows', { check: check.name, side: check.candidate }, rows.candidate),
          sample('fidelity_table_duration_seconds', { check: check.name, side: check.baseline }, seconds(baseline.clock.ms)),
          sample('fidelity_table_duration_seconds', { check: check.name, side: check.candidate }, seconds(candidate.clock.ms)),
        ],
        scores: [{ candidate: check.candidate, value: Math.max(0, 1 - ratio) }],
        details: {
          database: check.database,
          key: plan.keyNames,
          columns: plan.valueNames,
          hash,
          strategy: comparison.progress.strategy,
          ...(cutoff ? { filter: { column: check.filter?.column, olderThan: cutoff } } : {}),
          sides: {
            [check.baseline]: sideDetails(baseline, rows.baseline),
            [check.candidate]: sideDetails(candidate, rows.candidate),
          },
          missingRows: counts.missing,
          extraRows: counts.extra,
          changedRows: counts.changed,
          differenceRatio: ratio,
          segments: comparison.progress,
          durationSeconds: seconds(performance.now() - started),
          examples,
        },
      },
      rows.baseline === 0 && rows.candidate === 0
        ? `table ${baseline.info.tableText} has no rows on either side${cutoff ? ' (after the filter)' : ''}: nothing compared`
        : undefined,
    );
  },
};
