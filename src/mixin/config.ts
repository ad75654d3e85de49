/**
 * Settings of the generated dashboards and rules: selectors and the few thresholds that are not
 * read from `fidelity_score_threshold`. Defined once; `scripts/gen-mixin.ts` renders them.
 */
export interface MixinConfig {
  /** The Prometheus job that scrapes the exporter; every rule selects `job="<this>"`. */
  job: string;
  /** Where `runbook_url` annotations point; the alert name and `.md` are appended. */
  runbookBaseUrl: string;
  /**
   * Multiplies every `for` and range duration. 1 for the shipped files; the end-to-end test
   * renders the same rules at 1/60 so that minutes become seconds.
   */
  timeScale: number;
  /**
   * The scrape interval of the exporter's job. Rules read gauges over 2.5 intervals so that one
   * failed scrape neither resolves a firing alert nor restarts a pending one.
   */
  scrapeIntervalSeconds: number;
  /** A check whose comparison values are older than this is stale (raise it for daily checks). */
  checkStaleAfterSeconds: number;
  /**
   * Flow parity is degraded when the error ratios of the sides of a flow differ by more than this
   * (besides a significant latency regression or differing statuses, which the flow check judges).
   */
  flowErrorRatioMaxSpread: number;
  /** The exporter process (exporter-process.ts): share of its file descriptor limit in use that warns. */
  exporterFdUseMaxRatio: number;
  /** 99th percentile of the exporter's event-loop delay between scrapes that warns when it lasts. */
  exporterEventLoopLagMaxSeconds: number;
  /** Warn when, at the trend of the last hours, resident memory reaches this multiple of today's within a day. */
  exporterMemoryGrowthFactor: number;
}

/** The placeholder documented in docs/dashboards-and-alerts.md; override with --runbook-base-url. */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/your-org/fidelity-exporter/blob/main/alerts/runbooks/';

export const defaultMixinConfig: MixinConfig = {
  job: 'fidelity-exporter',
  runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL,
  timeScale: 1,
  scrapeIntervalSeconds: 60,
  checkStaleAfterSeconds: 3600,
  flowErrorRatioMaxSpread: 0.05,
  exporterFdUseMaxRatio: 0.8,
  exporterEventLoopLagMaxSeconds: 0.5,
  exporterMemoryGrowthFactor: 2,
};
