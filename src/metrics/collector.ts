import { Counter, Gauge, Registry } from 'prom-client';
import type { Sides } from '../connectors/sides.js';
import type { ResultsStore } from '../results/store.js';
import { dimensionScores } from '../scoring/scores.js';
import { VERSION } from '../version.js';
import { catalogue, type MetricName } from './catalogue.js';

export interface ReloadStatus {
  successful: boolean;
  lastSuccessAt: number;
}

export interface CollectorSources {
  store: () => ResultsStore;
  sides: () => Sides;
  reload: () => ReloadStatus;
}

/**
 * Renders the results store as Prometheus metrics. Each scrape resets every metric and sets it
 * from memory: nothing here waits on a database, and series of failed checks simply vanish.
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
    this.set('fidelity_config_last_reload_success_timestamp_seconds', {}, reload.lastSuccessAt / 1000);

    const contributions = [];
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
        for (const series of state.result.series) this.set(series.metric, series.labels, series.value);
        contributions.push(...state.result.scores);
      }
    }
    for (const score of dimensionScores(contributions)) {
      this.set('fidelity_score', { dimension: score.dimension, candidate: score.candidate }, score.score);
    }
    for (const [side, databases] of sides.health) {
      for (const [database, up] of databases) this.set('fidelity_side_database_up', { side, database }, up ? 1 : 0);
      const up = sides.sideUp(side);
      if (up !== undefined) this.set('fidelity_side_up', { side }, up);
    }
  }

  async render(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
