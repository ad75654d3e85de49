import { metric as M } from './metrics.js';
import type { RecordingRule } from './promql.js';

/**
 * The recording rules (shared expressions of the alerts and dashboards) and their promtool
 * expression tests.
 */

export const JOB_INSTANCE = 'job, instance';

/** Input series of a promtool case, without job and instance (the test target's are added). */
export type InputSeries = Array<{ metric: string; labels?: Record<string, string>; values: string }>;

/** A promtool expression test of the recording rules. */
export interface RecordingCase {
  series: InputSeries;
  at: number;
  expr: string;
  /** Expected series (full label sets without job; job is added) and values. */
  expect: Array<{ labels: string; value: number }>;
}

export function recordingRules() {
  // Replicas sharing the checks of one configuration (--shard) each score only their own checks;
  // these two rules combine them into the job's scores, exactly as one replica would compute them:
  // a dimension is the mean over all its check results, overall the weighted mean of dimensions.
  const combinedScore: RecordingRule = {
    record: 'fidelity:score:combined',
    labels: ['dimension', 'candidate'],
    perInstance: false,
    help: 'Dimension scores of the whole job (all replicas): mean over every check result of the dimension.',
    expr: (s) =>
      `sum by (job, dimension, candidate) (${s.m(M.score, 'dimension!="overall"')} * on (${JOB_INSTANCE}, dimension, candidate) ${s.m(M.scoreChecks)})` +
      ` / sum by (job, dimension, candidate) (${s.m(M.scoreChecks, 'dimension!="overall"')})`,
  };
  const combinedOverall: RecordingRule = {
    record: 'fidelity:score:combined',
    labels: ['dimension', 'candidate'],
    perInstance: false,
    help: 'Overall score of the whole job: the weighted mean of its dimension scores (dimension="overall").',
    set: { dimension: 'overall' },
    expr: (s) => {
      const weight = `max by (job, dimension) (${s.m(M.scoreWeight)})`;
      const dimensionScores = s.rec(combinedScore, 'dimension!="overall"');
      return (
        `sum by (job, candidate) (${dimensionScores} * on (job, dimension) group_left () ${weight})` +
        ` / sum by (job, candidate) ((${dimensionScores} * 0 + 1) * on (job, dimension) group_left () ${weight})`
      );
    },
  };
  const checkValuesAge: RecordingRule = {
    record: 'fidelity:check_values_age_seconds',
    labels: ['check', 'kind'],
    help: 'How old the cached comparison values of each check are (dashboards and FidelityCheckStale).',
    expr: (s) => `time() - ${s.m(M.checkLastSuccess)}`,
  };
  const dataConsistency: RecordingRule = {
    record: 'fidelity:data_consistency:ratio',
    labels: ['candidate'],
    help: 'Share of data checks (query, table) whose results are identical on both sides: the data consistency score of the seed benchmark.',
    expr: (s) => `avg by (${JOB_INSTANCE}, candidate) (${s.union([(t) => t.m(M.queryMatch), (t) => t.m(M.tableMatch)])})`,
  };
  const unapprovedDifferences: RecordingRule = {
    record: 'fidelity:config_unapproved_differences',
    labels: ['check'],
    help: 'Configuration differences nobody approved, per config check (dashboards and FidelityConfigDriftUnapproved).',
    expr: (s) => `sum by (${JOB_INSTANCE}, check) (${s.m(M.configDifferences, 'status="unapproved"')})`,
  };
  const flowErrorRatioSpread: RecordingRule = {
    record: 'fidelity:flow_error_ratio:spread',
    labels: ['check'],
    help: 'Highest minus lowest error ratio of the sides of a flow: 0 when both fail equally often (dashboards and FidelityFlowParityDegraded).',
    expr: (s) => `max by (${JOB_INSTANCE}, check) (${s.m(M.flowErrorRatio)}) - min by (${JOB_INSTANCE}, check) (${s.m(M.flowErrorRatio)})`,
  };
  return { combinedScore, combinedOverall, checkValuesAge, dataConsistency, unapprovedDifferences, flowErrorRatioSpread };
}

export type RecordingRules = ReturnType<typeof recordingRules>;

/** Expression tests of the recording rules (alerts/tests/recording.test.yml). */
export function recordingCases(): RecordingCase[] {
  const replica = (n: number) => ({ instance: `replica-${n}:9847` });
  return [
    {
      // Two replicas: data 3 x 1.0 and 1 x 0.0 -> 0.75; config 1 x 0.5; weights data 3, config 1:
      // overall (3 * 0.75 + 1 * 0.5) / 4 = 0.6875.
      series: [
        { metric: M.score, labels: { ...replica(0), dimension: 'data', candidate: 'staging' }, values: '1x10' },
        { metric: M.scoreChecks, labels: { ...replica(0), dimension: 'data', candidate: 'staging' }, values: '3x10' },
        { metric: M.score, labels: { ...replica(1), dimension: 'data', candidate: 'staging' }, values: '0x10' },
        { metric: M.scoreChecks, labels: { ...replica(1), dimension: 'data', candidate: 'staging' }, values: '1x10' },
        { metric: M.score, labels: { ...replica(1), dimension: 'config', candidate: 'staging' }, values: '0.5x10' },
        { metric: M.scoreChecks, labels: { ...replica(1), dimension: 'config', candidate: 'staging' }, values: '1x10' },
        // Each replica's own overall score is ignored by the combination.
        { metric: M.score, labels: { ...replica(1), dimension: 'overall', candidate: 'staging' }, values: '0.1x10' },
        ...[0, 1].flatMap((n) => [
          { metric: M.scoreWeight, labels: { ...replica(n), dimension: 'data' }, values: '3x10' },
          { metric: M.scoreWeight, labels: { ...replica(n), dimension: 'config' }, values: '1x10' },
        ]),
      ],
      at: 5,
      expr: 'fidelity:score:combined',
      expect: [
        { labels: '{dimension="data", candidate="staging"}', value: 0.75 },
        { labels: '{dimension="config", candidate="staging"}', value: 0.5 },
        { labels: '{dimension="overall", candidate="staging"}', value: 0.6875 },
      ],
    },
    {
      series: [
        { metric: M.queryMatch, labels: { check: 'a', baseline: 'production', candidate: 'staging' }, values: '1x10' },
        { metric: M.queryMatch, labels: { check: 'b', baseline: 'production', candidate: 'staging' }, values: '0x10' },
        { metric: M.tableMatch, labels: { check: 'c', baseline: 'production', candidate: 'staging' }, values: '0x10' },
        { metric: M.tableMatch, labels: { check: 'd', baseline: 'production', candidate: 'staging' }, values: '1x10' },
      ],
      at: 5,
      expr: 'fidelity:data_consistency:ratio',
      expect: [{ labels: '{instance="fidelity-exporter:9847", candidate="staging"}', value: 0.5 }],
    },
    {
      series: [
        { metric: M.flowErrorRatio, labels: { check: 'checkout', side: 'production' }, values: '0.25x10' },
        { metric: M.flowErrorRatio, labels: { check: 'checkout', side: 'staging' }, values: '0.5x10' },
      ],
      at: 5,
      expr: 'fidelity:flow_error_ratio:spread',
      expect: [{ labels: '{instance="fidelity-exporter:9847", check="checkout"}', value: 0.25 }],
    },
    {
      series: [{ metric: M.checkLastSuccess, labels: { check: 'orders', kind: 'query' }, values: '0x10' }],
      at: 10,
      expr: 'fidelity:check_values_age_seconds',
      expect: [{ labels: '{instance="fidelity-exporter:9847", check="orders", kind="query"}', value: 600 }],
    },
  ];
}
