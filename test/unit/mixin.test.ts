// The shipped dashboards and rules: current with their source, and every metric they name is one
// the exporter serves. Parsing every panel expression needs promtool (Debian package prometheus).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { catalogue, servedMetrics } from '../../src/metrics/catalogue.js';
import { metric, pendingMetrics, prometheusMetrics } from '../../src/mixin/metrics.js';
import { promDuration } from '../../src/mixin/promql.js';
import { buildMixin } from '../../src/mixin/render.js';
import { requireBinary } from '../helpers/binaries.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const mixin = buildMixin();

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}
interface Target {
  expr: string;
  datasource: { uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults: { unit?: string } };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  links: Array<{ type: string; tags: string[] }>;
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
}

const recordingFile = parse(read('alerts/recording.rules.yml')) as RuleFile;
const alertFile = parse(read('alerts/fidelity.rules.yml')) as RuleFile;
const recordingRules = recordingFile.groups.flatMap((g) => g.rules);
const alertRules = alertFile.groups.flatMap((g) => g.rules);
const dashboardFiles = readdirSync(new URL('dashboards/', root))
  .filter((name) => name.endsWith('.json'))
  .sort();
const dashboards = dashboardFiles.map((name) => JSON.parse(read(`dashboards/${name}`)) as Dashboard);
const panelTargets = dashboards.flatMap((d) =>
  d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ dashboard: d.uid, panel: p.title, expr: t.expr }))),
);
const variableQueries = dashboards.flatMap((d) =>
  d.templating.list.flatMap((v) =>
    v.type === 'query' ? [{ dashboard: d.uid, panel: `variable ${v.name}`, expr: String((v.query as { query: string }).query) }] : [],
  ),
);

/** Metric and recording-rule names in a PromQL expression (string literals removed first). */
function namesIn(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = new Set<string>();
  for (const match of code.matchAll(/(?<![\w:$])([a-zA-Z_:][\w:]*)\s*(\{|\[|\)|$|\s(?:[-+*/<>=!]|and|or|unless|offset))/g)) {
    const name = match[1]!;
    if (/^(fidelity|process_|nodejs_)/.test(name) || name === 'up') names.add(name);
  }
  for (const match of code.matchAll(/\b(fidelity[_:][\w:]*)/g)) names.add(match[1]!);
  return [...names];
}

test('the committed dashboards, rules, promtool tests and PrometheusRule are current (run `npm run mixin`)', () => {
  for (const [path, content] of mixin.files) {
    assert.ok(existsSync(new URL(path, root)), `${path} is missing: run npm run mixin`);
    assert.equal(read(path), content, `${path} is stale: run npm run mixin`);
  }
  const committed = dashboardFiles.map((name) => `dashboards/${name}`);
  assert.deepEqual(committed, [...mixin.files.keys()].filter((p) => p.startsWith('dashboards/')).sort(), 'no stray dashboard files');
});

test('every metric a panel, variable or rule uses is in the catalogue (and the reverse report)', () => {
  const recorded = new Set(recordingRules.map((r) => r.record!));
  const uses = [
    ...panelTargets,
    ...variableQueries,
    ...[...recordingRules, ...alertRules].map((r) => ({ dashboard: 'rules', panel: r.record ?? r.alert!, expr: r.expr })),
  ];
  const used = new Set<string>();
  for (const use of uses) {
    const names = namesIn(use.expr);
    assert.ok(names.length > 0, `${use.dashboard} / ${use.panel}: no metric found in ${use.expr}`);
    for (const name of names) {
      used.add(name);
      if (name.includes(':')) assert.ok(recorded.has(name), `${use.dashboard} / ${use.panel}: recording rule ${name} is not defined`);
      else
        assert.ok(
          Object.hasOwn(servedMetrics, name) || prometheusMetrics.includes(name),
          `${use.dashboard} / ${use.panel}: ${name} is not in src/metrics/catalogue.ts`,
        );
    }
  }
  // Recording rules expand to their metrics.
  for (const rule of recordingRules) for (const name of namesIn(rule.expr)) used.add(name);
  const unshown = Object.keys(catalogue).filter((name) => !used.has(name));
  console.log(
    `catalogue metrics no dashboard or rule shows (${unshown.length} of ${Object.keys(catalogue).length}):\n  ${unshown.join('\n  ') || '(none)'}`,
  );
  console.log(
    `left out for metrics the catalogue lacks:\n  ${mixin.omitted.map((o) => `${o.what} ${o.name}: ${o.missing.join(', ')}`).join('\n  ') || '(nothing)'}`,
  );
  assert.ok(used.has('fidelity_score') && used.has('fidelity_check_success'));
});

test('every label a selector matches on (or a promtool input series has) is a label of that metric', () => {
  // The promtool cases' input series must look like what the exporter serves, too.
  const testSeries = ['alerts/tests/fidelity.test.yml', 'alerts/tests/recording.test.yml'].flatMap((path) =>
    (parse(read(path)) as { tests: Array<{ input_series: Array<{ series: string }> }> }).tests.flatMap((t) =>
      t.input_series.map((input) => ({ dashboard: path, panel: 'input series', expr: input.series })),
    ),
  );
  const exprs = [
    ...panelTargets,
    ...variableQueries,
    ...[...recordingRules, ...alertRules].map((r) => ({ dashboard: 'rules', panel: r.record ?? r.alert!, expr: r.expr })),
    ...testSeries,
  ];
  let checked = 0;
  for (const { dashboard, panel, expr } of exprs) {
    for (const [, name, matchers] of expr.matchAll(/\b((?:fidelity|process|nodejs)_[a-z0-9_]+)\{([^}]*)\}/g)) {
      const spec = servedMetrics[name!];
      if (!spec) continue; // reported by the test above
      for (const [, label] of matchers!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) {
        assert.ok(['job', 'instance', ...spec.labels].includes(label!), `${dashboard} / ${panel}: ${name} has no label ${label}`);
        checked += 1;
      }
    }
  }
  assert.ok(checked > 100, `only ${checked} matchers checked`);
});

test('metric names of the mixin are catalogued or listed as pending, never both', () => {
  for (const name of Object.values(metric)) {
    assert.ok(
      Object.hasOwn(servedMetrics, name) || pendingMetrics.includes(name),
      `${name}: neither in the catalogue nor in pendingMetrics (a typo?)`,
    );
  }
  for (const name of pendingMetrics) {
    assert.ok(!Object.hasOwn(servedMetrics, name), `${name} is catalogued now: remove it from pendingMetrics in src/mixin/metrics.ts`);
  }
  // Nothing left out refers to anything but a pending metric.
  for (const item of mixin.omitted) for (const name of item.missing) assert.ok(pendingMetrics.includes(name), `${item.name}: ${name}`);
});

test('every panel and rule expression parses (promtool check rules)', async () => {
  const promtool = requireBinary('promtool', 'prometheus', ['/usr/bin/promtool']);
  const dir = await mkdtemp(join(tmpdir(), 'fidelity-mixin-'));
  try {
    // Grafana's interval variables become fixed durations; $job and friends sit in regex strings.
    const rules = [...panelTargets].map((target, index) => ({
      record: `panel_expression_${index}`,
      expr: target.expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h'),
    }));
    // Variables: the series selector inside label_values().
    for (const variable of variableQueries) {
      const inner = /^label_values\((.+),\s*\w+\)$/.exec(variable.expr);
      assert.ok(inner, `${variable.dashboard} ${variable.panel}: ${variable.expr}`);
      rules.push({ record: `variable_${rules.length}`, expr: inner[1]! });
    }
    const file = join(dir, 'panels.yml');
    await writeFile(file, stringify({ groups: [{ name: 'panels', rules }] }));
    const { stdout } = await promisify(execFile)(promtool, ['check', 'rules', file]).catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`promtool rejected a panel expression:\n${error.stdout}${error.stderr}`);
    });
    assert.match(stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every alert has severity, summary, description, a runbook with the four sections, and both promtool cases', () => {
  const tests = parse(read('alerts/tests/fidelity.test.yml')) as {
    tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
  };
  const cases = tests.tests.flatMap((t) => t.alert_rule_test);
  assert.ok(alertRules.length >= 10, 'the alerts are rendered');
  for (const rule of alertRules) {
    const name = rule.alert!;
    assert.match(rule.labels?.severity ?? '', /^(warning|critical)$/, name);
    assert.ok((rule.annotations?.summary ?? '').length > 10, `${name}: summary`);
    assert.ok((rule.annotations?.description ?? '').length > 20, `${name}: description`);
    assert.ok(rule.annotations?.runbook_url?.endsWith(`/alerts/runbooks/${name}.md`), `${name}: runbook_url`);
    assert.match(rule.for ?? '', /^\d+[smh]$/, `${name}: for`);
    const runbook = read(`alerts/runbooks/${name}.md`);
    for (const section of ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'])
      assert.match(runbook, new RegExp(`^## ${section}$`, 'm'), `${name}.md: ${section}`);
    const mine = cases.filter((c) => c.alertname === name);
    assert.ok(
      mine.some((c) => c.exp_alerts.length > 0),
      `${name}: a case where it fires`,
    );
    assert.ok(
      mine.some((c) => c.exp_alerts.length === 0),
      `${name}: a case where it does not fire`,
    );
  }
  assert.equal(
    alertRules
      .filter((r) => r.labels?.severity === 'critical')
      .map((r) => r.alert)
      .includes('FidelityUnmaskedPersonalData'),
    true,
  );
});

test('dashboards are import-ready: datasource variable, job/instance variables, stable uids, units, links', () => {
  assert.deepEqual(dashboards.map((d) => d.uid).sort(), [
    'fidelity-behavior',
    'fidelity-config',
    'fidelity-data',
    'fidelity-health',
    'fidelity-overview',
  ]);
  for (const dashboard of dashboards) {
    const variables = dashboard.templating.list;
    assert.equal(variables[0]?.type, 'datasource', `${dashboard.uid}: datasource variable first`);
    assert.ok(variables.some((v) => v.name === 'job') && variables.some((v) => v.name === 'instance'), dashboard.uid);
    if (dashboard.uid !== 'fidelity-health')
      assert.ok(
        variables.some((v) => v.name === 'candidate'),
        `${dashboard.uid}: candidate`,
      );
    assert.ok(
      dashboard.links.some((l) => l.type === 'dashboards' && l.tags.includes('fidelity-exporter')),
      `${dashboard.uid}: links`,
    );
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${dashboard.uid}: unique panel ids`);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      assert.equal(panel.datasource?.uid, '${datasource}', `${dashboard.uid} / ${panel.title}`);
      assert.ok(panel.fieldConfig?.defaults.unit, `${dashboard.uid} / ${panel.title}: unit`);
      assert.ok((panel.targets ?? []).length > 0, `${dashboard.uid} / ${panel.title}: targets`);
      for (const target of panel.targets ?? []) {
        assert.equal(target.datasource.uid, '${datasource}');
        assert.match(target.expr, /job=~"\$job"/, `${dashboard.uid} / ${panel.title}: selects $job`);
      }
    }
  }
});

test('the exporter itself: a health dashboard row and alerts on its memory growth, file descriptors and event-loop lag', () => {
  const health = dashboards.find((d) => d.uid === 'fidelity-health')!;
  const rowIndex = health.panels.findIndex((p) => p.type === 'row' && p.title === 'Exporter process');
  assert.ok(rowIndex >= 0, 'an Exporter process row');
  const row = health.panels.slice(rowIndex + 1);
  const exprs = row.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
  for (const name of [
    'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes',
    'process_open_fds',
    'process_max_fds',
    'process_cpu_seconds_total',
    'nodejs_eventloop_lag_p99_seconds',
  ]) {
    assert.ok(exprs.includes(`${name}{`), `the row shows ${name}`);
  }
  const byName = new Map(alertRules.map((r) => [r.alert, r.expr]));
  assert.match(
    byName.get('FidelityExporterMemoryGrowing') ?? '',
    /predict_linear\(process_resident_memory_bytes\{job="fidelity-exporter"\}\[6h\], 86400\) > 2 \* /,
  );
  assert.match(byName.get('FidelityExporterMemoryGrowing') ?? '', /time\(\) - last_over_time\(process_start_time_seconds/);
  assert.match(
    byName.get('FidelityExporterFileDescriptorsNearLimit') ?? '',
    /process_open_fds\{[^}]*\}\[\w+\]\) \/ last_over_time\(process_max_fds\{[^}]*\}\[\w+\]\) > 0\.8$/,
  );
  assert.match(byName.get('FidelityExporterEventLoopLag') ?? '', /nodejs_eventloop_lag_p99_seconds\{[^}]*\}\[\w+\]\) > 0\.5$/);
});

test('the PrometheusRule carries exactly the groups of the rule files', () => {
  const resource = parse(read('deploy/kubernetes/prometheusrule.yaml')) as { apiVersion: string; kind: string; spec: RuleFile };
  assert.equal(resource.apiVersion, 'monitoring.coreos.com/v1');
  assert.equal(resource.kind, 'PrometheusRule');
  assert.deepEqual(resource.spec.groups, [...recordingFile.groups, ...alertFile.groups]);
});

test('time scaling shortens `for` and range durations but not thresholds', () => {
  const scaled = parse(buildMixin({ timeScale: 1 / 60 }).files.get('alerts/fidelity.rules.yml')!) as RuleFile;
  const byName = new Map(scaled.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
  for (const rule of alertRules) {
    const scaledRule = byName.get(rule.alert)!;
    const seconds = (d: string) => Number(d.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[d.at(-1) as 's' | 'm' | 'h'];
    assert.equal(seconds(scaledRule.for!), Math.max(1, Math.round(seconds(rule.for!) / 60)), rule.alert);
    // Range windows shrink by the same factor; thresholds and everything else stay.
    const scaledRanges = rule.expr.replace(/\[(\d+[smh])\]/g, (_, range: string) => `[${promDuration(seconds(range) / 60)}]`);
    assert.equal(scaledRule.expr, scaledRanges, `${rule.alert}: expression`);
  }
});
