import { catalogue, type MetricSpec } from './catalogue.js';

/** docs/metrics.md, generated from the catalogue (`npm run docs`; a test keeps it current). */
const GROUP_TITLES: Record<MetricSpec['group'], string> = {
  health: 'Exporter and check health',
  scores: 'Scores and gate',
  data: 'Data fidelity',
  config: 'Configuration drift',
  behavior: 'Behavioral parity',
  events: 'Provisioning and release events',
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
    const entries = Object.entries(catalogue).filter(([, spec]) => spec.group === group);
    if (entries.length === 0) continue;
    lines.push('', `## ${title}`, '', '| metric | type | labels | meaning |', '|---|---|---|---|');
    for (const [name, spec] of entries) {
      const labels = spec.labels.length > 0 ? spec.labels.map((label) => `\`${label}\``).join(', ') : '—';
      lines.push(`| \`${name}\` | ${spec.type} | ${labels} | ${spec.help.replace(/\|/g, '\\|')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
