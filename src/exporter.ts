import type { LoadedConfig } from './config/load.js';
import { Sides } from './connectors/sides.js';
import type { Logger } from './log.js';
import { Collector, type ReloadStatus } from './metrics/collector.js';
import { ResultsStore } from './results/store.js';
import { Scheduler } from './scheduler/scheduler.js';

/**
 * The running exporter: one configuration, its connections, its scheduler and the results store.
 * Reloading swaps configuration, connections and scheduler; the store keeps the history of
 * checks that did not change.
 */
export class Exporter {
  readonly store = new ResultsStore();
  readonly collector: Collector;
  readonly startedAt = Date.now();
  private current: { config: LoadedConfig; sides: Sides; scheduler: Scheduler };
  private reloadStatus: ReloadStatus;
  private running = false;

  constructor(
    config: LoadedConfig,
    private readonly log: Logger,
  ) {
    this.current = this.assemble(config);
    this.reloadStatus = { successful: true, lastSuccessAt: Date.now() };
    this.collector = new Collector({
      store: () => this.store,
      sides: () => this.current.sides,
      reload: () => this.reloadStatus,
    });
  }

  private assemble(config: LoadedConfig) {
    const sides = new Sides(config.root, this.log);
    this.store.setChecks(config.checks);
    const scheduler = new Scheduler({ root: config.root, sides, store: this.store, log: this.log });
    return { config, sides, scheduler };
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
    this.reloadStatus = { successful: true, lastSuccessAt: Date.now() };
    if (this.running) this.start();
    await previous.sides.close();
  }

  markReloadFailed(): void {
    this.reloadStatus = { ...this.reloadStatus, successful: false };
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.current.scheduler.stop();
    await this.current.sides.close();
  }
}
