import { stringify } from 'yaml';
import { defaultMixinConfig, type MixinConfig } from './config.js';
import { dashboards } from './dashboards.js';
import { renderDashboard, renderPanel, renderRow, type PanelSpec, type RenderedTarget } from './grafana.js';
import { metric as M } from './metrics.js';
import { promDuration, renderExpr, type ScopeOptions } from './promql.js';
import { exporterProcessAlerts } from './exporter-process.js';
import { recordingCases, recordingRules } from './recording.js';
import { alertRules, type AlertCase, type AlertRule } from './rules.js';

/** Something the generator left out because the exporter does not serve a metric it needs. */
export interface Omission {
  what: 'alert' | 'recording rule' | 'panel' | 'panel query';
  name: string;
  missing: string[];
}

export interface Mixin {
  /** Repository-relative path -> file content. */
  files: Map<string, string>;
  omitted: Omission[];
  /** The alerts that were rendered (the end-to-end test and docs use them). */
  alerts: AlertRule[];
}

const GENERATED = '# Generated from src/mixin by `npm run mixin`; do not edit by hand.\n';

/** Test target of the promtool cases. */
export const TEST_INSTANCE = 'fidelity-exporter:9847';

function yaml(value: unknown): string {
  return GENERATED + stringify(value, { lineWidth: 0 });
}

function ruleOptions(config: MixinConfig): ScopeOptions {
  return {
    matchers: () => [`job="${config.job}"`],
    timeScale: config.timeScale,
    toleranceSeconds: 2.5 * config.scrapeIntervalSeconds,
  };
}

function dashboardOptions(withCandidate: boolean): ScopeOptions {
  return {
    matchers: (labels, perInstance) => [
      'job=~"$job"',
      ...(perInstance ? ['instance=~"$instance"'] : []),
      ...(withCandidate && labels.includes('candidate') ? ['candidate=~"$candidate"'] : []),
    ],
    timeScale: 1,
  };
}

function ruleGroups(config: MixinConfig, omitted: Omission[]) {
  const options = ruleOptions(config);
  const rec = recordingRules();
  const records = Object.values(rec).flatMap((rule) => {
    const { text, missing } = renderExpr(rule.expr, options);
    if (missing.length > 0) {
      omitted.push({ what: 'recording rule', name: rule.record, missing });
      return [];
    }
    return [{ record: rule.record, expr: text, ...(rule.set ? { labels: rule.set } : {}) }];
  });
  const alerts: AlertRule[] = [];
  const rendered = [...alertRules(config, rec), ...exporterProcessAlerts(config)].flatMap((rule) => {
    const { text, missing } = renderExpr(rule.expr, options);
    if (missing.length > 0) {
      omitted.push({ what: 'alert', name: rule.alert, missing });
      return [];
    }
    alerts.push(rule);
    return [
      {
        alert: rule.alert,
        expr: text,
        for: promDuration(rule.forSeconds * config.timeScale),
        labels: { severity: rule.severity },
        annotations: {
          summary: rule.summary,
          description: rule.description,
          runbook_url: `${config.runbookBaseUrl}${rule.alert}.md`,
        },
      },
    ];
  });
  return {
    recording: { name: 'fidelity.recording', rules: records },
    alerting: { name: 'fidelity.alerts', rules: rendered },
    alerts,
  };
}

function seriesText(config: MixinConfig, series: AlertCase['series'][number]): string {
  const labels = { job: config.job, instance: TEST_INSTANCE, ...series.labels };
  return `${series.metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

function promtoolCase(config: MixinConfig, rule: AlertRule, test: AlertCase) {
  return {
    interval: '1m',
    input_series: test.series.map((series) => ({ series: seriesText(config, series), values: series.values })),
    alert_rule_test: [
      {
        eval_time: `${test.at}m`,
        alertname: rule.alert,
        exp_alerts: test.expect.map((alert) => ({
          exp_labels: {
            ...(alert.target === false ? {} : { job: config.job }),
            ...((alert.target ?? 'instance') === 'instance' ? { instance: TEST_INSTANCE } : {}),
            ...alert.labels,
            severity: rule.severity,
          },
          exp_annotations: {
            summary: alert.summary,
            description: alert.description,
            runbook_url: `${config.runbookBaseUrl}${rule.alert}.md`,
          },
        })),
      },
    ],
  };
}

function layout(panels: Array<{ spec: PanelSpec; targets: RenderedTarget[] } | { row: string }>) {
  const out: Array<Record<string, unknown>> = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  panels.forEach((item, index) => {
    const id = index + 1;
    if ('row' in item) {
      if (x > 0) y += rowHeight;
      out.push(renderRow(item.row, id, y));
      x = 0;
      y += 1;
      rowHeight = 0;
      return;
    }
    const { w, h } = item.spec;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    out.push(renderPanel(item.spec, item.targets, id, { h, w, x, y }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  });
  return out;
}

function renderDashboards(config: MixinConfig, omitted: Omission[]): Map<string, string> {
  const files = new Map<string, string>();
  const rec = recordingRules();
  const variableScope = dashboardOptions(false);
  const variables = {
    job: `label_values(${M.buildInfo}, job)`,
    instance: `label_values(${M.buildInfo}{job=~"$job"}, instance)`,
    candidate: `label_values(${renderExpr((s) => s.m(M.score), variableScope).text}, candidate)`,
  };
  for (const spec of dashboards(config, rec)) {
    const options = dashboardOptions(spec.candidate);
    const items: Array<{ spec: PanelSpec; targets: RenderedTarget[] } | { row: string }> = [];
    for (const row of spec.rows) {
      const panels = row.panels.flatMap((panel) => {
        const targets: RenderedTarget[] = [];
        const missingHere: string[] = [];
        for (const target of panel.targets) {
          const { text, missing } = renderExpr(target.expr, options);
          if (missing.length > 0) missingHere.push(...missing);
          else targets.push({ expr: text, legend: target.legend, instant: target.instant ?? false });
        }
        const name = `${spec.uid}: ${panel.title}`;
        const unique = [...new Set(missingHere)].sort();
        if (targets.length === 0) {
          omitted.push({ what: 'panel', name, missing: unique });
          return [];
        }
        if (unique.length > 0) omitted.push({ what: 'panel query', name, missing: unique });
        return [{ spec: panel, targets }];
      });
      if (panels.length > 0) items.push({ row: row.row }, ...panels);
    }
    const json = renderDashboard(spec, layout(items), variables);
    files.set(`dashboards/${spec.uid}.json`, `${JSON.stringify(json, null, 2)}\n`);
  }
  return files;
}

/** Every generated file of the mixin, rendered from the one source. */
export function buildMixin(overrides: Partial<MixinConfig> = {}): Mixin {
  const config = { ...defaultMixinConfig, ...overrides };
  const omitted: Omission[] = [];
  const groups = ruleGroups(config, omitted);
  const files = new Map<string, string>();

  files.set('alerts/recording.rules.yml', yaml({ groups: [groups.recording] }));
  files.set('alerts/fidelity.rules.yml', yaml({ groups: [groups.alerting] }));
  files.set(
    'alerts/tests/fidelity.test.yml',
    yaml({
      rule_files: ['../recording.rules.yml', '../fidelity.rules.yml'],
      evaluation_interval: '1m',
      tests: groups.alerts.flatMap((rule) =>
        [rule.fires, rule.quiet, ...(rule.more ?? [])].map((test) => promtoolCase(config, rule, test)),
      ),
    }),
  );
  files.set(
    'alerts/tests/recording.test.yml',
    yaml({
      rule_files: ['../recording.rules.yml'],
      evaluation_interval: '1m',
      tests: recordingCases().map((test) => ({
        interval: '1m',
        input_series: test.series.map((series) => ({ series: seriesText(config, series), values: series.values })),
        promql_expr_test: [
          {
            expr: test.expr,
            eval_time: `${test.at}m`,
            exp_samples: test.expect.map((sample) => ({
              labels: `${test.expr}{job="${config.job}", ${sample.labels.slice(1)}`,
              value: sample.value,
            })),
          },
        ],
      })),
    }),
  );
  files.set(
    'deploy/kubernetes/prometheusrule.yaml',
    yaml({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: 'fidelity-exporter',
        labels: { 'app.kubernetes.io/name': 'fidelity-exporter', 'app.kubernetes.io/component': 'alert-rules' },
      },
      spec: { groups: [groups.recording, groups.alerting] },
    }),
  );
  for (const [path, content] of renderDashboards(config, omitted)) files.set(path, content);
  return { files, omitted, alerts: groups.alerts };
}

/** Just the two rule files, e.g. time-scaled for the end-to-end test. */
export function renderRuleFiles(overrides: Partial<MixinConfig> = {}): { recording: string; alerting: string } {
  const files = buildMixin(overrides).files;
  return { recording: files.get('alerts/recording.rules.yml')!, alerting: files.get('alerts/fidelity.rules.yml')! };
}
