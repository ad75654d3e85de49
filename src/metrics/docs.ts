import { servedMetrics, type MetricSpec, type RuntimeMetricSpec } from './catalogue.js';

/** docs/metrics.md, generated from the catalogue (`npm run docs`; a test keeps it current). */
const GROUP_TITLES: Record<MetricSpec['group'] | RuntimeMetricSpec['group'], string> = {
  health: 'Exporter and check health',
  scores: 'Scores and gate',
  data: 'Data fidelity',
  config: 'Configuration drift',
  behavior: 'Behavioral parity',
  events: 'Provisioning and release events',
  process: 'The exporter process',
};

const GROUP_INTROS: Partial<Record<keyof typeof GROUP_TITLES, string>> = {
  process:
    "prom-client's default metrics of the exporter's own process and Node.js runtime, read at scrape time (help texts are prom-client's). `nodejs_active_handles_total`, `nodejs_active_requests_total` and `nodejs_active_resources_total` are left out: gauges named like counters, which `promtool check metrics` rejects; sum the per-type gauges instead.",
};

export function renderMetricsDoc(): string {
  const lines = [
    '# Metrics',
    '',
    '<!-- Generated from src/metrics/catalogue.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Every series the exporter serves at `/metrics`. Comparison values are computed by samples on the',
    "exporter's own schedule and cached; a scrape never touches a database or a target.",
    '`fidelity_check_last_success_timestamp_seconds` tells how old they are. When a sample fails, the',
    "check's comparison series disappear until the next successful sample, and `fidelity_check_success`",
    'and `fidelity_check_errors_total{reason}` say why.',
    '',
    'Label values come from configuration identifiers only (check, environment, database, source and',
    'step names), never from SQL, URLs, row values or error text.',
  ];
  for (const [group, title] of Object.entries(GROUP_TITLES)) {
    const entries = Object.entries(servedMetrics).filter(([, spec]) => spec.group === group);
    if (entries.length === 0) continue;
    lines.push('', `## ${title}`, '');
    const intro = GROUP_INTROS[group as keyof typeof GROUP_TITLES];
    if (intro) lines.push(intro, '');
    lines.push('| metric | type | labels | meaning |', '|---|---|---|---|');
    for (const [name, spec] of entries) {
      const labels = spec.labels.length > 0 ? spec.labels.map((label) => `\`${label}\``).join(', ') : '—';
      const meaning = 'note' in spec && spec.note ? `${spec.help} ${spec.note}` : spec.help;
      lines.push(`| \`${name}\` | ${spec.type} | ${labels} | ${meaning.replace(/\|/g, '\\|')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
