/**
 * Every metric the exporter serves: name, type, help and labels, in one place. The collector,
 * docs/metrics.md, the dashboards and the alert rules are all checked against this list.
 */

export interface MetricSpec {
  type: 'gauge' | 'counter';
  help: string;
  labels: readonly string[];
  /** The group it is listed under in docs/metrics.md. */
  group: 'health' | 'scores' | 'data' | 'config' | 'behavior' | 'events';
}

const CACHED = 'Cached: computed by the last successful sample, not at scrape time.';

function spec<const L extends readonly string[]>(group: MetricSpec['group'], type: MetricSpec['type'], labels: L, help: string) {
  return { group, type, labels, help } as const;
}

export const catalogue = {
  // Exporter and check health.
  fidelity_build_info: spec('health', 'gauge', ['version', 'nodejs'], 'Build information of the exporter; always 1.'),
  fidelity_config_last_reload_successful: spec('health', 'gauge', [], 'Whether the last configuration load succeeded (1) or failed (0).'),
  fidelity_config_last_reload_success_timestamp_seconds: spec('health', 'gauge', [], 'Unix time of the last successful configuration load.'),
  fidelity_check_success: spec('health', 'gauge', ['check', 'kind'], 'Whether the last sample of the check succeeded (1) or failed (0); comparison series exist only while it is 1.'),
  fidelity_check_duration_seconds: spec('health', 'gauge', ['check', 'kind'], 'Wall time of the last sample of the check.'),
  fidelity_check_last_run_timestamp_seconds: spec('health', 'gauge', ['check', 'kind'], 'Unix time at which the last sample of the check finished.'),
  fidelity_check_last_success_timestamp_seconds: spec('health', 'gauge', ['check', 'kind'], 'Unix time at which the last successful sample of the check finished; how old the cached comparison values are.'),
  fidelity_check_runs_total: spec('health', 'counter', ['check', 'kind', 'outcome'], 'Samples run, by outcome (success, failure).'),
  fidelity_check_errors_total: spec('health', 'counter', ['check', 'kind', 'reason'], 'Failed samples by reason (timeout, connect, auth, query, read_only, limit, parse, http_status, config, canceled, internal).'),
  fidelity_check_skipped_total: spec('health', 'counter', ['check', 'kind'], 'Scheduled runs skipped because the previous sample of the check was still running.'),
  fidelity_side_up: spec('health', 'gauge', ['side'], 'Whether every database of the environment answered the last probe (1) or not (0).'),
  fidelity_side_database_up: spec('health', 'gauge', ['side', 'database'], 'Whether the database of the environment answered the last probe.'),

  // Scores.
  fidelity_score: spec('scores', 'gauge', ['dimension', 'candidate'], `Fidelity score of the candidate per dimension, 0..1 (1 = staging predicts production faithfully). ${CACHED}`),

  // Data: query checks.
  fidelity_query_match: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Whether the query returned the same result on both sides (1) or not (0). ${CACHED}`),
  fidelity_query_rows: spec('data', 'gauge', ['check', 'side'], `Rows returned by the query on the side. ${CACHED}`),
  fidelity_query_mismatched_rows: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Rows that differ between the sides (missing + extra + changed). ${CACHED}`),
  fidelity_query_duration_seconds: spec('data', 'gauge', ['check', 'side'], `Time the query took on the side, rows streamed and canonicalised. ${CACHED}`),
  fidelity_query_duration_ratio: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Query duration on the candidate divided by the baseline's. ${CACHED}`),
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof catalogue;
export type LabelsOf<N extends MetricName> = Record<(typeof catalogue)[N]['labels'][number], string>;

/** One value of a catalogued metric, produced by a check's result and rendered at scrape time. */
export interface MetricSample {
  metric: MetricName;
  labels: Record<string, string>;
  value: number;
}

export function sample<N extends MetricName>(metric: N, labels: LabelsOf<N>, value: number): MetricSample {
  return { metric, labels, value };
}
