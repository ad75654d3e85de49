import type { MixinConfig } from './config.js';
import { higherIsBetter, lowerIsBetter, MATCH, stat, table, ts, type DashboardSpec } from './grafana.js';
import { metric as M } from './metrics.js';
import type { RecordingRules } from './recording.js';
import { BY, SCORE, tableDifferingRows } from './dashboards-shared.js';

export function dataDashboard(_config: MixinConfig, rec: RecordingRules): DashboardSpec {
  const data: DashboardSpec = {
    uid: 'fidelity-data',
    title: 'Fidelity / Data',
    description:
      'Data fidelity: identical query results, table contents, schema, plans, freshness, integrity, coverage, distribution and masking.',
    candidate: true,
    rows: [
      {
        row: 'Consistency',
        panels: [
          ts(
            'Data consistency',
            'Share of data checks whose results are identical on both sides (recording rule fidelity:data_consistency:ratio), and the data score.',
            [
              { expr: (s) => s.rec(rec.dataConsistency), legend: 'identical checks {{candidate}}' },
              { expr: (s) => s.m(M.score, 'dimension="data"'), legend: 'data score {{candidate}}' },
              { expr: (s) => s.m(M.scoreThreshold, 'dimension="data"'), legend: 'threshold data' },
            ],
            { ...SCORE, dashed: '^threshold .*' },
          ),
          ts('Differing rows', 'Rows that differ between the sides (missing + extra + changed), per check.', [
            { expr: (s) => s.m(M.queryMismatchedRows), legend: '{{check}}' },
            { expr: tableDifferingRows, legend: '{{check}}' },
          ]),
          ts(
            'Table difference ratio',
            "Differing rows of each table check divided by the larger side's row count.",
            [{ expr: (s) => s.m(M.tableDifferenceRatio), legend: '{{check}}' }],
            { unit: 'percentunit', w: 24 },
          ),
          table('Query checks', 'Whether each query returned the same result on both sides.', [{ expr: (s) => s.m(M.queryMatch) }], {
            valueText: MATCH,
            thresholds: higherIsBetter(1),
            unit: 'none',
          }),
          table('Table checks', 'Whether each table holds the same rows on both sides.', [{ expr: (s) => s.m(M.tableMatch) }], {
            valueText: MATCH,
            thresholds: higherIsBetter(1),
            unit: 'none',
          }),
        ],
      },
      {
        row: 'Performance',
        panels: [
          ts('Rows per side', 'Rows each query returned and each table holds, per side.', [
            { expr: (s) => s.m(M.queryRows), legend: '{{check}} {{side}}' },
            { expr: (s) => s.m(M.tableRows), legend: '{{check}} {{side}}' },
          ]),
          ts(
            'Query duration per side',
            'Time each query took on each side.',
            [{ expr: (s) => s.m(M.queryDuration), legend: '{{check}} {{side}}' }],
            { unit: 's' },
          ),
          ts(
            'Table comparison duration per side',
            'Time each side spent answering the statements of a table check.',
            [{ expr: (s) => s.m(M.tableDuration), legend: '{{check}} {{side}}' }],
            { unit: 's' },
          ),
          ts(
            'Query duration ratio',
            'Candidate duration divided by the baseline duration; 1 means equally fast.',
            [{ expr: (s) => s.m(M.queryDurationRatio), legend: '{{check}}' }],
            { unit: 'x' },
          ),
          ts('Plan differences', 'Differences between the EXPLAIN plans of the sides.', [
            { expr: (s) => s.m(M.planDifferences), legend: '{{check}}' },
          ]),
          ts('Schema differences', 'Differences between the schemas of the sides.', [
            { expr: (s) => s.m(M.schemaDifferences), legend: '{{check}}' },
          ]),
        ],
      },
      {
        row: 'Freshness, integrity, coverage, distribution and masking',
        panels: [
          ts(
            'Data age per side',
            'Age of the newest data of each freshness check per side (solid) against the max_age of the check (dashed).',
            [
              { expr: (s) => s.m(M.dataAge), legend: '{{check}} {{side}}' },
              { expr: (s) => s.m(M.freshnessMaxAge), legend: 'max_age {{check}}' },
            ],
            { unit: 's', dashed: '^max_age .*' },
          ),
          ts(
            'Staging data lag',
            "Newest timestamp on the baseline minus the candidate's.",
            [{ expr: (s) => s.m(M.dataLag), legend: '{{check}} {{candidate}}' }],
            { unit: 's' },
          ),
          ts('Referential integrity violations', 'Orphan rows found by integrity checks, per relation.', [
            { expr: (s) => s.m(M.integrityViolations), legend: '{{check}} {{relation}}' },
          ]),
          ts(
            'Coverage',
            'Share of production value patterns present in staging, per column.',
            [{ expr: (s) => s.m(M.dataCoverage), legend: '{{check}} {{column}}' }],
            SCORE,
          ),
          ts('Values missing from staging', 'Distinct production values (or value shapes) of the sample that staging lacks, per column.', [
            { expr: (s) => s.m(M.dataCoverageMissing), legend: '{{check}} {{column}}' },
          ]),
          ts(
            'Distribution drift by column',
            'Distances between the baseline and the candidate per column and statistic (ks, wasserstein in standard deviations, psi, tv, js, null_share, length_ks, shape_tv, shape_js); 0 is identical. Thresholds per check: docs/checks/distribution.md.',
            [{ expr: (s) => s.m(M.distributionDistance), legend: '{{check}} {{column}} {{statistic}}' }],
          ),
          ts(
            'Masking violations',
            'Values in staging that look like personal data or equal production values, and the rows sampled.',
            [
              { expr: (s) => s.m(M.maskingViolations), legend: '{{check}} {{detector}}' },
              { expr: (s) => s.m(M.maskingSampledRows), legend: 'sampled rows {{check}}' },
            ],
            { thresholds: lowerIsBetter(1) },
          ),
        ],
      },
    ],
  };
  return data;
}

export function configDriftDashboard(config: MixinConfig, rec: RecordingRules): DashboardSpec {
  const configDrift: DashboardSpec = {
    uid: 'fidelity-config',
    title: 'Fidelity / Configuration drift',
    description:
      'Configuration drift between the sides: the drift index over time, approved versus unapproved differences, and expired approvals.',
    candidate: true,
    rows: [
      {
        row: 'Drift',
        panels: [
          ts(
            'Drift index',
            'Unapproved plus expired differences per config check.',
            [{ expr: (s) => s.m(M.configDriftIndex), legend: '{{check}}' }],
            { thresholds: lowerIsBetter(1), w: 16 },
          ),
          stat(
            'Keys compared',
            'Configuration keys each check compared (ignored paths excluded).',
            [{ expr: (s) => s.m(M.configKeysCompared), legend: '{{check}}' }],
            { w: 8, h: 8 },
          ),
          ts(
            'Approved vs unapproved',
            'Differences by approval status.',
            [{ expr: (s) => `sum by (status) (${s.m(M.configDifferences)})`, legend: '{{status}}' }],
            { stack: true },
          ),
          ts(
            'Drift age',
            'Age of the oldest unapproved or expired difference since it was first seen.',
            [{ expr: (s) => s.m(M.configDriftOldest), legend: '{{check}}' }],
            { unit: 's' },
          ),
          ts(
            'Approved differences against max_approved',
            'Approved differences per check (solid) against the max_approved of the check (dashed).',
            [
              { expr: (s) => `sum by (${BY}, check) (${s.m(M.configDifferences, 'status="approved"')})`, legend: '{{check}}' },
              { expr: (s) => s.m(M.configApprovedMax), legend: 'max_approved {{check}}' },
            ],
            { dashed: '^max_approved .*' },
          ),
          ts('Unapproved differences per check', 'Recording rule fidelity:config_unapproved_differences.', [
            { expr: (s) => s.rec(rec.unapprovedDifferences), legend: '{{check}}' },
          ]),
          table('Differences by change and status', 'Current differences of every config check.', [
            { expr: (s) => `${s.m(M.configDifferences)} > 0` },
          ]),
          ts(
            'Config score',
            'The config dimension score against its threshold.',
            [
              { expr: (s) => s.m(M.score, 'dimension="config"'), legend: '{{candidate}}' },
              { expr: (s) => s.m(M.scoreThreshold, 'dimension="config"'), legend: 'threshold config' },
            ],
            { ...SCORE, dashed: '^threshold .*' },
          ),
        ],
      },
    ],
  };
  return configDrift;
}
