import type { MixinConfig } from './config.js';
import { exporterProcessRow } from './exporter-process.js';
import { higherIsBetter, lowerIsBetter, MATCH, PASS_FAIL, stat, table, ts, UP_DOWN, type DashboardSpec } from './grafana.js';
import { metric as M } from './metrics.js';
import type { Scope } from './promql.js';
import type { RecordingRules } from './recording.js';

/**
 * The five dashboards. Panels name metrics through `metric` and shared expressions through the
 * recording rules, exactly like the alerts.
 */

const BY = 'job, instance';

const SCORE = { unit: 'percentunit', min: 0, max: 1 } as const;

/** Rows a table check found different: missing + extra + changed (same labels on all three). */
const tableDifferingRows = (s: Scope) => `(${s.m(M.tableMissingRows)} + ${s.m(M.tableExtraRows)} + ${s.m(M.tableChangedRows)})`;

export function dashboards(config: MixinConfig, rec: RecordingRules): DashboardSpec[] {

  const overview: DashboardSpec = {
    uid: 'fidelity-overview',
    title: 'Fidelity / Overview',
    description: 'How well staging predicts production: scores per dimension against their thresholds, the deployment gate, and the checks that pull the scores down.',
    candidate: true,
    rows: [
      {
        row: 'Gate and scores',
        panels: [
          stat('Gate', 'The deployment gate of the candidate, the same verdict as /gate (FAIL also when inconclusive); with several replicas it passes only when every replica passes.', [
            { expr: (s) => `min by (candidate) (${s.m(M.gatePassing)})`, legend: '{{candidate}}' },
          ], { valueText: PASS_FAIL, thresholds: higherIsBetter(1) }),
          stat('Gate inconclusive', 'Whether a gated dimension has checks without a current result.', [
            { expr: (s) => `max by (candidate) (${s.m(M.gateInconclusive)})`, legend: '{{candidate}}' },
          ], { valueText: { '0': { text: 'no', color: 'green' }, '1': { text: 'INCONCLUSIVE', color: 'orange' } }, thresholds: lowerIsBetter(1) }),
          stat('Overall score', 'Weighted mean of the dimension scores that have results, over every replica of the job (recording rule fidelity:score:combined).', [
            { expr: (s) => s.rec(rec.combinedScore, 'dimension="overall"'), legend: '{{candidate}}' },
          ], { ...SCORE, decimals: 1, thresholds: higherIsBetter(0.9) }),
          stat('Checks failing to sample', 'Checks whose last sample failed; their results are missing from the scores.', [
            { expr: (s) => `count(${s.m(M.checkSuccess)} == 0) or vector(0)` },
          ], { thresholds: lowerIsBetter(1) }),
          ts('Scores against thresholds', 'Scores of the job over time (solid; recording rule fidelity:score:combined) against the thresholds configured under scores.thresholds (dashed, red).', [
            { expr: (s) => s.rec(rec.combinedScore), legend: '{{dimension}} {{candidate}}' },
            { expr: (s) => `max by (dimension) (${s.m(M.scoreThreshold)})`, legend: 'threshold {{dimension}}' },
          ], { ...SCORE, dashed: '^threshold .*', w: 24, h: 10 }),
          {
            type: 'bargauge',
            title: 'Score per dimension',
            description: 'Current score of each dimension of each candidate.',
            targets: [{ expr: (s) => s.rec(rec.combinedScore), legend: '{{dimension}} {{candidate}}', instant: true }],
            ...SCORE,
            thresholds: higherIsBetter(0.9),
            w: 12,
            h: 8,
          },
          table('Distance to threshold', 'Score minus threshold for every gated dimension, worst first; negative rows fail the gate.', [
            { expr: (s) => `sort(${s.rec(rec.combinedScore)} - on (job, dimension) group_left () max by (job, dimension) (${s.m(M.scoreThreshold)}))` },
          ], { unit: 'percentunit', thresholds: higherIsBetter(0) }),
        ],
      },
      {
        row: 'Worst checks',
        panels: [
          table('Data checks with differences', 'Query and table checks whose last sample found differing rows, most rows first.', [
            { expr: (s) => `sort_desc(${s.union([(t) => `${t.m(M.queryMismatchedRows)} > 0`, (t) => `${tableDifferingRows(t)} > 0`])})` },
          ], { thresholds: lowerIsBetter(1) }),
          table('Checks failing to sample', 'Checks whose last sample failed, with how old their last good values are.', [
            { expr: (s) => `${s.rec(rec.checkValuesAge)} and on (${BY}, check, kind) (${s.m(M.checkSuccess)} == 0)` },
          ], { unit: 's', thresholds: lowerIsBetter(config.checkStaleAfterSeconds) }),
          table('Configuration drift', 'Config checks with unapproved or expired differences.', [
            { expr: (s) => `sort_desc(${s.m(M.configDriftIndex)} > 0)` },
          ], { thresholds: lowerIsBetter(1) }),
          table('Unmasked personal data', 'Masking checks that found personal data in staging.', [
            { expr: (s) => `sum by (${BY}, check) (${s.m(M.maskingViolations)}) > 0` },
          ], { thresholds: lowerIsBetter(1) }),
        ],
      },
      {
        row: 'Environments and releases',
        panels: [
          stat('Sides up', 'Whether every database of each environment answered the last probe.', [
            { expr: (s) => s.m(M.sideUp), legend: '{{side}}' },
          ], { valueText: UP_DOWN, thresholds: higherIsBetter(1), w: 8 }),
          stat('Provisioning time', 'How long the last provisioning of each environment took (events API).', [
            { expr: (s) => s.m(M.provisioningDuration), legend: '{{environment}}' },
          ], { unit: 's', w: 8 }),
          stat('Escape ratio', 'Share of releases that passed staging and then had a production incident.', [
            { expr: (s) => s.m(M.escapeRatio) },
          ], { unit: 'percentunit', decimals: 1, thresholds: lowerIsBetter(0.1), w: 8 }),
          ts('Releases and incidents', 'Deployments, staging verdicts and production incidents (by whether their release had passed staging) over the interval.', [
            { expr: (s) => `sum by (environment) (increase(${s.raw(M.deployments)}[$__rate_interval]))`, legend: 'deployments {{environment}}' },
            { expr: (s) => `sum by (verdict) (increase(${s.raw(M.stagingVerdicts)}[$__rate_interval]))`, legend: 'staging {{verdict}}' },
            { expr: (s) => `sum by (escaped) (increase(${s.raw(M.productionIncidents)}[$__rate_interval]))`, legend: 'incidents escaped={{escaped}}' },
          ], { w: 12 }),
          ts('Provisionings', 'Finished provisionings per environment and outcome over the interval.', [
            { expr: (s) => `sum by (environment, outcome) (increase(${s.raw(M.provisionings)}[$__rate_interval]))`, legend: '{{environment}} {{outcome}}' },
          ], { w: 12 }),
          table('Last provisioning', 'When the last provisioning of each environment finished.', [
            { expr: (s) => `${s.m(M.provisioningLastFinished)} * 1000` },
          ], { unit: 'dateTimeFromNow', w: 24, h: 6 }),
        ],
      },
      {
        row: 'Score composition',
        panels: [
          table('Checks per dimension', 'Check results each dimension score is made of, per replica: with few checks one difference moves a score a lot.', [
            { expr: (s) => s.m(M.scoreChecks) },
          ], { w: 12 }),
          table('Dimension weights', 'Weight of each dimension in the overall score (scores.weights).', [
            { expr: (s) => `max by (dimension) (${s.m(M.scoreWeight)})` },
          ], { w: 12 }),
        ],
      },
    ],
  };

  const data: DashboardSpec = {
    uid: 'fidelity-data',
    title: 'Fidelity / Data',
    description: 'Data fidelity: identical query results, table contents, schema, plans, freshness, integrity, coverage and masking.',
    candidate: true,
    rows: [
      {
        row: 'Consistency',
        panels: [
          ts('Data consistency', 'Share of data checks whose results are identical on both sides (recording rule fidelity:data_consistency:ratio), and the data score.', [
            { expr: (s) => s.rec(rec.dataConsistency), legend: 'identical checks {{candidate}}' },
            { expr: (s) => s.m(M.score, 'dimension="data"'), legend: 'data score {{candidate}}' },
            { expr: (s) => s.m(M.scoreThreshold, 'dimension="data"'), legend: 'threshold data' },
          ], { ...SCORE, dashed: '^threshold .*' }),
          ts('Differing rows', 'Rows that differ between the sides (missing + extra + changed), per check.', [
            { expr: (s) => s.m(M.queryMismatchedRows), legend: '{{check}}' },
            { expr: tableDifferingRows, legend: '{{check}}' },
          ]),
          ts('Table difference ratio', 'Differing rows of each table check divided by the larger side\'s row count.', [
            { expr: (s) => s.m(M.tableDifferenceRatio), legend: '{{check}}' },
          ], { unit: 'percentunit', w: 24 }),
          table('Query checks', 'Whether each query returned the same result on both sides.', [
            { expr: (s) => s.m(M.queryMatch) },
          ], { valueText: MATCH, thresholds: higherIsBetter(1), unit: 'none' }),
          table('Table checks', 'Whether each table holds the same rows on both sides.', [
            { expr: (s) => s.m(M.tableMatch) },
          ], { valueText: MATCH, thresholds: higherIsBetter(1), unit: 'none' }),
        ],
      },
      {
        row: 'Performance',
        panels: [
          ts('Rows per side', 'Rows each query returned and each table holds, per side.', [
            { expr: (s) => s.m(M.queryRows), legend: '{{check}} {{side}}' },
            { expr: (s) => s.m(M.tableRows), legend: '{{check}} {{side}}' },
          ]),
          ts('Query duration per side', 'Time each query took on each side.', [
            { expr: (s) => s.m(M.queryDuration), legend: '{{check}} {{side}}' },
          ], { unit: 's' }),
          ts('Table comparison duration per side', 'Time each side spent answering the statements of a table check.', [
            { expr: (s) => s.m(M.tableDuration), legend: '{{check}} {{side}}' },
          ], { unit: 's' }),
          ts('Query duration ratio', 'Candidate duration divided by the baseline duration; 1 means equally fast.', [
            { expr: (s) => s.m(M.queryDurationRatio), legend: '{{check}}' },
          ], { unit: 'x' }),
          ts('Plan differences', 'Differences between the EXPLAIN plans of the sides.', [
            { expr: (s) => s.m(M.planDifferences), legend: '{{check}}' },
          ]),
          ts('Schema differences', 'Differences between the schemas of the sides.', [
            { expr: (s) => s.m(M.schemaDifferences), legend: '{{check}}' },
          ]),
        ],
      },
      {
        row: 'Freshness, integrity, coverage and masking',
        panels: [
          ts('Data age per side', 'Age of the newest data of each freshness check per side (solid) against the max_age of the check (dashed).', [
            { expr: (s) => s.m(M.dataAge), legend: '{{check}} {{side}}' },
            { expr: (s) => s.m(M.freshnessMaxAge), legend: 'max_age {{check}}' },
          ], { unit: 's', dashed: '^max_age .*' }),
          ts('Staging data lag', 'Newest timestamp on the baseline minus the candidate\'s.', [
            { expr: (s) => s.m(M.dataLag), legend: '{{check}} {{candidate}}' },
          ], { unit: 's' }),
          ts('Referential integrity violations', 'Orphan rows found by integrity checks, per relation.', [
            { expr: (s) => s.m(M.integrityViolations), legend: '{{check}} {{relation}}' },
          ]),
          ts('Coverage', 'Share of production value patterns present in staging, per column.', [
            { expr: (s) => s.m(M.dataCoverage), legend: '{{check}} {{column}}' },
          ], SCORE),
          ts('Values missing from staging', 'Distinct production values (or value shapes) of the sample that staging lacks, per column.', [
            { expr: (s) => s.m(M.dataCoverageMissing), legend: '{{check}} {{column}}' },
          ]),
          ts('Masking violations', 'Values in staging that look like personal data or equal production values, and the rows sampled.', [
            { expr: (s) => s.m(M.maskingViolations), legend: '{{check}} {{detector}}' },
            { expr: (s) => s.m(M.maskingSampledRows), legend: 'sampled rows {{check}}' },
          ], { thresholds: lowerIsBetter(1) }),
        ],
      },
    ],
  };

  const configDrift: DashboardSpec = {
    uid: 'fidelity-config',
    title: 'Fidelity / Configuration drift',
    description: 'Configuration drift between the sides: the drift index over time, approved versus unapproved differences, and expired approvals.',
    candidate: true,
    rows: [
      {
        row: 'Drift',
        panels: [
          ts('Drift index', 'Unapproved plus expired differences per config check.', [
            { expr: (s) => s.m(M.configDriftIndex), legend: '{{check}}' },
          ], { thresholds: lowerIsBetter(1), w: 16 }),
          stat('Keys compared', 'Configuration keys each check compared (ignored paths excluded).', [
            { expr: (s) => s.m(M.configKeysCompared), legend: '{{check}}' },
          ], { w: 8, h: 8 }),
          ts('Approved vs unapproved', 'Differences by approval status.', [
            { expr: (s) => `sum by (status) (${s.m(M.configDifferences)})`, legend: '{{status}}' },
          ], { stack: true }),
          ts('Drift age', 'Age of the oldest unapproved or expired difference since it was first seen.', [
            { expr: (s) => s.m(M.configDriftOldest), legend: '{{check}}' },
          ], { unit: 's' }),
          ts('Approved differences against max_approved', 'Approved differences per check (solid) against the max_approved of the check (dashed).', [
            { expr: (s) => `sum by (${BY}, check) (${s.m(M.configDifferences, 'status="approved"')})`, legend: '{{check}}' },
            { expr: (s) => s.m(M.configApprovedMax), legend: 'max_approved {{check}}' },
          ], { dashed: '^max_approved .*' }),
          ts('Unapproved differences per check', 'Recording rule fidelity:config_unapproved_differences.', [
            { expr: (s) => s.rec(rec.unapprovedDifferences), legend: '{{check}}' },
          ]),
          table('Differences by change and status', 'Current differences of every config check.', [
            { expr: (s) => `${s.m(M.configDifferences)} > 0` },
          ]),
          ts('Config score', 'The config dimension score against its threshold.', [
            { expr: (s) => s.m(M.score, 'dimension="config"'), legend: '{{candidate}}' },
            { expr: (s) => s.m(M.scoreThreshold, 'dimension="config"'), legend: 'threshold config' },
          ], { ...SCORE, dashed: '^threshold .*' }),
        ],
      },
    ],
  };

  const behavior: DashboardSpec = {
    uid: 'fidelity-behavior',
    title: 'Fidelity / Behavioral parity',
    description: 'Whether the core user flows behave alike on both sides (latency, statuses, bodies, mutations, errors), how many injected errors each side detects, and how faithful service mocks are.',
    candidate: true,
    rows: [
      {
        row: 'Flow latency',
        panels: [
          ts('Flow duration per side', 'Median duration of each whole flow per side.', [
            { expr: (s) => s.m(M.flowDuration), legend: '{{check}} {{side}}' },
          ], { unit: 's' }),
          ts('Step latency per side', 'Median total duration of each flow step per side.', [
            { expr: (s) => s.m(M.flowStepDuration, 'phase="total"'), legend: '{{check}} {{step}} {{side}}' },
          ], { unit: 's' }),
          ts('Latency ratio', 'Median flow (solid) and step durations of the candidate divided by the baseline\'s; 1 means equally fast.', [
            { expr: (s) => s.m(M.flowLatencyRatio), legend: '{{check}}' },
            { expr: (s) => s.m(M.flowStepLatencyRatio), legend: '{{check}} {{step}}' },
          ], { unit: 'x' }),
          ts('Latency test', 'p-value of the Mann-Whitney U test on flow durations (low: the sides differ significantly) and the durations in the window per side.', [
            { expr: (s) => s.m(M.flowLatencyPValue), legend: 'p-value {{check}}' },
            { expr: (s) => s.m(M.flowLatencySamples), legend: 'samples {{check}} {{side}}' },
          ], { w: 12 }),
          table('Latency regressions', 'Flows whose candidate is significantly slower than the baseline beyond the tolerance (Mann-Whitney U test).', [
            { expr: (s) => s.m(M.flowLatencyRegression) },
          ], { valueText: { '0': { text: 'no', color: 'green' }, '1': { text: 'slower', color: 'red' } }, thresholds: lowerIsBetter(1), unit: 'none', w: 24 }),
        ],
      },
      {
        row: 'Flow parity and errors',
        panels: [
          ts('Parity', 'Share of flow steps with the same status, the same body, and the same data mutations on both sides.', [
            { expr: (s) => s.m(M.flowStatusParity), legend: 'status {{check}}' },
            { expr: (s) => s.m(M.flowBodyParity), legend: 'body {{check}}' },
            { expr: (s) => s.m(M.flowMutationParity), legend: 'mutations {{check}}' },
          ], SCORE),
          ts('Error ratio per side', 'Share of failed flow requests per side, and the spread between the sides (recording rule fidelity:flow_error_ratio:spread, dashed).', [
            { expr: (s) => s.m(M.flowErrorRatio), legend: '{{check}} {{side}}' },
            { expr: (s) => s.rec(rec.flowErrorRatioSpread), legend: 'spread {{check}}' },
          ], { unit: 'percentunit', dashed: '^spread .*', thresholds: lowerIsBetter(config.flowErrorRatioMaxSpread) }),
        ],
      },
      {
        row: 'Error detection and virtualization',
        panels: [
          ts('Error detection rate', 'Share of injected error probes each side detected, against the error_detection threshold (dashed).', [
            { expr: (s) => s.m(M.faultDetectionRatio), legend: '{{check}} {{side}}' },
            { expr: (s) => s.m(M.scoreThreshold, 'dimension="error_detection"'), legend: 'threshold error_detection' },
          ], { ...SCORE, dashed: '^threshold .*' }),
          ts('Error probes', 'Error probes injected and detected per side.', [
            { expr: (s) => s.m(M.faultInjected), legend: 'injected {{check}} {{side}}' },
            { expr: (s) => s.m(M.faultDetected), legend: 'detected {{check}} {{side}}' },
          ]),
          ts('Virtualization accuracy and coverage', 'Share of requests a mock answers like the real service, and the share of endpoints and statuses it covers.', [
            { expr: (s) => s.m(M.virtualAccuracy), legend: 'accuracy {{check}}' },
            { expr: (s) => s.m(M.virtualEndpointCoverage), legend: 'endpoint coverage {{check}}' },
            { expr: (s) => s.m(M.virtualStatusCoverage), legend: 'status coverage {{check}}' },
          ], SCORE),
          ts('Behavior and error detection scores', 'Scores over time (solid) against their thresholds (dashed, red).', [
            { expr: (s) => s.m(M.score, 'dimension=~"behavior|error_detection"'), legend: '{{dimension}} {{candidate}}' },
            { expr: (s) => s.m(M.scoreThreshold, 'dimension=~"behavior|error_detection"'), legend: 'threshold {{dimension}}' },
          ], { ...SCORE, dashed: '^threshold .*' }),
        ],
      },
    ],
  };

  const health: DashboardSpec = {
    uid: 'fidelity-health',
    title: 'Fidelity / Exporter health',
    description: 'Whether the exporter measures: checks sampling, their durations and staleness, environments reachable, configuration loaded, and the exporter process itself (memory, file descriptors, CPU, event-loop lag).',
    candidate: false,
    rows: [
      {
        row: 'Checks',
        panels: [
          stat('Checks', 'Checks with a sample so far.', [{ expr: (s) => `count(${s.m(M.checkSuccess)})` }], { w: 4 }),
          stat('Failing', 'Checks whose last sample failed.', [
            { expr: (s) => `count(${s.m(M.checkSuccess)} == 0) or vector(0)` },
          ], { thresholds: lowerIsBetter(1), w: 4 }),
          stat('Configuration loaded', 'Whether the last configuration (re)load succeeded.', [
            { expr: (s) => s.m(M.configReloadSuccessful) },
          ], { valueText: { '0': { text: 'FAILED', color: 'red' }, '1': { text: 'OK', color: 'green' } }, thresholds: higherIsBetter(1), w: 4 }),
          stat('Version', 'Exporter version.', [{ expr: (s) => s.m(M.buildInfo), legend: '{{version}}' }], {
            unit: 'none',
            w: 3,
          }),
          stat('Shard', 'Which shard of the checks each replica runs (--shard); empty without sharding.', [
            { expr: (s) => s.m(M.shardInfo), legend: '{{shard}}/{{shards}}' },
          ], { unit: 'none', w: 3 }),
          stat('Last configuration load', 'When the configuration was last loaded successfully.', [
            { expr: (s) => `${s.m(M.configReloadTimestamp)} * 1000` },
          ], { unit: 'dateTimeFromNow', w: 6 }),
          ts('Check success', 'Whether the last sample of each check succeeded (1) or failed (0).', [
            { expr: (s) => s.m(M.checkSuccess), legend: '{{check}}' },
          ], { min: 0, max: 1, valueText: { '0': { text: 'failed', color: 'red' }, '1': { text: 'ok', color: 'green' } } }),
          ts('Failures by reason', 'Failed samples per reason over the interval.', [
            { expr: (s) => `sum by (check, reason) (increase(${s.raw(M.checkErrors)}[$__rate_interval]))`, legend: '{{check}} {{reason}}' },
          ], { stack: true }),
          ts('Sample duration', 'Wall time of the last sample of each check.', [
            { expr: (s) => s.m(M.checkDuration), legend: '{{check}}' },
          ], { unit: 's' }),
          ts('Since last sample', 'Seconds since the last sample of each check finished, successful or not.', [
            { expr: (s) => `time() - ${s.m(M.checkLastRun)}`, legend: '{{check}}' },
          ], { unit: 's' }),
          ts('Values age', 'How old the cached comparison values are (recording rule fidelity:check_values_age_seconds).', [
            { expr: (s) => s.rec(rec.checkValuesAge), legend: '{{check}}' },
          ], { unit: 's', thresholds: lowerIsBetter(config.checkStaleAfterSeconds) }),
          ts('Samples and skipped runs', 'Samples per second by outcome, and runs skipped because the previous one was still running.', [
            { expr: (s) => `sum by (outcome) (rate(${s.raw(M.checkRuns)}[$__rate_interval]))`, legend: '{{outcome}}' },
            { expr: (s) => `sum(rate(${s.raw(M.checkSkipped)}[$__rate_interval]))`, legend: 'skipped' },
          ], { unit: 'short', w: 24 }),
        ],
      },
      {
        row: 'Environments',
        panels: [
          ts('Side up', 'Whether every database of each environment answered the last probe.', [
            { expr: (s) => s.m(M.sideUp), legend: '{{side}}' },
          ], { min: 0, max: 1, valueText: UP_DOWN }),
          table('Databases', 'Each database of each environment.', [
            { expr: (s) => s.m(M.sideDatabaseUp) },
          ], { valueText: UP_DOWN, thresholds: higherIsBetter(1), unit: 'none' }),
          ts('Scrape target up', 'Whether Prometheus could scrape the exporter.', [
            { expr: (s) => s.raw('up'), legend: '{{instance}}' },
          ], { min: 0, max: 1, valueText: UP_DOWN, w: 24 }),
        ],
      },
      exporterProcessRow(config),
    ],
  };

  return [overview, data, configDrift, behavior, health];
}
