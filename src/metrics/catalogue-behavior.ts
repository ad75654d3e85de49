import { CACHED, spec, type MetricSpec } from './catalogue-spec.js';

/** Metrics of the behavior and config checks. */
export const behaviorMetrics = {
  // Behavior: flow, fault and virtual checks (docs/checks/flow.md, fault.md, virtual.md).
  fidelity_flow_step_duration_seconds: spec(
    'behavior',
    'gauge',
    ['check', 'step', 'side', 'connection', 'phase'],
    `Median over the last sample's iterations of one phase (total, dns, connect, tls, ttfb, transfer) of a flow step on the side; connection is cold (a new connection) or keepalive (a reused one). ${CACHED}`,
  ),
  fidelity_flow_duration_seconds: spec(
    'behavior',
    'gauge',
    ['check', 'side'],
    `Median duration of the whole flow on the side over the last sample's complete iterations. ${CACHED}`,
  ),
  fidelity_flow_latency_ratio: spec(
    'behavior',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Median flow duration of the candidate divided by the baseline's, over the latency window. ${CACHED}`,
  ),
  fidelity_flow_step_latency_ratio: spec(
    'behavior',
    'gauge',
    ['check', 'step', 'baseline', 'candidate'],
    `Median step duration of the candidate divided by the baseline's, over the latency window. ${CACHED}`,
  ),
  fidelity_flow_latency_p_value: spec(
    'behavior',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Two-sided p-value of the Mann-Whitney U test on flow durations over the window; absent while the window holds too few samples (inconclusive). ${CACHED}`,
  ),
  fidelity_flow_latency_regression: spec(
    'behavior',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Whether the candidate is significantly slower than the baseline beyond the tolerance (1) or not (0); absent while inconclusive. ${CACHED}`,
  ),
  fidelity_flow_latency_samples: spec(
    'behavior',
    'gauge',
    ['check', 'side'],
    `Flow durations in the latency window of the side. ${CACHED}`,
  ),
  fidelity_flow_status_parity_ratio: spec(
    'behavior',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Share of flow steps answered with the same status on both sides, 0..1. ${CACHED}`,
  ),
  fidelity_flow_body_parity_ratio: spec(
    'behavior',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Share of flow steps whose bodies are identical after ignored paths and baseline noise, 0..1. ${CACHED}`,
  ),
  fidelity_flow_mutation_parity_ratio: spec(
    'behavior',
    'gauge',
    ['check', 'baseline', 'candidate'],
    `Share of data-mutation verifications (read-only SQL after a step) with the same rows on both sides, 0..1. ${CACHED}`,
  ),
  fidelity_flow_error_ratio: spec(
    'behavior',
    'gauge',
    ['check', 'side'],
    `Share of the side's flow requests that failed (no response, 5xx, unparsable body or failed expectation), 0..1. ${CACHED}`,
  ),
  fidelity_fault_probes_injected: spec(
    'behavior',
    'gauge',
    ['check', 'side'],
    `Error probes sent to the side by the fault check. ${CACHED}`,
  ),
  fidelity_fault_probes_detected: spec(
    'behavior',
    'gauge',
    ['check', 'side'],
    `Error probes the side answered with the expected error. ${CACHED}`,
  ),
  fidelity_fault_detection_ratio: spec(
    'behavior',
    'gauge',
    ['check', 'side'],
    `Error detection rate: detected / injected probes on the side, 0..1. ${CACHED}`,
  ),
  fidelity_virtual_accuracy_ratio: spec(
    'behavior',
    'gauge',
    ['check'],
    `Share of requests the mock (candidate) answered like the real service (baseline): same status and body after ignored paths and noise, 0..1. ${CACHED}`,
  ),
  fidelity_virtual_endpoint_coverage_ratio: spec(
    'behavior',
    'gauge',
    ['check'],
    `Share of the real service's endpoints (requests not answered 404/405/501) that the mock also serves, 0..1. ${CACHED}`,
  ),
  fidelity_virtual_status_coverage_ratio: spec(
    'behavior',
    'gauge',
    ['check'],
    `Share of the real service's (endpoint, status) pairs that the mock reproduces, 0..1. ${CACHED}`,
  ),
  // Config: configuration drift between environments (config checks, docs/checks/config.md).
  fidelity_config_differences: spec(
    'config',
    'gauge',
    ['check', 'change', 'status'],
    `Configuration keys that differ between the sides, by change (added, removed, changed, type_changed; seen from the candidate) and status (unapproved, approved, expired). ${CACHED}`,
  ),
  fidelity_config_drift_index: spec(
    'config',
    'gauge',
    ['check'],
    `Configuration drift index: differences that are unapproved or whose approval expired. ${CACHED}`,
  ),
  fidelity_config_keys_compared: spec(
    'config',
    'gauge',
    ['check'],
    `Configuration keys compared (present on either side, ignored paths excluded). ${CACHED}`,
  ),
  fidelity_config_drift_oldest_seconds: spec(
    'config',
    'gauge',
    ['check'],
    `Age of the oldest unapproved or expired difference since it was first seen; 0 without drift. ${CACHED}`,
  ),
  fidelity_config_approved_max: spec(
    'config',
    'gauge',
    ['check'],
    'The max_approved configured for the check, so alert rules compare approved differences against config.',
  ),
} as const satisfies Record<string, MetricSpec>;
