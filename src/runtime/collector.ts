import { kindDimension } from '../checks/kinds.js';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Sides } from '../connectors/sides.js';
import type { ResultsStore } from '../results/store.js';
import type { LoadedConfig } from './load.js';
import { scoresSchema, type ScoresConfig } from '../config/schema.js';
import type { EventStore } from '../events/store.js';
import type { SchedulingStatus } from '../connectors/http-types.js';
import { scoreState } from '../scoring/outcomes.js';
import { OVERALL } from '../scoring/scores.js';
import { VERSION } from '../version.js';
import { catalogue, type MetricName } from '../metrics/catalogue.js';
import { runtimeRegistry } from '../metrics/runtime.js';

export interface ReloadStatus {
  successful: boolean;
  lastSuccessAt: number;
}

export interface CollectorSources {
  store: () => ResultsStore;
  sides: () => Sides;
  reload: () => ReloadStatus;
  /** The scores/gate configuration comes from here; without it, the schema's defaults. */
  config?: () => LoadedConfig;
  events?: () => EventStore;
  /** The HTTP prober thread's scheduling; without it, normal. */
  prober?: () => SchedulingStatus;
  /** The replica's shard (--shard), when the checks are split across replicas. */
  shard?: () => { index: number; count: number } | undefined;
}

/**
 * Renders the results store as Prometheus metrics. Each scrape resets every metric and sets it
 * from memory: nothing here waits on a database, and series of failed checks simply vanish. The
 * process and Node.js runtime metrics (runtime.ts) follow, read at the same scrape.
 */
export class Collector {
  readonly registry = new Registry();
  private readonly metrics = new Map<MetricName, Gauge | Counter>();

  constructor(private readonly sources: CollectorSources) {
    for (const [name, spec] of Object.entries(catalogue) as [MetricName, (typeof catalogue)[MetricName]][]) {
      const config = { name, help: spec.help, labelNames: [...spec.labels], registers: [this.registry] };
      this.metrics.set(name, spec.type === 'counter' ? new Counter(config) : new Gauge(config));
    }
  }

  private set(name: MetricName, labels: Record<string, string>, value: number): void {
    const metric = this.metrics.get(name);
    if (metric instanceof Gauge) metric.set(labels, value);
    else if (metric instanceof Counter && value > 0) metric.inc(labels, value);
    else if (metric instanceof Counter) metric.inc(labels, 0);
  }

  private refresh(): void {
    for (const metric of this.metrics.values()) metric.reset();
    const store = this.sources.store();
    const sides = this.sources.sides();
    const reload = this.sources.reload();

    this.set('fidelity_build_info', { version: VERSION, nodejs: process.version }, 1);
    this.set('fidelity_config_last_reload_successful', {}, reload.successful ? 1 : 0);
    this.set('fidelity_prober_realtime', {}, this.sources.prober?.().realtime ? 1 : 0);
    const shard = this.sources.shard?.();
    if (shard) this.set('fidelity_shard_info', { shard: String(shard.index), shards: String(shard.count) }, 1);
    this.set('fidelity_config_last_reload_success_timestamp_seconds', {}, reload.lastSuccessAt / 1000);

    for (const state of store.all()) {
      const id = { check: state.check.name, kind: state.check.kind };
      this.set('fidelity_check_runs_total', { ...id, outcome: 'success' }, state.runs.success);
      this.set('fidelity_check_runs_total', { ...id, outcome: 'failure' }, state.runs.failure);
      for (const [reason, count] of Object.entries(state.errors)) this.set('fidelity_check_errors_total', { ...id, reason }, count ?? 0);
      this.set('fidelity_check_skipped_total', id, state.skipped);
      if (state.lastRun) {
        this.set('fidelity_check_success', id, state.lastRun.success ? 1 : 0);
        this.set('fidelity_check_duration_seconds', id, state.lastRun.durationMs / 1000);
        this.set('fidelity_check_last_run_timestamp_seconds', id, state.lastRun.finishedAt / 1000);
      }
      if (state.lastSuccessAt !== undefined) this.set('fidelity_check_last_success_timestamp_seconds', id, state.lastSuccessAt / 1000);
      if (state.result) {
        this.set('fidelity_check_inconclusive', id, state.result.inconclusive ? 1 : 0);
        for (const series of state.result.series) this.set(series.metric, series.labels, series.value);
      }
    }
    this.scores(store, this.sources.config?.().root.scores ?? scoresSchema.parse(undefined));
    const events = this.sources.events?.();
    if (events) this.events(events);
    // A gauge without labels renders 0 after a reset; an escape ratio without data must be absent.
    const escapeRatio = this.metrics.get('fidelity_escape_ratio');
    if (events?.escapeRatio() === undefined && escapeRatio instanceof Gauge) escapeRatio.remove({});
    for (const [side, databases] of sides.health) {
      for (const [database, up] of databases) this.set('fidelity_side_database_up', { side, database }, up ? 1 : 0);
      const up = sides.sideUp(side);
      if (up !== undefined) this.set('fidelity_side_up', { side }, up);
    }
  }

  /** Scores and gate (src/scoring): inconclusive scores have no series rather than a made-up value. */
  private scores(store: ResultsStore, config: ScoresConfig): void {
    const { scores, gate } = scoreState(store.all(), config, kindDimension);
    for (const candidate of scores) {
      for (const row of candidate.dimensions) {
        if (row.score === null) continue;
        this.set('fidelity_score', { dimension: row.dimension, candidate: candidate.candidate }, row.score);
        this.set('fidelity_score_checks', { dimension: row.dimension, candidate: candidate.candidate }, row.checks);
      }
      for (const row of candidate.dimensions) this.set('fidelity_score_weight', { dimension: row.dimension }, row.weight);
      if (candidate.overall !== null) this.set('fidelity_score', { dimension: OVERALL, candidate: candidate.candidate }, candidate.overall);
    }
    for (const [dimension, threshold] of Object.entries(config.thresholds)) {
      if (threshold !== undefined) this.set('fidelity_score_threshold', { dimension }, threshold);
    }
    for (const candidate of gate.candidates) {
      this.set('fidelity_gate_passing', { candidate: candidate.candidate }, candidate.verdict === 'pass' ? 1 : 0);
      this.set('fidelity_gate_inconclusive', { candidate: candidate.candidate }, candidate.evaluated === 'inconclusive' ? 1 : 0);
    }
  }

  private events(events: EventStore): void {
    for (const [environment, stats] of events.provisioning) {
      if (stats.lastDurationSeconds !== undefined)
        this.set('fidelity_provisioning_duration_seconds', { environment }, stats.lastDurationSeconds);
      if (stats.lastFinishedAt !== undefined)
        this.set('fidelity_provisioning_last_finished_timestamp_seconds', { environment }, stats.lastFinishedAt / 1000);
      for (const outcome of ['success', 'failure'] as const)
        this.set('fidelity_provisionings_total', { environment, outcome }, stats.finished[outcome]);
    }
    for (const [environment, count] of events.deployments) this.set('fidelity_deployments_total', { environment }, count);
    for (const verdict of ['pass', 'fail'] as const) this.set('fidelity_staging_verdicts_total', { verdict }, events.verdicts[verdict]);
    for (const escaped of ['true', 'false', 'unknown'] as const)
      this.set('fidelity_production_incidents_total', { escaped }, events.incidents[escaped]);
    const ratio = events.escapeRatio();
    if (ratio !== undefined) this.set('fidelity_escape_ratio', {}, ratio);
    for (const [type, count] of events.received) this.set('fidelity_events_received_total', { type }, count);
  }

  async render(): Promise<string> {
    this.refresh();
    // Both end in a newline and use the same text format, so one follows the other.
    const [own, runtime] = await Promise.all([this.registry.metrics(), runtimeRegistry().metrics()]);
    return own + runtime;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
