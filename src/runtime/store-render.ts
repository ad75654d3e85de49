import type { ResultsStore, CheckState } from '../results/store.js';
import type { ScoresConfig } from '../config/schema.js';
import type { ScoreState } from '../scoring/current.js';
import { OVERALL } from '../scoring/scores.js';
import { catalogue, type MetricName } from '../metrics/catalogue.js';
import { CachedBody, metricHeader, Segment, SeriesLines } from '../metrics/exposition.js';

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
const HEADERS = new Map(STORED_METRICS.map((name) => [name, new Segment(metricHeader(name, catalogue[name].help, catalogue[name].type))]));

/** Checks per group: a change re-renders and re-compresses the lines of its group only. */
const GROUP_SIZE = 32;

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
function scoreSeries({ scores, gate }: ScoreState, config: ScoresConfig): SeriesLines {
  const lines = new SeriesLines(catalogue);
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

/** Per metric, the segment of a part's lines; a line set equal to the previous keeps its segment (and its deflate). */
function segmentsOf(parts: readonly SeriesLines[], previous: ReadonlyMap<MetricName, Segment> | undefined): Map<MetricName, Segment> {
  const segments = new Map<MetricName, Segment>();
  for (const name of STORED_METRICS) {
    let text = '';
    for (const part of parts) text += part.lines(name);
    if (!text) continue;
    const kept = previous?.get(name);
    segments.set(name, kept?.text === text ? kept : new Segment(text));
  }
  return segments;
}

/** A group of consecutive checks, with the revisions its segments were rendered at. */
interface Group {
  states: CheckState[];
  revisions: number[];
  segments: Map<MetricName, Segment>;
}

/**
 * The part of /metrics that the results store determines, rendered when the store changes and
 * not at scrapes. The body is kept as segments, one per metric and group of checks (plus the
 * scores'): a change renders again the lines of the changed check only, rebuilds the segments of
 * its group, and the body is joined from segments already made. A render reads the store
 * synchronously, and a sample's outcome lands in the store in one synchronous change, so a
 * render holds either all or none of a sample's series.
 */
export class StoreRenderer {
  private readonly fragments = new WeakMap<CheckState, { revision: number; lines: SeriesLines }>();
  private groups: Group[] = [];
  private scores: Map<MetricName, Segment> | undefined;

  private linesOf(state: CheckState): SeriesLines {
    let fragment = this.fragments.get(state);
    if (fragment?.revision !== state.revision) {
      fragment = { revision: state.revision, lines: checkSeries(state) };
      this.fragments.set(state, fragment);
    }
    return fragment.lines;
  }

  private group(index: number, states: CheckState[]): Group {
    const previous = this.groups[index];
    const unchanged =
      previous?.states.length === states.length &&
      states.every((state, i) => previous.states[i] === state && previous.revisions[i] === state.revision);
    if (unchanged) return previous;
    const parts = states.map((state) => this.linesOf(state));
    return { states, revisions: states.map((state) => state.revision), segments: segmentsOf(parts, previous?.segments) };
  }

  render(store: ResultsStore, config: ScoresConfig, state: ScoreState): CachedBody {
    const all = store.all();
    const groups: Group[] = [];
    for (let start = 0; start < all.length; start += GROUP_SIZE)
      groups.push(this.group(groups.length, all.slice(start, start + GROUP_SIZE)));
    this.groups = groups;
    this.scores = segmentsOf([scoreSeries(state, config)], this.scores);
    const body: Segment[] = [];
    for (const name of STORED_METRICS) {
      body.push(HEADERS.get(name)!);
      for (const group of groups) {
        const segment = group.segments.get(name);
        if (segment) body.push(segment);
      }
      const scores = this.scores.get(name);
      if (scores) body.push(scores);
    }
    return new CachedBody(body);
  }
}
