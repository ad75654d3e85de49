import { loadConfigObject, type LoadedConfig } from '../../src/runtime/load.js';
import { Sides } from '../../src/connectors/sides.js';
import { silentLogger } from '../../src/log.js';
import { ExamplesPrivacy } from '../../src/results/privacy.js';
import { ResultsStore, type CheckState } from '../../src/results/store.js';
import { runSample } from '../../src/scheduler/sample.js';

/**
 * Runs checks the way the exporter does (real connectors, limiter, timeouts, store) without the
 * HTTP server: for integration tests of check kinds.
 */

export type DatabasesBySide = Record<string, Record<string, string>>;

/** A configuration document with the given databases per side and checks. */
export function configWith(
  databases: DatabasesBySide,
  checks: Array<Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): LoadedConfig {
  const environments = Object.fromEntries(
    Object.entries(databases).map(([side, dbs]) => [
      side,
      { databases: Object.fromEntries(Object.entries(dbs).map(([name, url]) => [name, { url }])) },
    ]),
  );
  // start_spread 0s: an exporter started on this configuration samples every check at once.
  return loadConfigObject({ environments, defaults: { every: '1h', timeout: '20s', start_spread: '0s' }, ...extra, checks }, { env: {} });
}

export class CheckRunner {
  readonly store = new ResultsStore();
  readonly sides: Sides;

  constructor(readonly config: LoadedConfig) {
    this.sides = new Sides(config.root, silentLogger);
    this.store.setChecks(config.checks, new ExamplesPrivacy(config.root, config.checks));
  }

  /** Runs one sample of the named check and returns its state afterwards. */
  async run(name: string): Promise<CheckState> {
    const check = this.config.checks.find((c) => c.name === name);
    if (!check) throw new Error(`no check named ${name}`);
    await runSample(check, { root: this.config.root, sides: this.sides, store: this.store, log: silentLogger });
    const state = this.store.get(name);
    if (!state) throw new Error(`no state for ${name}`);
    return state;
  }

  close(): Promise<void> {
    return this.sides.close();
  }
}

/** The value of one series of a result, by metric name and label subset. */
export function seriesValue(state: CheckState, metric: string, labels: Record<string, string> = {}): number | undefined {
  return state.result?.series.find(
    (series) => series.metric === metric && Object.entries(labels).every(([key, value]) => series.labels[key] === value),
  )?.value;
}
