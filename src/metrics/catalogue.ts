/**
 * Every metric the exporter serves: name, type, help and labels, in one place. The collector,
 * docs/metrics.md, the dashboards and the alert rules are all checked against this list. The
 * process and Node.js runtime metrics prom-client serves are listed at the end (runtimeCatalogue).
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
  fidelity_check_errors_total: spec('health', 'counter', ['check', 'kind', 'reason'], 'Failed samples by reason (timeout, connect, auth, permission, query, read_only, limit, parse, http_status, config, canceled, internal).'),
  fidelity_check_inconclusive: spec('health', 'gauge', ['check', 'kind'], 'Whether the last sample of the check succeeded but found nothing to compare (1: no relations, tables or rows where the configuration implies some; no score, the gate counts it as inconclusive) or compared something (0); absent while the last sample failed.'),
  fidelity_check_skipped_total: spec('health', 'counter', ['check', 'kind'], 'Scheduled runs skipped because the previous sample of the check was still running.'),
  fidelity_side_up: spec('health', 'gauge', ['side'], 'Whether every database of the environment answered the last probe (1) or not (0).'),
  fidelity_prober_realtime: spec('health', 'gauge', [], 'Whether the HTTP prober thread of flow, fault and virtual checks runs under real-time scheduling (1: prober.scheduling is realtime and the kernel accepted it) or normal scheduling (0).'),
  fidelity_side_database_up: spec('health', 'gauge', ['side', 'database'], 'Whether the database of the environment answered the last probe.'),

  // Scores.
  fidelity_score: spec('scores', 'gauge', ['dimension', 'candidate'], `Fidelity score of the candidate per dimension (data, config, behavior, freshness, error_detection, privacy) and overall (weighted mean of the dimensions that have results), 0..1 (1 = staging predicts production faithfully); absent while a dimension has no result (inconclusive). ${CACHED}`),

  // Scores and gate (docs/scores-and-gate.md).
  fidelity_score_threshold: spec('scores', 'gauge', ['dimension'], 'Gate threshold of the dimension or overall score from the configuration (scores.thresholds); alert rules compare fidelity_score against it.'),
  fidelity_score_checks: spec('scores', 'gauge', ['dimension', 'candidate'], `Check results the dimension score of the candidate is made of. ${CACHED}`),
  // Sharding (docs/operations.md): what recording rules need to combine the scores of replicas.
  fidelity_score_weight: spec('scores', 'gauge', ['dimension'], 'Weight of the dimension in the overall score (scores.weights, default 1), so recording rules can combine the scores of sharded replicas.'),
  fidelity_shard_info: spec('health', 'gauge', ['shard', 'shards'], 'The shard this replica runs (--shard): shard index and number of shards; always 1. Absent without sharding.'),
  fidelity_gate_passing: spec('scores', 'gauge', ['candidate'], 'Whether the deployment gate passes for the candidate (1) or fails or is inconclusive (0); the same verdict as /gate.'),
  fidelity_gate_inconclusive: spec('scores', 'gauge', ['candidate'], 'Whether the gate of the candidate is inconclusive (1): a gated dimension has checks without a current result, or nothing has been scored yet.'),

  // Provisioning and release events (POST /api/v1/events).
  fidelity_provisioning_duration_seconds: spec('events', 'gauge', ['environment'], 'How long the last finished provisioning of the environment took (provisioning_started to provisioning_finished, or its duration_seconds).'),
  fidelity_provisioning_last_finished_timestamp_seconds: spec('events', 'gauge', ['environment'], 'Unix time at which the last provisioning of the environment finished.'),
  fidelity_provisionings_total: spec('events', 'counter', ['environment', 'outcome'], 'Finished provisionings of the environment by outcome (success, failure) since the exporter started.'),
  fidelity_deployments_total: spec('events', 'counter', ['environment'], 'Deployment events received for the environment since the exporter started.'),
  fidelity_staging_verdicts_total: spec('events', 'counter', ['verdict'], 'Staging verdicts (pass, fail) received for releases since the exporter started.'),
  fidelity_production_incidents_total: spec('events', 'counter', ['escaped'], 'Production incidents by whether their release had passed staging (escaped="true"), failed it ("false") or has no known verdict ("unknown").'),
  fidelity_escape_ratio: spec('events', 'gauge', [], 'Share of the remembered releases that passed staging and then had a production incident (0..1); absent before any staging pass.'),
  fidelity_events_received_total: spec('events', 'counter', ['type'], 'Events accepted by the events API, by type.'),

  // Data: query checks.
  fidelity_query_match: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Whether the query returned the same result on both sides (1) or not (0). ${CACHED}`),
  fidelity_query_rows: spec('data', 'gauge', ['check', 'side'], `Rows returned by the query on the side. ${CACHED}`),
  fidelity_query_mismatched_rows: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Rows that differ between the sides (missing + extra + changed). ${CACHED}`),
  fidelity_query_duration_seconds: spec('data', 'gauge', ['check', 'side'], `Time the query took on the side, rows streamed and canonicalised. ${CACHED}`),
  fidelity_query_duration_ratio: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Query duration on the candidate divided by the baseline's. ${CACHED}`),
  // Data: table checks (whole tables by key, docs/checks/table.md).
  fidelity_table_match: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Whether the table holds the same rows on both sides (1) or not (0). ${CACHED}`),
  fidelity_table_rows: spec('data', 'gauge', ['check', 'side'], `Rows of the table on the side (after the check's filter). ${CACHED}`),
  fidelity_table_missing_rows: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Keys present on the baseline and absent on the candidate. ${CACHED}`),
  fidelity_table_extra_rows: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Keys present on the candidate and absent on the baseline. ${CACHED}`),
  fidelity_table_changed_rows: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Keys present on both sides whose compared columns differ. ${CACHED}`),
  fidelity_table_difference_ratio: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Differing rows (missing + extra + changed) divided by the larger side's row count. ${CACHED}`),
  fidelity_table_duration_seconds: spec('data', 'gauge', ['check', 'side'], `Time the side spent answering the comparison's statements. ${CACHED}`),
  // Data: schema, plan and freshness checks.
  fidelity_schema_differences: spec('data', 'gauge', ['check', 'baseline', 'candidate', 'object'], `Schema differences between the sides by object type (table, column, type, nullability, default, primary_key, unique, foreign_key, index). ${CACHED}`),
  fidelity_plan_differences: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Configured queries whose EXPLAIN plan shape (node types, join methods, index names) differs between the sides. ${CACHED}`),
  fidelity_data_lag_seconds: spec('data', 'gauge', ['check', 'baseline', 'candidate'], `Newest timestamp of the dataset on the baseline minus the candidate's; +Inf when the candidate has no data. ${CACHED}`),
  fidelity_data_age_seconds: spec('data', 'gauge', ['check', 'side'], `Age of the newest timestamp of the dataset on the side at sample time; +Inf when the side has no data. ${CACHED}`),
  fidelity_freshness_max_age_seconds: spec('data', 'gauge', ['check'], 'The max_age configured for the freshness check, so alert rules compare against config.'),
  // Data: integrity, coverage and masking checks (docs/checks/integrity.md, coverage.md, masking.md).
  fidelity_integrity_violations: spec('data', 'gauge', ['check', 'relation'], `Orphan rows on the candidate: child rows whose reference matches no parent row, per relation (configured name or foreign key constraint name). ${CACHED}`),
  fidelity_data_coverage_ratio: spec('data', 'gauge', ['check', 'column', 'baseline', 'candidate'], `Share of the baseline's distinct values (or value shapes, for high-cardinality columns) in the sample that also occur in the candidate's sample, 0..1. ${CACHED}`),
  fidelity_data_coverage_missing: spec('data', 'gauge', ['check', 'column', 'baseline', 'candidate'], `Distinct values (or value shapes) of the baseline's sample missing from the candidate's sample. ${CACHED}`),
  fidelity_masking_violations: spec('data', 'gauge', ['check', 'detector'], `Values in the candidate's sample flagged as personal data or secrets, by detector (email, phone, card, iban, ip, token, user patterns); detector="leak" counts masked values equal to the baseline's value of the same row. ${CACHED}`),
  fidelity_masking_sampled_rows: spec('data', 'gauge', ['check'], `Candidate rows the masking check sampled. ${CACHED}`),
  // Behavior: flow, fault and virtual checks (docs/checks/flow.md, fault.md, virtual.md).
  fidelity_flow_step_duration_seconds: spec('behavior', 'gauge', ['check', 'step', 'side', 'connection', 'phase'], `Median over the last sample's iterations of one phase (total, dns, connect, tls, ttfb, transfer) of a flow step on the side; connection is cold (a new connection) or keepalive (a reused one). ${CACHED}`),
  fidelity_flow_duration_seconds: spec('behavior', 'gauge', ['check', 'side'], `Median duration of the whole flow on the side over the last sample's complete iterations. ${CACHED}`),
  fidelity_flow_latency_ratio: spec('behavior', 'gauge', ['check', 'baseline', 'candidate'], `Median flow duration of the candidate divided by the baseline's, over the latency window. ${CACHED}`),
  fidelity_flow_step_latency_ratio: spec('behavior', 'gauge', ['check', 'step', 'baseline', 'candidate'], `Median step duration of the candidate divided by the baseline's, over the latency window. ${CACHED}`),
  fidelity_flow_latency_p_value: spec('behavior', 'gauge', ['check', 'baseline', 'candidate'], `Two-sided p-value of the Mann-Whitney U test on flow durations over the window; absent while the window holds too few samples (inconclusive). ${CACHED}`),
  fidelity_flow_latency_regression: spec('behavior', 'gauge', ['check', 'baseline', 'candidate'], `Whether the candidate is significantly slower than the baseline beyond the tolerance (1) or not (0); absent while inconclusive. ${CACHED}`),
  fidelity_flow_latency_samples: spec('behavior', 'gauge', ['check', 'side'], `Flow durations in the latency window of the side. ${CACHED}`),
  fidelity_flow_status_parity_ratio: spec('behavior', 'gauge', ['check', 'baseline', 'candidate'], `Share of flow steps answered with the same status on both sides, 0..1. ${CACHED}`),
  fidelity_flow_body_parity_ratio: spec('behavior', 'gauge', ['check', 'baseline', 'candidate'], `Share of flow steps whose bodies are identical after ignored paths and baseline noise, 0..1. ${CACHED}`),
  fidelity_flow_mutation_parity_ratio: spec('behavior', 'gauge', ['check', 'baseline', 'candidate'], `Share of data-mutation verifications (read-only SQL after a step) with the same rows on both sides, 0..1. ${CACHED}`),
  fidelity_flow_error_ratio: spec('behavior', 'gauge', ['check', 'side'], `Share of the side's flow requests that failed (no response, 5xx, unparsable body or failed expectation), 0..1. ${CACHED}`),
  fidelity_fault_probes_injected: spec('behavior', 'gauge', ['check', 'side'], `Error probes sent to the side by the fault check. ${CACHED}`),
  fidelity_fault_probes_detected: spec('behavior', 'gauge', ['check', 'side'], `Error probes the side answered with the expected error. ${CACHED}`),
  fidelity_fault_detection_ratio: spec('behavior', 'gauge', ['check', 'side'], `Error detection rate: detected / injected probes on the side, 0..1. ${CACHED}`),
  fidelity_virtual_accuracy_ratio: spec('behavior', 'gauge', ['check'], `Share of requests the mock (candidate) answered like the real service (baseline): same status and body after ignored paths and noise, 0..1. ${CACHED}`),
  fidelity_virtual_endpoint_coverage_ratio: spec('behavior', 'gauge', ['check'], `Share of the real service's endpoints (requests not answered 404/405/501) that the mock also serves, 0..1. ${CACHED}`),
  fidelity_virtual_status_coverage_ratio: spec('behavior', 'gauge', ['check'], `Share of the real service's (endpoint, status) pairs that the mock reproduces, 0..1. ${CACHED}`),
  // Config: configuration drift between environments (config checks, docs/checks/config.md).
  fidelity_config_differences: spec('config', 'gauge', ['check', 'change', 'status'], `Configuration keys that differ between the sides, by change (added, removed, changed, type_changed; seen from the candidate) and status (unapproved, approved, expired). ${CACHED}`),
  fidelity_config_drift_index: spec('config', 'gauge', ['check'], `Configuration drift index: differences that are unapproved or whose approval expired. ${CACHED}`),
  fidelity_config_keys_compared: spec('config', 'gauge', ['check'], `Configuration keys compared (present on either side, ignored paths excluded). ${CACHED}`),
  fidelity_config_drift_oldest_seconds: spec('config', 'gauge', ['check'], `Age of the oldest unapproved or expired difference since it was first seen; 0 without drift. ${CACHED}`),
  fidelity_config_approved_max: spec('config', 'gauge', ['check'], 'The max_approved configured for the check, so alert rules compare approved differences against config.'),
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof catalogue;

/** A metric of the exporter's own process and runtime, served by prom-client (metrics/runtime.ts). */
export interface RuntimeMetricSpec {
  type: 'gauge' | 'counter' | 'histogram';
  /** prom-client's HELP text, word for word (a test compares it with what /metrics serves). */
  help: string;
  labels: readonly string[];
  group: 'process';
  /** Added in docs/metrics.md only. */
  note?: string;
}

function runtime<const L extends readonly string[]>(type: RuntimeMetricSpec['type'], labels: L, help: string, note?: string) {
  return { group: 'process', type, labels, help, ...(note ? { note } : {}) } as const;
}

const LINUX = 'Linux only (read from /proc).';
const LAG = 'Since the previous scrape.';

/** The exporter process itself: prom-client's default metrics, read at scrape time. */
export const runtimeCatalogue = {
  process_cpu_user_seconds_total: runtime('counter', [], 'Total user CPU time spent in seconds.'),
  process_cpu_system_seconds_total: runtime('counter', [], 'Total system CPU time spent in seconds.'),
  process_cpu_seconds_total: runtime('counter', [], 'Total user and system CPU time spent in seconds.'),
  process_start_time_seconds: runtime('gauge', [], 'Start time of the process since unix epoch in seconds.'),
  process_resident_memory_bytes: runtime('gauge', [], 'Resident memory size in bytes.'),
  process_virtual_memory_bytes: runtime('gauge', [], 'Virtual memory size in bytes.', LINUX),
  process_heap_bytes: runtime('gauge', [], 'Process heap size in bytes.', LINUX),
  process_open_fds: runtime('gauge', [], 'Number of open file descriptors.', LINUX),
  process_max_fds: runtime('gauge', [], 'Maximum number of open file descriptors.', LINUX),
  nodejs_eventloop_lag_seconds: runtime('gauge', [], 'Lag of event loop in seconds.', 'Measured from each scrape and served at the next one.'),
  nodejs_eventloop_lag_min_seconds: runtime('gauge', [], 'The minimum recorded event loop delay.', LAG),
  nodejs_eventloop_lag_max_seconds: runtime('gauge', [], 'The maximum recorded event loop delay.', LAG),
  nodejs_eventloop_lag_mean_seconds: runtime('gauge', [], 'The mean of the recorded event loop delays.', LAG),
  nodejs_eventloop_lag_stddev_seconds: runtime('gauge', [], 'The standard deviation of the recorded event loop delays.', LAG),
  nodejs_eventloop_lag_p50_seconds: runtime('gauge', [], 'The 50th percentile of the recorded event loop delays.', LAG),
  nodejs_eventloop_lag_p90_seconds: runtime('gauge', [], 'The 90th percentile of the recorded event loop delays.', LAG),
  nodejs_eventloop_lag_p99_seconds: runtime('gauge', [], 'The 99th percentile of the recorded event loop delays.', LAG),
  nodejs_active_resources: runtime('gauge', ['type'], 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.'),
  nodejs_active_handles: runtime('gauge', ['type'], 'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.'),
  nodejs_active_requests: runtime('gauge', ['type'], 'Number of active libuv requests grouped by request type. Every request type is C++ class name.'),
  nodejs_heap_size_total_bytes: runtime('gauge', [], 'Process heap size from Node.js in bytes.'),
  nodejs_heap_size_used_bytes: runtime('gauge', [], 'Process heap size used from Node.js in bytes.'),
  nodejs_external_memory_bytes: runtime('gauge', [], 'Node.js external memory size in bytes.'),
  nodejs_heap_space_size_total_bytes: runtime('gauge', ['space'], 'Process heap space size total from Node.js in bytes.'),
  nodejs_heap_space_size_used_bytes: runtime('gauge', ['space'], 'Process heap space size used from Node.js in bytes.'),
  nodejs_heap_space_size_available_bytes: runtime('gauge', ['space'], 'Process heap space size available from Node.js in bytes.'),
  nodejs_version_info: runtime('gauge', ['version', 'major', 'minor', 'patch'], 'Node.js version info.'),
  nodejs_gc_duration_seconds: runtime('histogram', ['kind'], 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.'),
} as const satisfies Record<string, RuntimeMetricSpec>;

/** Every metric /metrics serves: the exporter's own and its process's. */
export const servedMetrics: Record<string, MetricSpec | RuntimeMetricSpec> = { ...catalogue, ...runtimeCatalogue };
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
