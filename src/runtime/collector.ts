import type { Sides } from '../connectors/sides.js';
import type { ResultsStore } from '../results/store.js';
import type { LoadedConfig } from './load.js';
import { scoresSchema, type ScoresConfig } from '../config/schema.js';
import type { EventStore } from '../events/store.js';
import type { SchedulingStatus } from '../connectors/http-types.js';
import { VERSION } from '../version.js';
import { catalogue } from '../metrics/catalogue.js';
import { type CachedBody, metricHeader, SeriesLines, TEXT_CONTENT_TYPE } from '../metrics/exposition.js';
import { kindDimension } from '../checks/kinds.js';
import { CurrentScores, type ScoreState } from '../scoring/current.js';
import { runtimeRegistry } from '../metrics/runtime.js';
import { LIVE_METRICS, StoreRenderer } from './store-render.js';

const DEFAULT_SCORES: ScoresConfig = scoresSchema.parse(undefined);

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
  /** The shared score state of the store (the exporter's); without it, the collector computes its own. */
  scores?: () => ScoreState;
  events?: () => EventStore;
  /** The HTTP prober thread's scheduling; without it, normal. */
  prober?: () => SchedulingStatus;
  /** The replica's shard (--shard), when the checks are split across replicas. */
  shard?: () => { index: number; count: number } | undefined;
}

/**
 * How long after a change of the results store the body is rendered ahead of scrapes: changes
 * landing in between share one render. A scrape before then renders at once (never stale).
 */
const RENDER_DELAY_MS = 5;

const LIVE_HEADERS = [...LIVE_METRICS].map((name) => [name, metricHeader(name, catalogue[name].help, catalogue[name].type)] as const);

/**
 * A /metrics response body: the text as bytes, gzip-compressed when the scraper accepts it, in
 * pieces written one after the other (the kept render is never copied into a new buffer).
 */
export interface ScrapeBody {
  chunks: Buffer[];
  encoding?: 'gzip';
}

/**
 * Serves the results store as Prometheus metrics. The store's part of the body is rendered when
 * the store changes (soon after, or at the next scrape if that comes first) and kept as bytes,
 * with its compressed form; nothing here waits on a database, and series of failed checks simply
 * vanish. The few series read from elsewhere (reload status, side probes, events) and the process
 * and Node.js runtime metrics (runtime.ts) follow, read at each scrape.
 */
export class Collector {
  private readonly renderer = new StoreRenderer();
  private readonly ownScores = new CurrentScores(kindDimension);
  private cached: { store: ResultsStore; revision: number; config: ScoresConfig; body: CachedBody } | undefined;
  private watched: ResultsStore | undefined;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly sources: CollectorSources) {}

  /** The store's part of the body, rendered again only when the store or the scores configuration changed. */
  private storeBody(): CachedBody {
    const store = this.sources.store();
    this.watch(store);
    const config = this.sources.config?.().root.scores ?? DEFAULT_SCORES;
    const cached = this.cached;
    if (cached?.store === store && cached.revision === store.revision && cached.config === config) return cached.body;
    const state = this.sources.scores?.() ?? this.ownScores.of(store, config);
    const body = this.renderer.render(store, config, state);
    this.cached = { store, revision: store.revision, config, body };
    return body;
  }

  /** Renders soon after each change of the store, so that a scrape finds the body ready. */
  private watch(store: ResultsStore): void {
    if (this.watched === store) return;
    this.watched = store;
    store.onChange(() => {
      if (this.pending || this.watched !== store) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        this.storeBody().prepareGzip();
      }, RENDER_DELAY_MS).unref();
    });
  }

  /** The series read at each scrape: reload status, prober, shard, events and side probes. */
  private live(): string {
    const lines = new SeriesLines(catalogue);
    const reload = this.sources.reload();
    lines.set('fidelity_build_info', { version: VERSION, nodejs: process.version }, 1);
    lines.set('fidelity_config_last_reload_successful', {}, reload.successful ? 1 : 0);
    lines.set('fidelity_prober_realtime', {}, this.sources.prober?.().realtime ? 1 : 0);
    const shard = this.sources.shard?.();
    if (shard) lines.set('fidelity_shard_info', { shard: String(shard.index), shards: String(shard.count) }, 1);
    lines.set('fidelity_config_last_reload_success_timestamp_seconds', {}, reload.lastSuccessAt / 1000);
    const events = this.sources.events?.();
    if (events) eventSeries(lines, events);
    const sides = this.sources.sides();
    for (const [side, databases] of sides.health) {
      for (const [database, up] of databases) lines.set('fidelity_side_database_up', { side, database }, up ? 1 : 0);
      const up = sides.sideUp(side);
      if (up !== undefined) lines.set('fidelity_side_up', { side }, up);
    }
    return LIVE_HEADERS.map(([name, header]) => header + lines.lines(name)).join('');
  }

  /** The body of one scrape; `gzip` when the scraper accepts it. */
  async scrape(gzip = false): Promise<ScrapeBody> {
    // Read synchronously, before any await: one scrape sees one state of the store.
    const head = this.storeBody();
    const live = this.live();
    const tail = Buffer.from(live + (await runtimeRegistry().metrics()));
    if (gzip) return { chunks: head.gzip(tail), encoding: 'gzip' };
    return { chunks: [head.head, tail] };
  }

  async render(): Promise<string> {
    return Buffer.concat((await this.scrape()).chunks).toString('utf8');
  }

  get contentType(): string {
    return TEXT_CONTENT_TYPE;
  }

  /** Stops the pending render, if any (the process or the exporter is stopping). */
  close(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
  }
}

function eventSeries(lines: SeriesLines, events: EventStore): void {
  for (const [environment, stats] of events.provisioning) {
    if (stats.lastDurationSeconds !== undefined)
      lines.set('fidelity_provisioning_duration_seconds', { environment }, stats.lastDurationSeconds);
    if (stats.lastFinishedAt !== undefined)
      lines.set('fidelity_provisioning_last_finished_timestamp_seconds', { environment }, stats.lastFinishedAt / 1000);
    for (const outcome of ['success', 'failure'] as const)
      lines.set('fidelity_provisionings_total', { environment, outcome }, stats.finished[outcome]);
  }
  for (const [environment, count] of events.deployments) lines.set('fidelity_deployments_total', { environment }, count);
  for (const verdict of ['pass', 'fail'] as const) lines.set('fidelity_staging_verdicts_total', { verdict }, events.verdicts[verdict]);
  for (const escaped of ['true', 'false', 'unknown'] as const)
    lines.set('fidelity_production_incidents_total', { escaped }, events.incidents[escaped]);
  // An escape ratio without data is absent rather than 0.
  const ratio = events.escapeRatio();
  if (ratio !== undefined) lines.set('fidelity_escape_ratio', {}, ratio);
  for (const [type, count] of events.received) lines.set('fidelity_events_received_total', { type }, count);
}
