import { kindDimension } from '../checks/kinds.js';
import type { CommonCheck } from '../checks/check.js';
import type { LoadedConfig } from './load.js';
import { Sides } from '../connectors/sides.js';
import { httpClient, sameScheduling } from '../connectors/http.js';
import type { Logger } from '../log.js';
import { Collector, type ReloadStatus } from './collector.js';
import { ExamplesPrivacy } from '../results/privacy.js';
import { ResultsStore } from '../results/store.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { ownedChecks, type Shard } from '../scheduler/shard.js';
import { EventStore } from '../events/store.js';
import { ScoreHistory } from '../scoring/history.js';
import { CurrentScores, type ScoreState } from '../scoring/current.js';

const HISTORY_INTERVAL_MS = 10_000;

export interface ExporterOptions {
  /** With a shard, this replica runs and exports only the checks it owns (see scheduler/shard.ts). */
  shard?: Shard;
  /**
   * The checks of the file to run (the one-shot `run` passes its selection); the shard then takes
   * its share of them. Without it, every check of the file.
   */
  select?: (config: LoadedConfig) => CommonCheck[];
}

/**
 * The one wiring of an exporter, used by `serve`, `demo` and `run` alike: one configuration, its
 * connections, its scheduler and the results store. `serve` starts the schedules; `run` samples
 * every check once (sampleOnce). Reloading swaps configuration, connections and scheduler; the
 * store keeps the history of checks that did not change.
 */
export class Exporter {
  readonly store = new ResultsStore();
  readonly collector: Collector;
  readonly startedAt = Date.now();
  /** Scores over the uptime (report charts) and posted events: both survive reloads. */
  readonly history = new ScoreHistory();
  readonly events = new EventStore();
  /** The score state of the current results, shared by /metrics, the history, /gate and the report. */
  readonly scores = new CurrentScores(kindDimension);
  private historyTimer: NodeJS.Timeout | undefined;
  private current: { config: LoadedConfig; sides: Sides; scheduler: Scheduler };
  private reloadStatus: ReloadStatus;
  private running = false;
  /** Settles when the prober thread's scheduling of the current configuration is in place. */
  proberScheduling: Promise<void> = Promise.resolve();

  constructor(
    config: LoadedConfig,
    private readonly log: Logger,
    readonly options: ExporterOptions = {},
  ) {
    this.current = this.assemble(config);
    this.reloadStatus = { successful: true, lastSuccessAt: Date.now() };
    this.collector = new Collector({
      store: () => this.store,
      sides: () => this.current.sides,
      reload: () => this.reloadStatus,
      config: () => this.current.config,
      scores: () => this.scoreState(),
      events: () => this.events,
      shard: () => this.options.shard,
      prober: () => httpClient().schedulingState,
    });
  }

  /** The checks of a configuration that this exporter runs: the selection, then the shard's share. */
  checksOf(loaded: LoadedConfig): CommonCheck[] {
    return ownedChecks(this.options.select?.(loaded) ?? loaded.checks, this.options.shard);
  }

  private assemble(loaded: LoadedConfig) {
    const config = this.options.shard || this.options.select ? { ...loaded, checks: this.checksOf(loaded) } : loaded;
    const sides = new Sides(config.root, this.log);
    // The policy knows every check of the file (masking checks of other shards mark columns too).
    this.store.setChecks(config.checks, new ExamplesPrivacy(loaded.root, loaded.checks));
    this.events.setLimits({
      maxReleases: config.root.events.max_releases,
      maxOpenProvisionings: config.root.events.max_open_provisionings,
    });
    const scheduler = new Scheduler({ root: config.root, sides, store: this.store, log: this.log });
    this.applyProberScheduling(config);
    return { config, sides, scheduler };
  }

  /** Called while no sample runs (before start, between schedulers on reload): chrt blocks the prober thread. */
  private applyProberScheduling(config: LoadedConfig): void {
    const { scheduling, realtime_priority: priority } = config.root.prober;
    const requested = { policy: scheduling, priority };
    // Unchanged across a reload: nothing to set or log again.
    if (sameScheduling(requested, httpClient().schedulingState.requested)) return;
    this.proberScheduling = httpClient()
      .setScheduling(requested)
      .then((status) => {
        if (scheduling === 'realtime' && !status.realtime)
          this.log.warn({ prober: status.message }, 'HTTP prober runs under normal scheduling');
        else this.log.info({ prober: status.message }, 'HTTP prober scheduling set');
      });
  }

  get config(): LoadedConfig {
    return this.current.config;
  }

  get sides(): Sides {
    return this.current.sides;
  }

  get ready(): boolean {
    return this.running;
  }

  get reload(): ReloadStatus {
    return this.reloadStatus;
  }

  start(): void {
    this.current.scheduler.start(this.current.config.checks, this.current.config.root.defaults.side_probe_interval);
    this.running = true;
    this.historyTimer ??= setInterval(() => this.recordScores(), HISTORY_INTERVAL_MS).unref();
  }

  /**
   * The one-shot run: samples every enabled check once, all at once (each database's slots still
   * limit them), probes the sides once, and resolves when all are done. `onSampled` follows progress.
   */
  async sampleOnce(onSampled?: (check: CommonCheck) => void): Promise<void> {
    await this.current.scheduler.once(this.current.config.checks, onSampled);
    await this.proberScheduling;
    this.recordScores();
  }

  /** Scores and gate of the current results, computed once per change of the store. */
  scoreState(): ScoreState {
    return this.scores.of(this.store, this.current.config.root.scores);
  }

  /** Adds the current scores to the history (the report's charts). */
  recordScores(now = Date.now()): void {
    this.history.record(now, this.scoreState().scores);
  }

  /** Waits until every sample started so far has finished (tests and the one-shot run use it). */
  idle(): Promise<void> {
    return this.current.scheduler.idle();
  }

  /** Applies a new configuration; call with the outcome of loading it. */
  async applyConfig(next: LoadedConfig): Promise<void> {
    const previous = this.current;
    await previous.scheduler.stop();
    this.current = this.assemble(next);
    this.markReloadSucceeded();
    if (this.running) this.start();
    await previous.sides.close();
  }

  markReloadFailed(): void {
    this.reloadStatus = { ...this.reloadStatus, successful: false };
  }

  /** After a configuration (or only a web configuration) was swapped in. */
  markReloadSucceeded(): void {
    this.reloadStatus = { successful: true, lastSuccessAt: Date.now() };
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.historyTimer);
    this.historyTimer = undefined;
    this.collector.close();
    await this.current.scheduler.stop();
    await this.current.sides.close();
  }
}
