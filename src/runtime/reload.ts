import { ConfigError } from '../config/errors.js';
import { loadConfigFile, type LoadedConfig } from './load.js';
import type { Logger } from '../log.js';
import type { Exporter } from './exporter.js';

export type ReloadOutcome = { ok: true; checks: number; changed: ChangeSummary } | { ok: false; error: string };

export interface ChangeSummary {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

export interface ReloaderDeps {
  exporter: Exporter;
  log: Logger;
  configFile?: string;
  /**
   * What the server reloads with the configuration (its web configuration file): reads, validates
   * and swaps it in, or throws and changes nothing. Runs after the configuration file validated and
   * before it is applied, so a bad file of either kind keeps both as they were.
   */
  reloadCompanion?: () => void;
}

/**
 * SIGHUP and POST /-/reload: read the configuration file (and the server's web configuration file)
 * again, validate completely, and only then swap them in. A bad file keeps everything as it was,
 * logs why and sets fidelity_config_last_reload_successful to 0. Reloads run one at a time.
 */
export class Reloader {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReloaderDeps) {}

  reload(trigger: string): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.reloadNow(trigger));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(trigger: string): Promise<ReloadOutcome> {
    const { exporter, log, configFile, reloadCompanion } = this.deps;
    let config: LoadedConfig | undefined;
    try {
      if (configFile) config = loadConfigFile(configFile);
      reloadCompanion?.();
    } catch (error) {
      // ConfigError messages name paths and never carry a secret value.
      const message = error instanceof ConfigError ? error.message : (error as Error).message;
      exporter.markReloadFailed();
      log.error({ trigger, err: message }, 'configuration reload failed; the previous configuration stays in force');
      return { ok: false, error: message };
    }
    const changed = config
      ? summarize(exporter.config.checks, exporter.checksOf(config))
      : { added: 0, removed: 0, changed: 0, unchanged: exporter.config.checks.length };
    if (config) await exporter.applyConfig(config);
    else exporter.markReloadSucceeded();
    log.info({ trigger, checks: exporter.config.checks.length, ...changed }, 'configuration reloaded');
    return { ok: true, checks: exporter.config.checks.length, changed };
  }
}

/** How the configured checks change, by name and definition (for the log line and the response). */
export function summarize(before: ReadonlyArray<{ name: string }>, after: ReadonlyArray<{ name: string }>): ChangeSummary {
  const previous = new Map(before.map((check) => [check.name, JSON.stringify(check)]));
  const summary: ChangeSummary = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  for (const check of after) {
    const old = previous.get(check.name);
    if (old === undefined) summary.added += 1;
    else if (old === JSON.stringify(check)) summary.unchanged += 1;
    else summary.changed += 1;
    previous.delete(check.name);
  }
  summary.removed = previous.size;
  return summary;
}
