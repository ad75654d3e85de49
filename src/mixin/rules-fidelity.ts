import type { MixinConfig } from './config.js';
import { metric as M } from './metrics.js';
import { JOB_INSTANCE, type RecordingRules } from './recording.js';
import type { AlertRule } from './rules-spec.js';

/** Alerts on the fidelity itself: scores, data, config and behavior. */
export function fidelityAlerts(config: MixinConfig, rec: RecordingRules): AlertRule[] {
  return [
    {
      alert: 'FidelityScoreBelowThreshold',
      severity: 'warning',
      forSeconds: 600,
      expr: (s) => `${s.rec(rec.combinedScore)} < on (job, dimension) group_left () max by (job, dimension) (${s.m(M.scoreThreshold)})`,
      summary: 'The {{ $labels.dimension }} fidelity score of {{ $labels.candidate }} is below its threshold.',
      description:
        'The {{ $labels.dimension }} score of {{ $labels.candidate }} is {{ $value | humanizePercentage }}, below the threshold configured under scores.thresholds. Deployments gated on it fail.',
      fires: {
        series: [
          { metric: M.score, labels: { dimension: 'data', candidate: 'staging' }, values: '0.8x20' },
          { metric: M.scoreChecks, labels: { dimension: 'data', candidate: 'staging' }, values: '5x20' },
          { metric: M.scoreWeight, labels: { dimension: 'data' }, values: '1x20' },
          { metric: M.scoreThreshold, labels: { dimension: 'data' }, values: '0.95x20' },
        ],
        at: 15,
        expect: [
          {
            labels: { dimension: 'data', candidate: 'staging' },
            target: 'job',
            summary: 'The data fidelity score of staging is below its threshold.',
            description:
              'The data score of staging is 80%, below the threshold configured under scores.thresholds. Deployments gated on it fail.',
          },
        ],
      },
      quiet: {
        series: [
          { metric: M.score, labels: { dimension: 'data', candidate: 'staging' }, values: '0.97x20' },
          { metric: M.scoreChecks, labels: { dimension: 'data', candidate: 'staging' }, values: '5x20' },
          { metric: M.scoreThreshold, labels: { dimension: 'data' }, values: '0.95x20' },
          // A dimension without a threshold is never compared.
          { metric: M.score, labels: { dimension: 'config', candidate: 'staging' }, values: '0.1x20' },
          { metric: M.scoreChecks, labels: { dimension: 'config', candidate: 'staging' }, values: '1x20' },
        ],
        at: 15,
        expect: [],
      },
      more: [
        {
          // Two replicas (--shard): 9 results at 1.0 and 1 at 0.5 make 0.95 for the job, above 0.9,
          // although the second replica alone is far below.
          series: [
            { metric: M.score, labels: { instance: 'replica-0:9847', dimension: 'data', candidate: 'staging' }, values: '1x20' },
            { metric: M.scoreChecks, labels: { instance: 'replica-0:9847', dimension: 'data', candidate: 'staging' }, values: '9x20' },
            { metric: M.score, labels: { instance: 'replica-1:9847', dimension: 'data', candidate: 'staging' }, values: '0.5x20' },
            { metric: M.scoreChecks, labels: { instance: 'replica-1:9847', dimension: 'data', candidate: 'staging' }, values: '1x20' },
            { metric: M.scoreThreshold, labels: { instance: 'replica-0:9847', dimension: 'data' }, values: '0.9x20' },
            { metric: M.scoreThreshold, labels: { instance: 'replica-1:9847', dimension: 'data' }, values: '0.9x20' },
          ],
          at: 15,
          expect: [],
        },
        {
          // Two replicas: 3 results at 1.0 and 1 at 0.0 make 0.75 for the job, below 0.9.
          series: [
            { metric: M.score, labels: { instance: 'replica-0:9847', dimension: 'data', candidate: 'staging' }, values: '1x20' },
            { metric: M.scoreChecks, labels: { instance: 'replica-0:9847', dimension: 'data', candidate: 'staging' }, values: '3x20' },
            { metric: M.score, labels: { instance: 'replica-1:9847', dimension: 'data', candidate: 'staging' }, values: '0x20' },
            { metric: M.scoreChecks, labels: { instance: 'replica-1:9847', dimension: 'data', candidate: 'staging' }, values: '1x20' },
            { metric: M.scoreThreshold, labels: { instance: 'replica-0:9847', dimension: 'data' }, values: '0.9x20' },
            { metric: M.scoreThreshold, labels: { instance: 'replica-1:9847', dimension: 'data' }, values: '0.9x20' },
          ],
          at: 15,
          expect: [
            {
              labels: { dimension: 'data', candidate: 'staging' },
              target: 'job',
              summary: 'The data fidelity score of staging is below its threshold.',
              description:
                'The data score of staging is 75%, below the threshold configured under scores.thresholds. Deployments gated on it fail.',
            },
          ],
        },
      ],
    },
    {
      alert: 'FidelityDataConsistencyDrop',
      severity: 'warning',
      forSeconds: 300,
      expr: (s) => s.union([(t) => `${t.m(M.queryMatch)} == 0`, (t) => `${t.m(M.tableMatch)} == 0`]),
      summary: 'Data check {{ $labels.check }} differs between {{ $labels.baseline }} and {{ $labels.candidate }}.',
      description:
        'The last sample of {{ $labels.check }} found different data on {{ $labels.candidate }} than on {{ $labels.baseline }}. The differing rows are listed at /api/v1/results and in the report at /.',
      fires: {
        // Differs from minute 2 on; the failed scrape at minute 5 (stale markers) does not restart `for`.
        series: [
          {
            metric: M.queryMatch,
            labels: { check: 'orders_by_status', baseline: 'production', candidate: 'staging' },
            values: '1 1 0 0 0 stale 0x10',
          },
        ],
        at: 8,
        expect: [
          {
            labels: { check: 'orders_by_status', baseline: 'production', candidate: 'staging' },
            summary: 'Data check orders_by_status differs between production and staging.',
            description:
              'The last sample of orders_by_status found different data on staging than on production. The differing rows are listed at /api/v1/results and in the report at /.',
          },
        ],
      },
      quiet: {
        // One differing sample that is fixed before `for` elapses does not page.
        series: [
          {
            metric: M.queryMatch,
            labels: { check: 'orders_by_status', baseline: 'production', candidate: 'staging' },
            values: '1 0 0 1x10',
          },
        ],
        at: 10,
        expect: [],
      },
    },
    {
      alert: 'FidelityConfigDriftUnapproved',
      severity: 'warning',
      forSeconds: 900,
      expr: (s) => `${s.rec(rec.unapprovedDifferences)} > 0`,
      summary: 'Configuration {{ $labels.check }} differs from production without approval.',
      description:
        '{{ $labels.check }} has {{ $value }} configuration differences that are not listed under approved. Approve them with a reason and an expiry date, or remove them.',
      fires: {
        series: [
          { metric: M.configDifferences, labels: { check: 'app_config', change: 'changed', status: 'unapproved' }, values: '2x30' },
          { metric: M.configDifferences, labels: { check: 'app_config', change: 'added', status: 'unapproved' }, values: '1x30' },
        ],
        at: 20,
        expect: [
          {
            labels: { check: 'app_config' },
            summary: 'Configuration app_config differs from production without approval.',
            description:
              'app_config has 3 configuration differences that are not listed under approved. Approve them with a reason and an expiry date, or remove them.',
          },
        ],
      },
      quiet: {
        series: [
          { metric: M.configDifferences, labels: { check: 'app_config', change: 'changed', status: 'approved' }, values: '3x30' },
          { metric: M.configDifferences, labels: { check: 'app_config', change: 'changed', status: 'unapproved' }, values: '0x30' },
        ],
        at: 20,
        expect: [],
      },
    },
    {
      alert: 'FidelityConfigApprovalExpired',
      severity: 'warning',
      forSeconds: 900,
      expr: (s) => `sum by (${JOB_INSTANCE}, check) (${s.m(M.configDifferences, 'status="expired"')}) > 0`,
      summary: 'An approved configuration difference of {{ $labels.check }} has expired.',
      description:
        '{{ $labels.check }} has {{ $value }} configuration differences whose approval expired. Renew the approval or remove the difference.',
      fires: {
        series: [{ metric: M.configDifferences, labels: { check: 'app_config', change: 'changed', status: 'expired' }, values: '1x30' }],
        at: 20,
        expect: [
          {
            labels: { check: 'app_config' },
            summary: 'An approved configuration difference of app_config has expired.',
            description: 'app_config has 1 configuration differences whose approval expired. Renew the approval or remove the difference.',
          },
        ],
      },
      quiet: {
        series: [{ metric: M.configDifferences, labels: { check: 'app_config', change: 'changed', status: 'approved' }, values: '1x30' }],
        at: 20,
        expect: [],
      },
    },
    {
      alert: 'FidelityStagingDataStale',
      severity: 'warning',
      forSeconds: 900,
      expr: (s) => `${s.m(M.dataAge)} > on (${JOB_INSTANCE}, check) group_left () ${s.m(M.freshnessMaxAge)}`,
      summary: 'Data of {{ $labels.check }} on {{ $labels.side }} is older than its max_age.',
      description:
        'The newest data checked by {{ $labels.check }} on {{ $labels.side }} is {{ $value | humanizeDuration }} old, more than the max_age of the check. Tests on a stale copy see an old picture; refresh it.',
      fires: {
        series: [
          { metric: M.dataAge, labels: { check: 'orders_freshness', side: 'staging' }, values: '172800+60x30' },
          { metric: M.dataAge, labels: { check: 'orders_freshness', side: 'production' }, values: '60x30' },
          { metric: M.freshnessMaxAge, labels: { check: 'orders_freshness' }, values: '86400x30' },
        ],
        at: 20,
        expect: [
          {
            labels: { check: 'orders_freshness', side: 'staging' },
            summary: 'Data of orders_freshness on staging is older than its max_age.',
            description:
              'The newest data checked by orders_freshness on staging is 2d 0h 20m 0s old, more than the max_age of the check. Tests on a stale copy see an old picture; refresh it.',
          },
        ],
      },
      quiet: {
        series: [
          { metric: M.dataAge, labels: { check: 'orders_freshness', side: 'staging' }, values: '3600x30' },
          { metric: M.freshnessMaxAge, labels: { check: 'orders_freshness' }, values: '86400x30' },
        ],
        at: 20,
        expect: [],
      },
    },
    {
      alert: 'FidelitySchemaDrift',
      severity: 'warning',
      forSeconds: 900,
      expr: (s) => `sum by (${JOB_INSTANCE}, check) (${s.m(M.schemaDifferences)}) > 0`,
      summary: 'The schema checked by {{ $labels.check }} differs between the sides.',
      description:
        '{{ $labels.check }} found {{ $value }} schema differences (tables, columns, types, indexes or constraints). Migrations may have run on one side only.',
      fires: {
        series: [
          { metric: M.schemaDifferences, labels: { check: 'shop_schema', baseline: 'production', candidate: 'staging' }, values: '2x30' },
        ],
        at: 20,
        expect: [
          {
            labels: { check: 'shop_schema' },
            summary: 'The schema checked by shop_schema differs between the sides.',
            description:
              'shop_schema found 2 schema differences (tables, columns, types, indexes or constraints). Migrations may have run on one side only.',
          },
        ],
      },
      quiet: {
        series: [
          { metric: M.schemaDifferences, labels: { check: 'shop_schema', baseline: 'production', candidate: 'staging' }, values: '0x30' },
        ],
        at: 20,
        expect: [],
      },
    },
    {
      alert: 'FidelityDistributionDrift',
      severity: 'warning',
      forSeconds: 1800,
      expr: (s) => `max by (${JOB_INSTANCE}, check, candidate) (${s.m(M.distributionDriftedColumns)}) > 0`,
      summary: "Staging data is spread differently from production's ({{ $labels.check }}).",
      description:
        "{{ $labels.check }}: {{ $value }} columns of {{ $labels.candidate }} drifted from the baseline's distribution (or could not be compared). Tests on this data may not see production's cases as often as production does.",
      fires: {
        series: [
          {
            metric: M.distributionDriftedColumns,
            labels: { check: 'orders_spread', baseline: 'production', candidate: 'staging' },
            values: '2x60',
          },
        ],
        at: 45,
        expect: [
          {
            labels: { check: 'orders_spread', candidate: 'staging' },
            summary: "Staging data is spread differently from production's (orders_spread).",
            description:
              "orders_spread: 2 columns of staging drifted from the baseline's distribution (or could not be compared). Tests on this data may not see production's cases as often as production does.",
          },
        ],
      },
      quiet: {
        series: [
          {
            metric: M.distributionDriftedColumns,
            labels: { check: 'orders_spread', baseline: 'production', candidate: 'staging' },
            values: '0x60',
          },
        ],
        at: 45,
        expect: [],
      },
      more: [
        {
          // One drifted sample between healthy ones (a refresh in progress) does not page.
          series: [
            {
              metric: M.distributionDriftedColumns,
              labels: { check: 'orders_spread', baseline: 'production', candidate: 'staging' },
              values: '0x10 1x10 0x40',
            },
          ],
          at: 45,
          expect: [],
        },
      ],
    },
    {
      alert: 'FidelityFlowParityDegraded',
      severity: 'warning',
      forSeconds: 600,
      expr: (s) =>
        `max by (${JOB_INSTANCE}, check) (${s.union([
          (t) => `${t.m(M.flowLatencyRegression)} == 1`,
          (t) => `${t.m(M.flowStatusParity)} < 1`,
          (t) => `${t.rec(rec.flowErrorRatioSpread)} > ${config.flowErrorRatioMaxSpread}`,
        ])})`,
      summary: 'User flow {{ $labels.check }} behaves differently on the sides.',
      description:
        'Flow {{ $labels.check }} is significantly slower, answers with other statuses, or fails more or less often on one side than on the other. Results of tests on staging may not hold in production; the flow result at /api/v1/results shows which steps differ.',
      fires: {
        series: [
          // Statuses agree, but staging fails 20% of the requests and production 1%.
          { metric: M.flowStatusParity, labels: { check: 'checkout', baseline: 'production', candidate: 'staging' }, values: '1x20' },
          { metric: M.flowErrorRatio, labels: { check: 'checkout', side: 'production' }, values: '0.01x20' },
          { metric: M.flowErrorRatio, labels: { check: 'checkout', side: 'staging' }, values: '0.2x20' },
        ],
        at: 15,
        expect: [
          {
            labels: { check: 'checkout' },
            summary: 'User flow checkout behaves differently on the sides.',
            description:
              'Flow checkout is significantly slower, answers with other statuses, or fails more or less often on one side than on the other. Results of tests on staging may not hold in production; the flow result at /api/v1/results shows which steps differ.',
          },
        ],
      },
      quiet: {
        series: [
          { metric: M.flowLatencyRegression, labels: { check: 'checkout', baseline: 'production', candidate: 'staging' }, values: '0x20' },
          { metric: M.flowStatusParity, labels: { check: 'checkout', baseline: 'production', candidate: 'staging' }, values: '1x20' },
          { metric: M.flowErrorRatio, labels: { check: 'checkout', side: 'production' }, values: '0.01x20' },
          { metric: M.flowErrorRatio, labels: { check: 'checkout', side: 'staging' }, values: '0.02x20' },
        ],
        at: 15,
        expect: [],
      },
    },
    {
      alert: 'FidelityErrorDetectionRateLow',
      severity: 'warning',
      forSeconds: 900,
      expr: (s) =>
        `${s.m(M.faultDetectionRatio)} < on (${JOB_INSTANCE}) group_left () ${s.m(M.scoreThreshold, 'dimension="error_detection"')}`,
      summary: 'Injected errors go undetected on {{ $labels.side }} ({{ $labels.check }}).',
      description:
        '{{ $labels.check }}: {{ $labels.side }} detected {{ $value | humanizePercentage }} of the injected errors, below the error_detection threshold. Errors like these would reach production unnoticed.',
      fires: {
        series: [
          { metric: M.faultDetectionRatio, labels: { check: 'payment_faults', side: 'staging' }, values: '0.5x30' },
          { metric: M.scoreThreshold, labels: { dimension: 'error_detection' }, values: '0.8x30' },
        ],
        at: 20,
        expect: [
          {
            labels: { check: 'payment_faults', side: 'staging' },
            summary: 'Injected errors go undetected on staging (payment_faults).',
            description:
              'payment_faults: staging detected 50% of the injected errors, below the error_detection threshold. Errors like these would reach production unnoticed.',
          },
        ],
      },
      quiet: {
        series: [
          { metric: M.faultDetectionRatio, labels: { check: 'payment_faults', side: 'staging' }, values: '0.9x30' },
          { metric: M.scoreThreshold, labels: { dimension: 'error_detection' }, values: '0.8x30' },
        ],
        at: 20,
        expect: [],
      },
    },
    {
      alert: 'FidelityUnmaskedPersonalData',
      severity: 'critical',
      forSeconds: 120,
      expr: (s) => `sum by (${JOB_INSTANCE}, check) (${s.m(M.maskingViolations)}) > 0`,
      summary: 'Unmasked personal data found in staging ({{ $labels.check }}).',
      description:
        '{{ $labels.check }} found {{ $value }} values in staging that look like personal data or equal production values. Staging must not hold real personal data: stop the copy and mask it.',
      fires: {
        series: [
          { metric: M.maskingViolations, labels: { check: 'customers_pii', detector: 'email' }, values: '0 4x10' },
          { metric: M.maskingViolations, labels: { check: 'customers_pii', detector: 'phone' }, values: '0 1x10' },
        ],
        at: 5,
        expect: [
          {
            labels: { check: 'customers_pii' },
            summary: 'Unmasked personal data found in staging (customers_pii).',
            description:
              'customers_pii found 5 values in staging that look like personal data or equal production values. Staging must not hold real personal data: stop the copy and mask it.',
          },
        ],
      },
      quiet: {
        series: [{ metric: M.maskingViolations, labels: { check: 'customers_pii', detector: 'email' }, values: '0x10' }],
        at: 5,
        expect: [],
      },
    },
  ];
}
