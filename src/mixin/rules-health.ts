import type { MixinConfig } from './config.js';
import { metric as M } from './metrics.js';
import type { RecordingRules } from './recording.js';
import type { AlertRule } from './rules-spec.js';

/** Alerts on the exporter's own health: failing, stale and blind checks, an absent exporter. */
export function healthAlerts(config: MixinConfig, rec: RecordingRules): AlertRule[] {
  const staleAfter = config.checkStaleAfterSeconds;
  return [
    {
      alert: 'FidelityCheckFailing',
      severity: 'warning',
      forSeconds: 600,
      expr: (s) => `${s.m(M.checkSuccess)} == 0`,
      summary: 'Check {{ $labels.check }} cannot sample.',
      description:
        'The samples of the {{ $labels.kind }} check {{ $labels.check }} fail; its comparison series are gone and its dimension score leaves it out. fidelity_check_errors_total tells the reason.',
      fires: {
        series: [{ metric: M.checkSuccess, labels: { check: 'orders_by_status', kind: 'query' }, values: '1 0x20' }],
        at: 15,
        expect: [
          {
            labels: { check: 'orders_by_status', kind: 'query' },
            summary: 'Check orders_by_status cannot sample.',
            description:
              'The samples of the query check orders_by_status fail; its comparison series are gone and its dimension score leaves it out. fidelity_check_errors_total tells the reason.',
          },
        ],
      },
      quiet: {
        // A single failed sample, and a scrape that failed in between, do not page.
        series: [{ metric: M.checkSuccess, labels: { check: 'orders_by_status', kind: 'query' }, values: '1 0 0 0 1 _ 1x10' }],
        at: 15,
        expect: [],
      },
    },
    {
      alert: 'FidelityCheckStale',
      severity: 'warning',
      forSeconds: 300,
      expr: (s) => `${s.rec(rec.checkValuesAge)} > ${staleAfter}`,
      summary: 'The values of check {{ $labels.check }} are stale.',
      description:
        'The last successful sample of {{ $labels.check }} finished {{ $value | humanizeDuration }} ago. Its series and scores describe the past.',
      fires: {
        // The last success is always 70 minutes old (the value is the same whether the alert group
        // runs before or after the recording group in an evaluation round).
        series: [{ metric: M.checkLastSuccess, labels: { check: 'orders_table', kind: 'table' }, values: '-4200+60x90' }],
        at: 70,
        expect: [
          {
            labels: { check: 'orders_table', kind: 'table' },
            summary: 'The values of check orders_table are stale.',
            description: 'The last successful sample of orders_table finished 1h 10m 0s ago. Its series and scores describe the past.',
          },
        ],
      },
      quiet: {
        // Succeeds every minute.
        series: [{ metric: M.checkLastSuccess, labels: { check: 'orders_table', kind: 'table' }, values: '0+60x90' }],
        at: 70,
        expect: [],
      },
    },
    {
      alert: 'FidelitySideDown',
      severity: 'warning',
      forSeconds: 300,
      expr: (s) => `${s.m(M.sideUp)} == 0`,
      summary: 'Environment {{ $labels.side }} is unreachable from the exporter.',
      description:
        'Some database of {{ $labels.side }} did not answer the last probes; every check that reads it fails. fidelity_side_database_up tells which.',
      fires: {
        series: [{ metric: M.sideUp, labels: { side: 'staging' }, values: '1 0x10' }],
        at: 8,
        expect: [
          {
            labels: { side: 'staging' },
            summary: 'Environment staging is unreachable from the exporter.',
            description:
              'Some database of staging did not answer the last probes; every check that reads it fails. fidelity_side_database_up tells which.',
          },
        ],
      },
      quiet: {
        series: [{ metric: M.sideUp, labels: { side: 'staging' }, values: '1 0 _ 1x10' }],
        at: 8,
        expect: [],
      },
    },
    {
      alert: 'FidelityExporterAbsent',
      severity: 'warning',
      forSeconds: 300,
      expr: (s) => `absent(${s.raw('up')} == 1)`,
      summary: 'Prometheus cannot scrape the fidelity exporter.',
      description: `No target of job ${config.job} is up: fidelity is not measured and no other fidelity alert can fire.`,
      fires: {
        series: [{ metric: 'up', values: '1 0x10' }],
        at: 8,
        expect: [
          {
            labels: {},
            target: false,
            summary: 'Prometheus cannot scrape the fidelity exporter.',
            description: `No target of job ${config.job} is up: fidelity is not measured and no other fidelity alert can fire.`,
          },
        ],
      },
      quiet: {
        series: [{ metric: 'up', values: '1 1 0 1x10' }],
        at: 8,
        expect: [],
      },
    },
  ];
}
