import { kindDimension } from '../checks/kinds.js';
import type { ResultsStore, CheckState } from '../results/store.js';
import type { ScoresConfig } from '../config/schema.js';
import { scoreState } from '../scoring/outcomes.js';
import { OVERALL } from '../scoring/scores.js';
import { catalogue, type MetricName } from '../metrics/catalogue.js';
import { metricHeader, SeriesLines } from '../metrics/exposition.js';

/**
 * Metrics read from sources that change without the results store (reload status, side probes,
 * events, the prober thread): few series, rendered at every scrape by the collector.
 */
export const LIVE_METRICS: ReadonlySet<MetricName> = new Set<MetricName>([
  'fidelity_build_info',
  'fidelity_config_last_reload_successful',
  'fidelity_config_last_reload_success_timestamp_seconds',
  'fidelity_prober_realtime',
  'fidelity_shard_info',
  'fidelity_side_up',
  'fidelity_side_database_up',
  'fidelity_provisioning_duration_seconds',
  'fidelity_provisioning_last_finished_timestamp_seconds',
  'fidelity_provisionings_total',
  'fidelity_deployments_total',
  'fidelity_staging_verdicts_total',
  'fidelity_production_incidents_total',
  'fidelity_escape_ratio',
  'fidelity_events_received_total',
]);

const STORED_METRICS = (Object.keys(catalogue) as MetricName[]).filter((name) => !LIVE_METRICS.has(name));
const HEADERS = new Map(STORED_METRICS.map((name) => [name, metricHeader(name, catalogue[name].help, catalogue[name].type)]));

/** The series of one check's state (health counters and its last result). */
function checkSeries(state: CheckState): SeriesLines {
  const lines = new SeriesLines(catalogue);
  const id = { check: state.check.name, kind: state.check.kind };
  lines.set('fidelity_check_runs_total', { ...id, outcome: 'success' }, state.runs.success);
  lines.set('fidelity_check_runs_total', { ...id, outcome: 'failure' }, state.runs.failure);
  for (const [reason, count] of Object.entries(state.errors)) lines.set('fidelity_check_errors_total', { ...id, reason }, count ?? 0);
  lines.set('fidelity_check_skipped_total', id, state.skipped);
  if (state.lastRun) {
    lines.set('fidelity_check_success', id, state.lastRun.success ? 1 : 0);
    lines.set('fidelity_check_duration_seconds', id, state.lastRun.durationMs / 1000);
    lines.set('fidelity_check_last_run_timestamp_seconds', id, state.lastRun.finishedAt / 1000);
  }
  if (state.lastSuccessAt !== undefined) lines.set('fidelity_check_last_success_timestamp_seconds', id, state.lastSuccessAt / 1000);
  if (state.result) {
    lines.set('fidelity_check_inconclusive', id, state.result.inconclusive ? 1 : 0);
    for (const series of state.result.series) if (!LIVE_METRICS.has(series.metric)) lines.set(series.metric, series.labels, series.value);
  }
  return lines;
}

/** Scores and gate (src/scoring): inconclusive scores have no series rather than a made-up value. */
function scoreSeries(states: CheckState[], config: ScoresConfig): SeriesLines {
  const lines = new SeriesLines(catalogue);
  const { scores, gate } = scoreState(states, config, kindDimension);
  for (const candidate of scores) {
    for (const row of candidate.dimensions) {
      if (row.score === null) continue;
      lines.set('fidelity_score', { dimension: row.dimension, candidate: candidate.candidate }, row.score);
      lines.set('fidelity_score_checks', { dimension: row.dimension, candidate: candidate.candidate }, row.checks);
    }
    for (const row of candidate.dimensions) lines.set('fidelity_score_weight', { dimension: row.dimension }, row.weight);
    if (candidate.overall !== null) lines.set('fidelity_score', { dimension: OVERALL, candidate: candidate.candidate }, candidate.overall);
  }
  for (const [dimension, threshold] of Object.entries(config.thresholds)) {
    if (threshold !== undefined) lines.set('fidelity_score_threshold', { dimension }, threshold);
  }
  for (const candidate of gate.candidates) {
    lines.set('fidelity_gate_passing', { candidate: candidate.candidate }, candidate.verdict === 'pass' ? 1 : 0);
    lines.set('fidelity_gate_inconclusive', { candidate: candidate.candidate }, candidate.evaluated === 'inconclusive' ? 1 : 0);
  }
  return lines;
}

/**
 * The part of /metrics that the results store determines, rendered when the store changes and
 * not at scrapes. Each check's lines are kept until its state changes, and the scores are computed
 * once per change. A render reads the store synchronously, and a sample's outcome lands in the
 * store in one synchronous change, so a render holds either all or none of a sample's series.
 */
export class StoreRenderer {
  private readonly fragments = new WeakMap<CheckState, { revision: number; lines: SeriesLines }>();

  render(store: ResultsStore, config: ScoresConfig): string {
    const states = store.all();
    const parts: SeriesLines[] = [];
    for (const state of states) {
      let fragment = this.fragments.get(state);
      if (fragment?.revision !== state.revision) {
        fragment = { revision: state.revision, lines: checkSeries(state) };
        this.fragments.set(state, fragment);
      }
      parts.push(fragment.lines);
    }
    parts.push(scoreSeries(states, config));
    const text: string[] = [];
    for (const name of STORED_METRICS) {
      text.push(HEADERS.get(name)!);
      for (const part of parts) text.push(part.lines(name));
    }
    return text.join('');
  }
}
