/**
 * The report's view of a `distribution` result (docs/checks/distribution.md): per column whether it
 * drifted, each distance against the bar it had to clear, and the bins or values behind it with
 * both shares. Details arrive already through the examples policy (results/privacy.ts): category
 * values are marks or hashes where the policy says so. `escape` is the report's HTML escaper.
 */

interface JudgedView {
  distance?: number;
  threshold?: number;
  floor?: number;
  band?: number;
  drifted?: boolean;
}

interface AttributionView {
  statistic?: string;
  value?: unknown;
  /** A masked or sensitive column's shape (`a.a@a.a`): no value, shown as it is. */
  shape?: string;
  bucket?: string;
  from?: number | null;
  to?: number | null;
  baseline?: number;
  candidate?: number;
}

interface ColumnView {
  name?: string;
  drifted?: boolean;
  comparable?: boolean;
  reason?: string;
  statistics?: Record<string, JudgedView>;
  attribution?: AttributionView[];
}

const share = (value: number | undefined) => (value === undefined ? '—' : `${(value * 100).toFixed(1)} %`);
const figure = (value: number | undefined) => (value === undefined ? '—' : value.toPrecision(3));

function where(entry: AttributionView, escape: (value: unknown) => string): string {
  if (entry.shape !== undefined) return `${entry.bucket === 'new' ? 'new ' : ''}shape <code>${escape(entry.shape)}</code>`;
  if (entry.value !== undefined && entry.value !== null) return `${entry.bucket === 'new' ? 'new ' : ''}${escape(entry.value)}`;
  if (entry.from !== undefined || entry.to !== undefined)
    return `${entry.bucket ? `${escape(entry.bucket)} ` : ''}[${figure(entry.from ?? undefined)}, ${figure(entry.to ?? undefined)})`;
  return escape(entry.bucket ?? '');
}

function statisticsCell(statistics: Record<string, JudgedView>, escape: (value: unknown) => string): string {
  return Object.entries(statistics)
    .map(([name, judged]) => {
      const bar = Math.max(judged.threshold ?? 0, judged.floor ?? 0, judged.band ?? 0);
      const text = `${escape(name)} ${figure(judged.distance)} / ${figure(bar)}`;
      return judged.drifted ? `<strong class="drifted">${text}</strong>` : text;
    })
    .join('<br>');
}

export function distributionHtml(details: Record<string, unknown>, escape: (value: unknown) => string): string {
  const columns = Array.isArray(details.columns) ? (details.columns as ColumnView[]) : [];
  if (columns.length === 0) return '';
  const rows = columns.map((column) => {
    const state =
      column.comparable === false ? `not compared: ${escape(column.reason)}` : column.drifted ? '<strong>drifted</strong>' : 'holds';
    const attribution = (column.attribution ?? [])
      .map((entry) => `${where(entry, escape)}: ${share(entry.baseline)} → ${share(entry.candidate)}`)
      .join('<br>');
    return `<tr class="${column.drifted ? 'diff-changed' : ''}"><td>${escape(column.name)}</td><td>${state}</td><td>${statisticsCell(column.statistics ?? {}, escape)}</td><td>${attribution || '—'}</td></tr>`;
  });
  return (
    '<h4>columns</h4><table class="diff distribution"><thead><tr><th>column</th><th>verdict</th>' +
    '<th>distance / bar (threshold, floor, band)</th><th>where: baseline → candidate</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}
