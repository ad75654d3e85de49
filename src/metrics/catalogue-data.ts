import { CACHED, spec, type MetricSpec } from './catalogue-spec.js';

/** Metrics of the data checks. */
export const dataMetrics = {
  // Data: query checks.
  fidelity_query_match: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Whether the query returned the same result on both sides (1) or not (0). ${CACHED}`,
  ),
  fidelity_query_rows: spec('data', 'gauge', ['check', 'side'], `Rows returned by the query on the side. ${CACHED}`),
  fidelity_query_mismatched_rows: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Rows that differ between the sides (missing + extra + changed). ${CACHED}`,
  ),
  fidelity_query_duration_seconds: spec(
    'data',
    'gauge',
    ['check', 'side'],
    `Time the query took on the side, rows streamed and canonicalised. ${CACHED}`,
  ),
  fidelity_query_duration_ratio: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Query duration on the candidate divided by the baseline's. ${CACHED}`,
  ),
  // Data: table checks (whole tables by key, docs/checks/table.md).
  fidelity_table_match: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Whether the table holds the same rows on both sides (1) or not (0). ${CACHED}`,
  ),
  fidelity_table_rows: spec('data', 'gauge', ['check', 'side'], `Rows of the table on the side (after the check's filter). ${CACHED}`),
  fidelity_table_missing_rows: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Keys present on the baseline and absent on the candidate. ${CACHED}`,
  ),
  fidelity_table_extra_rows: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Keys present on the candidate and absent on the baseline. ${CACHED}`,
  ),
  fidelity_table_changed_rows: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Keys present on both sides whose compared columns differ. ${CACHED}`,
  ),
  fidelity_table_difference_ratio: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Differing rows (missing + extra + changed) divided by the larger side's row count. ${CACHED}`,
  ),
  fidelity_table_duration_seconds: spec(
    'data',
    'gauge',
    ['check', 'side'],
    `Time the side spent answering the comparison's statements. ${CACHED}`,
  ),
  // Data: schema, plan and freshness checks.
  fidelity_schema_differences: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate', 'object'],
    `Schema differences between the sides by object type (table, column, type, nullability, default, primary_key, unique, foreign_key, index). ${CACHED}`,
  ),
  fidelity_plan_differences: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Configured queries whose EXPLAIN plan shape (node types, join methods, index names) differs between the sides. ${CACHED}`,
  ),
  fidelity_data_lag_seconds: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Newest timestamp of the dataset on the baseline minus the candidate's; +Inf when the candidate has no data. ${CACHED}`,
  ),
  fidelity_data_age_seconds: spec(
    'data',
    'gauge',
    ['check', 'side'],
    `Age of the newest timestamp of the dataset on the side at sample time; +Inf when the side has no data. ${CACHED}`,
  ),
  fidelity_freshness_max_age_seconds: spec(
    'data',
    'gauge',
    ['check'],
    'The max_age configured for the freshness check, so alert rules compare against config.',
  ),
  // Data: integrity, coverage and masking checks (docs/checks/integrity.md, coverage.md, masking.md).
  fidelity_integrity_violations: spec(
    'data',
    'gauge',
    ['check', 'relation'],
    `Orphan rows on the candidate: child rows whose reference matches no parent row, per relation (configured name or foreign key constraint name). ${CACHED}`,
  ),
  fidelity_data_coverage_ratio: spec(
    'data',
    'gauge',
    ['check', 'column', 'baseline', 'candidate'],
    `Share of the baseline's distinct values (or value shapes, for high-cardinality columns) in the sample that also occur in the candidate's sample, 0..1. ${CACHED}`,
  ),
  fidelity_data_coverage_missing: spec(
    'data',
    'gauge',
    ['check', 'column', 'baseline', 'candidate'],
    `Distinct values (or value shapes) of the baseline's sample missing from the candidate's sample. ${CACHED}`,
  ),
  // Data: distribution checks (docs/checks/distribution.md).
  fidelity_distribution_distance: spec(
    'data',
    'gauge',
    ['check', 'column', 'statistic', 'baseline', 'candidate'],
    `Distance between the baseline's and the candidate's distribution of one column, by statistic (ks, wasserstein in baseline standard deviations, psi, tv, js in base 2, null_share, length_ks, shape_tv and shape_js over a masked column's shapes, distinct: the distinct count's relative departure from what the row ratio predicts); 0 is identical. ${CACHED}`,
  ),
  fidelity_distribution_column_drifted: spec(
    'data',
    'gauge',
    ['check', 'column', 'baseline', 'candidate'],
    `1 when one of the column's distances exceeds its threshold and the sampling noise floor, else 0. ${CACHED}`,
  ),
  fidelity_distribution_null_ratio: spec(
    'data',
    'gauge',
    ['check', 'column', 'side'],
    `Share of NULL values of the column in the side's sample, 0..1. ${CACHED}`,
  ),
  fidelity_distribution_drifted_columns: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Columns of the distribution check that drifted or could not be compared. ${CACHED}`,
  ),
  fidelity_distribution_row_ratio: spec(
    'data',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Candidate rows / baseline rows (estimated from the samples); compared with expected_ratio when configured. ${CACHED}`,
  ),
  fidelity_masking_violations: spec(
    'data',
    'gauge',
    ['check', 'detector'],
    `Values in the candidate's sample flagged as personal data or secrets, by detector (email, phone, card, iban, ip, token, user patterns); detector="leak" counts masked values equal to the baseline's value of the same row. ${CACHED}`,
  ),
  fidelity_masking_sampled_rows: spec('data', 'gauge', ['check'], `Candidate rows the masking check sampled. ${CACHED}`),
} as const satisfies Record<string, MetricSpec>;
