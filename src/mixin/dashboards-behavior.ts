import type { MixinConfig } from './config.js';
import { exporterProcessRow } from './exporter-process.js';
import { higherIsBetter, lowerIsBetter, stat, table, ts, UP_DOWN, type DashboardSpec } from './grafana.js';
import { metric as M } from './metrics.js';
import type { RecordingRules } from './recording.js';
import { SCORE } from './dashboards-shared.js';

export function behaviorDashboard(config: MixinConfig, rec: RecordingRules): DashboardSpec {
  const behavior: DashboardSpec = {
    uid: 'fidelity-behavior',
    title: 'Fidelity / Behavioral parity',
    description:
      'Whether the core user flows behave alike on both sides (latency, statuses, bodies, mutations, errors), how many injected errors each side detects, and how faithful service mocks are.',
    candidate: true,
    rows: [
      {
        row: 'Flow latency',
        panels: [
          ts(
            'Flow duration per side',
            'Median duration of each whole flow per side.',
            [{ expr: (s) => s.m(M.flowDuration), legend: '{{check}} {{side}}' }],
            { unit: 's' },
          ),
          ts(
            'Step latency per side',
            'Median total duration of each flow step per side.',
            [{ expr: (s) => s.m(M.flowStepDuration, 'phase="total"'), legend: '{{check}} {{step}} {{side}}' }],
            { unit: 's' },
          ),
          ts(
            'Latency ratio',
            "Median flow (solid) and step durations of the candidate divided by the baseline's; 1 means equally fast.",
            [
              { expr: (s) => s.m(M.flowLatencyRatio), legend: '{{check}}' },
              { expr: (s) => s.m(M.flowStepLatencyRatio), legend: '{{check}} {{step}}' },
            ],
            { unit: 'x' },
          ),
          ts(
            'Latency test',
            'p-value of the Mann-Whitney U test on flow durations (low: the sides differ significantly) and the durations in the window per side.',
            [
              { expr: (s) => s.m(M.flowLatencyPValue), legend: 'p-value {{check}}' },
              { expr: (s) => s.m(M.flowLatencySamples), legend: 'samples {{check}} {{side}}' },
            ],
            { w: 12 },
          ),
          table(
            'Latency regressions',
            'Flows whose candidate is significantly slower than the baseline beyond the tolerance (Mann-Whitney U test).',
            [{ expr: (s) => s.m(M.flowLatencyRegression) }],
            {
              valueText: { '0': { text: 'no', color: 'green' }, '1': { text: 'slower', color: 'red' } },
              thresholds: lowerIsBetter(1),
              unit: 'none',
              w: 24,
            },
          ),
        ],
      },
      {
        row: 'Flow parity and errors',
        panels: [
          ts(
            'Parity',
            'Share of flow steps with the same status, the same body, and the same data mutations on both sides.',
            [
              { expr: (s) => s.m(M.flowStatusParity), legend: 'status {{check}}' },
              { expr: (s) => s.m(M.flowBodyParity), legend: 'body {{check}}' },
              { expr: (s) => s.m(M.flowMutationParity), legend: 'mutations {{check}}' },
            ],
            SCORE,
          ),
          ts(
            'Error ratio per side',
            'Share of failed flow requests per side, and the spread between the sides (recording rule fidelity:flow_error_ratio:spread, dashed).',
            [
              { expr: (s) => s.m(M.flowErrorRatio), legend: '{{check}} {{side}}' },
              { expr: (s) => s.rec(rec.flowErrorRatioSpread), legend: 'spread {{check}}' },
            ],
            { unit: 'percentunit', dashed: '^spread .*', thresholds: lowerIsBetter(config.flowErrorRatioMaxSpread) },
          ),
        ],
      },
      {
        row: 'Error detection and virtualization',
        panels: [
          ts(
            'Error detection rate',
            'Share of injected error probes each side detected, against the error_detection threshold (dashed).',
            [
              { expr: (s) => s.m(M.faultDetectionRatio), legend: '{{check}} {{side}}' },
              { expr: (s) => s.m(M.scoreThreshold, 'dimension="error_detection"'), legend: 'threshold error_detection' },
            ],
            { ...SCORE, dashed: '^threshold .*' },
          ),
          ts('Error probes', 'Error probes injected and detected per side.', [
            { expr: (s) => s.m(M.faultInjected), legend: 'injected {{check}} {{side}}' },
            { expr: (s) => s.m(M.faultDetected), legend: 'detected {{check}} {{side}}' },
          ]),
          ts(
            'Virtualization accuracy and coverage',
            'Share of requests a mock answers like the real service, and the share of endpoints and statuses it covers.',
            [
              { expr: (s) => s.m(M.virtualAccuracy), legend: 'accuracy {{check}}' },
              { expr: (s) => s.m(M.virtualEndpointCoverage), legend: 'endpoint coverage {{check}}' },
              { expr: (s) => s.m(M.virtualStatusCoverage), legend: 'status coverage {{check}}' },
            ],
            SCORE,
          ),
          ts(
            'Behavior and error detection scores',
            'Scores over time (solid) against their thresholds (dashed, red).',
            [
              { expr: (s) => s.m(M.score, 'dimension=~"behavior|error_detection"'), legend: '{{dimension}} {{candidate}}' },
              { expr: (s) => s.m(M.scoreThreshold, 'dimension=~"behavior|error_detection"'), legend: 'threshold {{dimension}}' },
            ],
            { ...SCORE, dashed: '^threshold .*' },
          ),
        ],
      },
    ],
  };
  return behavior;
}

export function healthDashboard(config: MixinConfig, rec: RecordingRules): DashboardSpec {
  const health: DashboardSpec = {
    uid: 'fidelity-health',
    title: 'Fidelity / Exporter health',
    description:
      'Whether the exporter measures: checks sampling, their durations and staleness, environments reachable, configuration loaded, and the exporter process itself (memory, file descriptors, CPU, event-loop lag).',
    candidate: false,
    rows: [
      {
        row: 'Checks',
        panels: [
          stat('Checks', 'Checks with a sample so far.', [{ expr: (s) => `count(${s.m(M.checkSuccess)})` }], { w: 4 }),
          stat('Failing', 'Checks whose last sample failed.', [{ expr: (s) => `count(${s.m(M.checkSuccess)} == 0) or vector(0)` }], {
            thresholds: lowerIsBetter(1),
            w: 4,
          }),
          stat(
            'Configuration loaded',
            'Whether the last configuration (re)load succeeded.',
            [{ expr: (s) => s.m(M.configReloadSuccessful) }],
            {
              valueText: { '0': { text: 'FAILED', color: 'red' }, '1': { text: 'OK', color: 'green' } },
              thresholds: higherIsBetter(1),
              w: 4,
            },
          ),
          stat('Version', 'Exporter version.', [{ expr: (s) => s.m(M.buildInfo), legend: '{{version}}' }], {
            unit: 'none',
            w: 3,
          }),
          stat(
            'Shard',
            'Which shard of the checks each replica runs (--shard); empty without sharding.',
            [{ expr: (s) => s.m(M.shardInfo), legend: '{{shard}}/{{shards}}' }],
            { unit: 'none', w: 3 },
          ),
          stat(
            'Last configuration load',
            'When the configuration was last loaded successfully.',
            [{ expr: (s) => `${s.m(M.configReloadTimestamp)} * 1000` }],
            { unit: 'dateTimeFromNow', w: 6 },
          ),
          ts(
            'Check success',
            'Whether the last sample of each check succeeded (1) or failed (0).',
            [{ expr: (s) => s.m(M.checkSuccess), legend: '{{check}}' }],
            { min: 0, max: 1, valueText: { '0': { text: 'failed', color: 'red' }, '1': { text: 'ok', color: 'green' } } },
          ),
          ts(
            'Failures by reason',
            'Failed samples per reason over the interval.',
            [
              {
                expr: (s) => `sum by (check, reason) (increase(${s.raw(M.checkErrors)}[$__rate_interval]))`,
                legend: '{{check}} {{reason}}',
              },
            ],
            { stack: true },
          ),
          ts(
            'Sample duration',
            'Wall time of the last sample of each check.',
            [{ expr: (s) => s.m(M.checkDuration), legend: '{{check}}' }],
            { unit: 's' },
          ),
          ts(
            'Since last sample',
            'Seconds since the last sample of each check finished, successful or not.',
            [{ expr: (s) => `time() - ${s.m(M.checkLastRun)}`, legend: '{{check}}' }],
            { unit: 's' },
          ),
          ts(
            'Values age',
            'How old the cached comparison values are (recording rule fidelity:check_values_age_seconds).',
            [{ expr: (s) => s.rec(rec.checkValuesAge), legend: '{{check}}' }],
            { unit: 's', thresholds: lowerIsBetter(config.checkStaleAfterSeconds) },
          ),
          ts(
            'Samples and skipped runs',
            'Samples per second by outcome, and runs skipped because the previous one was still running.',
            [
              { expr: (s) => `sum by (outcome) (rate(${s.raw(M.checkRuns)}[$__rate_interval]))`, legend: '{{outcome}}' },
              { expr: (s) => `sum(rate(${s.raw(M.checkSkipped)}[$__rate_interval]))`, legend: 'skipped' },
            ],
            { unit: 'short', w: 24 },
          ),
        ],
      },
      {
        row: 'Environments',
        panels: [
          ts(
            'Side up',
            'Whether every database of each environment answered the last probe.',
            [{ expr: (s) => s.m(M.sideUp), legend: '{{side}}' }],
            { min: 0, max: 1, valueText: UP_DOWN },
          ),
          table('Databases', 'Each database of each environment.', [{ expr: (s) => s.m(M.sideDatabaseUp) }], {
            valueText: UP_DOWN,
            thresholds: higherIsBetter(1),
            unit: 'none',
          }),
          ts('Scrape target up', 'Whether Prometheus could scrape the exporter.', [{ expr: (s) => s.raw('up'), legend: '{{instance}}' }], {
            min: 0,
            max: 1,
            valueText: UP_DOWN,
            w: 24,
          }),
        ],
      },
      exporterProcessRow(config),
    ],
  };
  return health;
}
