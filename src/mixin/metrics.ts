import { servedMetrics } from '../metrics/catalogue.js';

/**
 * Every metric name the dashboards and alert rules use, in one place. Rules and panels refer to
 * these constants, never to string literals, so renaming a metric is one edit here.
 */
export const metric = {
  // Health.
  buildInfo: 'fidelity_build_info',
  configReloadSuccessful: 'fidelity_config_last_reload_successful',
  configReloadTimestamp: 'fidelity_config_last_reload_success_timestamp_seconds',
  shardInfo: 'fidelity_shard_info',
  checkSuccess: 'fidelity_check_success',
  checkDuration: 'fidelity_check_duration_seconds',
  checkLastRun: 'fidelity_check_last_run_timestamp_seconds',
  checkLastSuccess: 'fidelity_check_last_success_timestamp_seconds',
  checkRuns: 'fidelity_check_runs_total',
  checkErrors: 'fidelity_check_errors_total',
  checkSkipped: 'fidelity_check_skipped_total',
  sideUp: 'fidelity_side_up',
  sideDatabaseUp: 'fidelity_side_database_up',
  // Scores and gate.
  score: 'fidelity_score',
  scoreThreshold: 'fidelity_score_threshold',
  scoreChecks: 'fidelity_score_checks',
  scoreWeight: 'fidelity_score_weight',
  gatePassing: 'fidelity_gate_passing',
  gateInconclusive: 'fidelity_gate_inconclusive',
  // Provisioning and release events.
  provisioningDuration: 'fidelity_provisioning_duration_seconds',
  escapeRatio: 'fidelity_escape_ratio',
  provisioningLastFinished: 'fidelity_provisioning_last_finished_timestamp_seconds',
  provisionings: 'fidelity_provisionings_total',
  deployments: 'fidelity_deployments_total',
  stagingVerdicts: 'fidelity_staging_verdicts_total',
  productionIncidents: 'fidelity_production_incidents_total',
  // Data.
  queryMatch: 'fidelity_query_match',
  queryRows: 'fidelity_query_rows',
  queryMismatchedRows: 'fidelity_query_mismatched_rows',
  queryDuration: 'fidelity_query_duration_seconds',
  queryDurationRatio: 'fidelity_query_duration_ratio',
  tableMatch: 'fidelity_table_match',
  tableMissingRows: 'fidelity_table_missing_rows',
  tableExtraRows: 'fidelity_table_extra_rows',
  tableChangedRows: 'fidelity_table_changed_rows',
  tableDifferenceRatio: 'fidelity_table_difference_ratio',
  tableDuration: 'fidelity_table_duration_seconds',
  tableRows: 'fidelity_table_rows',
  schemaDifferences: 'fidelity_schema_differences',
  planDifferences: 'fidelity_plan_differences',
  dataLag: 'fidelity_data_lag_seconds',
  dataAge: 'fidelity_data_age_seconds',
  freshnessMaxAge: 'fidelity_freshness_max_age_seconds',
  integrityViolations: 'fidelity_integrity_violations',
  dataCoverage: 'fidelity_data_coverage_ratio',
  dataCoverageMissing: 'fidelity_data_coverage_missing',
  distributionDistance: 'fidelity_distribution_distance',
  distributionDriftedColumns: 'fidelity_distribution_drifted_columns',
  maskingViolations: 'fidelity_masking_violations',
  maskingSampledRows: 'fidelity_masking_sampled_rows',
  // Config.
  configDifferences: 'fidelity_config_differences',
  configDriftIndex: 'fidelity_config_drift_index',
  configDriftOldest: 'fidelity_config_drift_oldest_seconds',
  configApprovedMax: 'fidelity_config_approved_max',
  configKeysCompared: 'fidelity_config_keys_compared',
  // Behavior.
  flowStepDuration: 'fidelity_flow_step_duration_seconds',
  flowDuration: 'fidelity_flow_duration_seconds',
  flowLatencyRatio: 'fidelity_flow_latency_ratio',
  flowStepLatencyRatio: 'fidelity_flow_step_latency_ratio',
  flowLatencyRegression: 'fidelity_flow_latency_regression',
  flowLatencyPValue: 'fidelity_flow_latency_p_value',
  flowLatencySamples: 'fidelity_flow_latency_samples',
  flowStatusParity: 'fidelity_flow_status_parity_ratio',
  flowBodyParity: 'fidelity_flow_body_parity_ratio',
  flowMutationParity: 'fidelity_flow_mutation_parity_ratio',
  flowErrorRatio: 'fidelity_flow_error_ratio',
  faultInjected: 'fidelity_fault_probes_injected',
  faultDetected: 'fidelity_fault_probes_detected',
  faultDetectionRatio: 'fidelity_fault_detection_ratio',
  virtualAccuracy: 'fidelity_virtual_accuracy_ratio',
  virtualEndpointCoverage: 'fidelity_virtual_endpoint_coverage_ratio',
  virtualStatusCoverage: 'fidelity_virtual_status_coverage_ratio',
  // The exporter process (prom-client's default metrics, runtimeCatalogue).
  processStartTime: 'process_start_time_seconds',
  processResidentMemory: 'process_resident_memory_bytes',
  processOpenFds: 'process_open_fds',
  processMaxFds: 'process_max_fds',
  processCpuSeconds: 'process_cpu_seconds_total',
  nodejsHeapUsed: 'nodejs_heap_size_used_bytes',
  nodejsHeapTotal: 'nodejs_heap_size_total_bytes',
  nodejsExternalMemory: 'nodejs_external_memory_bytes',
  eventLoopLagP50: 'nodejs_eventloop_lag_p50_seconds',
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  eventLoopLagMax: 'nodejs_eventloop_lag_max_seconds',
} as const;

export type MixinMetric = (typeof metric)[keyof typeof metric];

/** Series Prometheus itself produces for every target. */
export const prometheusMetrics: readonly string[] = ['up'];

/**
 * Names above that the catalogue does not have yet (their check kinds are still being built).
 * The generator leaves out every rule and panel that needs one and says so; this list only exists
 * so that a typo in the table above is an error instead of a silently missing panel.
 */
export const pendingMetrics: readonly string[] = [];

export function isCatalogued(name: string): boolean {
  return Object.hasOwn(servedMetrics, name);
}

/** Label names of a catalogued metric (empty for anything else). */
export function labelsOf(name: string): readonly string[] {
  return isCatalogued(name) ? servedMetrics[name]!.labels : [];
}
