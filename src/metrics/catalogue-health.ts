import { CACHED, spec, type MetricSpec } from './catalogue-spec.js';

/** Exporter health, scores, sharding and events metrics. */
export const healthMetrics = {
  // Exporter and check health.
  fidelity_build_info: spec('health', 'gauge', ['version', 'nodejs'], 'Build information of the exporter; always 1.'),
  fidelity_config_last_reload_successful: spec('health', 'gauge', [], 'Whether the last configuration load succeeded (1) or failed (0).'),
  fidelity_config_last_reload_success_timestamp_seconds: spec(
    'health',
    'gauge',
    [],
    'Unix time of the last successful configuration load.',
  ),
  fidelity_check_success: spec(
    'health',
    'gauge',
    ['check', 'kind'],
    'Whether the last sample of the check succeeded (1) or failed (0); comparison series exist only while it is 1.',
  ),
  fidelity_check_duration_seconds: spec('health', 'gauge', ['check', 'kind'], 'Wall time of the last sample of the check.'),
  fidelity_check_last_run_timestamp_seconds: spec(
    'health',
    'gauge',
    ['check', 'kind'],
    'Unix time at which the last sample of the check finished.',
  ),
  fidelity_check_last_success_timestamp_seconds: spec(
    'health',
    'gauge',
    ['check', 'kind'],
    'Unix time at which the last successful sample of the check finished; how old the cached comparison values are.',
  ),
  fidelity_check_runs_total: spec('health', 'counter', ['check', 'kind', 'outcome'], 'Samples run, by outcome (success, failure).'),
  fidelity_check_errors_total: spec(
    'health',
    'counter',
    ['check', 'kind', 'reason'],
    'Failed samples by reason (timeout, connect, auth, permission, query, read_only, limit, parse, http_status, config, canceled, internal).',
  ),
  fidelity_check_inconclusive: spec(
    'health',
    'gauge',
    ['check', 'kind'],
    'Whether the last sample of the check succeeded but found nothing to compare (1: no relations, tables or rows where the configuration implies some; no score, the gate counts it as inconclusive) or compared something (0); absent while the last sample failed.',
  ),
  fidelity_check_skipped_total: spec(
    'health',
    'counter',
    ['check', 'kind'],
    'Scheduled runs skipped because the previous sample of the check was still running.',
  ),
  fidelity_side_up: spec('health', 'gauge', ['side'], 'Whether every database of the environment answered the last probe (1) or not (0).'),
  fidelity_prober_realtime: spec(
    'health',
    'gauge',
    [],
    'Whether the HTTP prober thread of flow, fault and virtual checks runs under real-time scheduling (1: prober.scheduling is realtime and the kernel accepted it) or normal scheduling (0).',
  ),
  fidelity_side_database_up: spec(
    'health',
    'gauge',
    ['side', 'database'],
    'Whether the database of the environment answered the last probe.',
  ),

  // Scores.
  fidelity_score: spec(
    'scores',
    'gauge',
    ['dimension', 'candidate'],
    `Fidelity score of the candidate per dimension (data, config, behavior, freshness, error_detection, privacy) and overall (weighted mean of the dimensions that have results), 0..1 (1 = staging predicts production faithfully); absent while a dimension has no result (inconclusive). ${CACHED}`,
  ),

  // Scores and gate (docs/scores-and-gate.md).
  fidelity_score_threshold: spec(
    'scores',
    'gauge',
    ['dimension'],
    'Gate threshold of the dimension or overall score from the configuration (scores.thresholds); alert rules compare fidelity_score against it.',
  ),
  fidelity_score_checks: spec(
    'scores',
    'gauge',
    ['dimension', 'candidate'],
    `Check results the dimension score of the candidate is made of. ${CACHED}`,
  ),
  // Sharding (docs/operations.md): what recording rules need to combine the scores of replicas.
  fidelity_score_weight: spec(
    'scores',
    'gauge',
    ['dimension'],
    'Weight of the dimension in the overall score (scores.weights, default 1), so recording rules can combine the scores of sharded replicas.',
  ),
  fidelity_shard_info: spec(
    'health',
    'gauge',
    ['shard', 'shards'],
    'The shard this replica runs (--shard): shard index and number of shards; always 1. Absent without sharding.',
  ),
  fidelity_gate_passing: spec(
    'scores',
    'gauge',
    ['candidate'],
    'Whether the deployment gate passes for the candidate (1) or fails or is inconclusive (0); the same verdict as /gate.',
  ),
  fidelity_gate_inconclusive: spec(
    'scores',
    'gauge',
    ['candidate'],
    'Whether the gate of the candidate is inconclusive (1): a gated dimension has checks without a current result, or nothing has been scored yet.',
  ),

  // Provisioning and release events (POST /api/v1/events).
  fidelity_provisioning_duration_seconds: spec(
    'events',
    'gauge',
    ['environment'],
    'How long the last finished provisioning of the environment took (provisioning_started to provisioning_finished, or its duration_seconds).',
  ),
  fidelity_provisioning_last_finished_timestamp_seconds: spec(
    'events',
    'gauge',
    ['environment'],
    'Unix time at which the last provisioning of the environment finished.',
  ),
  fidelity_provisionings_total: spec(
    'events',
    'counter',
    ['environment', 'outcome'],
    'Finished provisionings of the environment by outcome (success, failure) since the exporter started.',
  ),
  fidelity_deployments_total: spec(
    'events',
    'counter',
    ['environment'],
    'Deployment events received for the environment since the exporter started.',
  ),
  fidelity_staging_verdicts_total: spec(
    'events',
    'counter',
    ['verdict'],
    'Staging verdicts (pass, fail) received for releases since the exporter started.',
  ),
  fidelity_production_incidents_total: spec(
    'events',
    'counter',
    ['escaped'],
    'Production incidents by whether their release had passed staging (escaped="true"), failed it ("false") or has no known verdict ("unknown").',
  ),
  fidelity_escape_ratio: spec(
    'events',
    'gauge',
    [],
    'Share of the remembered releases that passed staging and then had a production incident (0..1); absent before any staging pass.',
  ),
  fidelity_events_received_total: spec('events', 'counter', ['type'], 'Events accepted by the events API, by type.'),
} as const satisfies Record<string, MetricSpec>;
