import type { MixinConfig } from './config.js';
import { higherIsBetter, lowerIsBetter, PASS_FAIL, stat, table, ts, UP_DOWN, type DashboardSpec } from './grafana.js';
import { metric as M } from './metrics.js';
import type { RecordingRules } from './recording.js';
import { BY, SCORE, tableDifferingRows } from './dashboards-shared.js';
import { dataDashboard, configDriftDashboard } from './dashboards-data.js';
import { behaviorDashboard, healthDashboard } from './dashboards-behavior.js';

/**
 * The five dashboards. Panels name metrics through `metric` and shared expressions through the
 * recording rules, exactly like the alerts.
 */
export function overviewDashboard(config: MixinConfig, rec: RecordingRules): DashboardSpec {
  const overview: DashboardSpec = {
    uid: 'fidelity-overview',
    title: 'Fidelity / Overview',
    description:
      'How well staging predicts production: scores per dimension against their thresholds, the deployment gate, and the checks that pull the scores down.',
    candidate: true,
    rows: [
      {
        row: 'Gate and scores',
        panels: [
          stat(
            'Gate',
            'The deployment gate of the candidate, the same verdict as /gate (FAIL also when inconclusive); with several replicas it passes only when every replica passes.',
            [{ expr: (s) => `min by (candidate) (${s.m(M.gatePassing)})`, legend: '{{candidate}}' }],
            { valueText: PASS_FAIL, thresholds: higherIsBetter(1) },
          ),
          stat(
            'Gate inconclusive',
            'Whether a gated dimension has checks without a current result.',
            [{ expr: (s) => `max by (candidate) (${s.m(M.gateInconclusive)})`, legend: '{{candidate}}' }],
            {
              valueText: { '0': { text: 'no', color: 'green' }, '1': { text: 'INCONCLUSIVE', color: 'orange' } },
              thresholds: lowerIsBetter(1),
            },
          ),
          stat(
            'Overall score',
            'Weighted mean of the dimension scores that have results, over every replica of the job (recording rule fidelity:score:combined).',
            [{ expr: (s) => s.rec(rec.combinedScore, 'dimension="overall"'), legend: '{{candidate}}' }],
            { ...SCORE, decimals: 1, thresholds: higherIsBetter(0.9) },
          ),
          stat(
            'Checks failing to sample',
            'Checks whose last sample failed; their results are missing from the scores.',
            [{ expr: (s) => `count(${s.m(M.checkSuccess)} == 0) or vector(0)` }],
            { thresholds: lowerIsBetter(1) },
          ),
          ts(
            'Scores against thresholds',
            'Scores of the job over time (solid; recording rule fidelity:score:combined) against the thresholds configured under scores.thresholds (dashed, red).',
            [
              { expr: (s) => s.rec(rec.combinedScore), legend: '{{dimension}} {{candidate}}' },
              { expr: (s) => `max by (dimension) (${s.m(M.scoreThreshold)})`, legend: 'threshold {{dimension}}' },
            ],
            { ...SCORE, dashed: '^threshold .*', w: 24, h: 10 },
          ),
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
          table(
            'Distance to threshold',
            'Score minus threshold for every gated dimension, worst first; negative rows fail the gate.',
            [
              {
                expr: (s) =>
                  `sort(${s.rec(rec.combinedScore)} - on (job, dimension) group_left () max by (job, dimension) (${s.m(M.scoreThreshold)}))`,
              },
            ],
            { unit: 'percentunit', thresholds: higherIsBetter(0) },
          ),
        ],
      },
      {
        row: 'Worst checks',
        panels: [
          table(
            'Data checks with differences',
            'Query and table checks whose last sample found differing rows, most rows first.',
            [{ expr: (s) => `sort_desc(${s.union([(t) => `${t.m(M.queryMismatchedRows)} > 0`, (t) => `${tableDifferingRows(t)} > 0`])})` }],
            { thresholds: lowerIsBetter(1) },
          ),
          table(
            'Checks failing to sample',
            'Checks whose last sample failed, with how old their last good values are.',
            [{ expr: (s) => `${s.rec(rec.checkValuesAge)} and on (${BY}, check, kind) (${s.m(M.checkSuccess)} == 0)` }],
            { unit: 's', thresholds: lowerIsBetter(config.checkStaleAfterSeconds) },
          ),
          table(
            'Configuration drift',
            'Config checks with unapproved or expired differences.',
            [{ expr: (s) => `sort_desc(${s.m(M.configDriftIndex)} > 0)` }],
            { thresholds: lowerIsBetter(1) },
          ),
          table(
            'Unmasked personal data',
            'Masking checks that found personal data in staging.',
            [{ expr: (s) => `sum by (${BY}, check) (${s.m(M.maskingViolations)}) > 0` }],
            { thresholds: lowerIsBetter(1) },
          ),
        ],
      },
      {
        row: 'Environments and releases',
        panels: [
          stat(
            'Sides up',
            'Whether every database of each environment answered the last probe.',
            [{ expr: (s) => s.m(M.sideUp), legend: '{{side}}' }],
            { valueText: UP_DOWN, thresholds: higherIsBetter(1), w: 8 },
          ),
          stat(
            'Provisioning time',
            'How long the last provisioning of each environment took (events API).',
            [{ expr: (s) => s.m(M.provisioningDuration), legend: '{{environment}}' }],
            { unit: 's', w: 8 },
          ),
          stat(
            'Escape ratio',
            'Share of releases that passed staging and then had a production incident.',
            [{ expr: (s) => s.m(M.escapeRatio) }],
            { unit: 'percentunit', decimals: 1, thresholds: lowerIsBetter(0.1), w: 8 },
          ),
          ts(
            'Releases and incidents',
            'Deployments, staging verdicts and production incidents (by whether their release had passed staging) over the interval.',
            [
              {
                expr: (s) => `sum by (environment) (increase(${s.raw(M.deployments)}[$__rate_interval]))`,
                legend: 'deployments {{environment}}',
              },
              { expr: (s) => `sum by (verdict) (increase(${s.raw(M.stagingVerdicts)}[$__rate_interval]))`, legend: 'staging {{verdict}}' },
              {
                expr: (s) => `sum by (escaped) (increase(${s.raw(M.productionIncidents)}[$__rate_interval]))`,
                legend: 'incidents escaped={{escaped}}',
              },
            ],
            { w: 12 },
          ),
          ts(
            'Provisionings',
            'Finished provisionings per environment and outcome over the interval.',
            [
              {
                expr: (s) => `sum by (environment, outcome) (increase(${s.raw(M.provisionings)}[$__rate_interval]))`,
                legend: '{{environment}} {{outcome}}',
              },
            ],
            { w: 12 },
          ),
          table(
            'Last provisioning',
            'When the last provisioning of each environment finished.',
            [{ expr: (s) => `${s.m(M.provisioningLastFinished)} * 1000` }],
            { unit: 'dateTimeFromNow', w: 24, h: 6 },
          ),
        ],
      },
      {
        row: 'Score composition',
        panels: [
          table(
            'Checks per dimension',
            'Check results each dimension score is made of, per replica: with few checks one difference moves a score a lot.',
            [{ expr: (s) => s.m(M.scoreChecks) }],
            { w: 12 },
          ),
          table(
            'Dimension weights',
            'Weight of each dimension in the overall score (scores.weights).',
            [{ expr: (s) => `max by (dimension) (${s.m(M.scoreWeight)})` }],
            { w: 12 },
          ),
        ],
      },
    ],
  };
  return overview;
}

export function dashboards(config: MixinConfig, rec: RecordingRules): DashboardSpec[] {
  return [
    overviewDashboard(config, rec),
    dataDashboard(config, rec),
    configDriftDashboard(config, rec),
    behaviorDashboard(config, rec),
    healthDashboard(config, rec),
  ];
}
