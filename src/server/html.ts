import type { CandidateGate, GateRow, Verdict } from '../scoring/gate.js';
import type { HistoryPoint } from '../scoring/history.js';
import { distributionHtml } from './distribution-html.js';
import type { CheckView, ResultsView } from './view.js';

/**
 * The audit report at "/" and `run --report`: server-rendered, no scripts, readable without
 * Grafana. Scores with their history as inline SVG charts, the gate, every failing check with its
 * differences (details rendered generically: tables for lists of records, nested key/value tables
 * for objects), and what changed since the previous sample. Details arrive already redacted.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STATUS_LABEL: Record<CheckView['status'], string> = {
  pass: 'faithful',
  fail: 'drift',
  inconclusive: 'nothing to compare',
  error: 'sample failed',
  pending: 'not sampled yet',
  disabled: 'disabled',
};

const VERDICT_CLASS: Record<Verdict | 'no_data', string> = { pass: 'pass', fail: 'fail', inconclusive: 'error', no_data: 'pending' };
const VERDICT_LABEL: Record<Verdict | 'no_data', string> = {
  pass: 'pass',
  fail: 'fail',
  inconclusive: 'inconclusive',
  no_data: 'no checks',
};

const MAX_TABLE_ROWS = 50;
const MAX_TABLE_COLUMNS = 14;
const MAX_DEPTH = 5;

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarHtml(value: unknown): string {
  if (value === null || value === undefined) return '<span class="null">NULL</span>';
  if (typeof value === 'boolean') return `<span class="bool">${value}</span>`;
  // Durations and ratios carry float noise (0.030243738999999955): six significant digits suffice.
  if (typeof value === 'number')
    return `<span class="num">${escapeHtml(Number.isInteger(value) ? value : Number(value.toPrecision(6)))}</span>`;
  const text = String(value);
  if (text === '<secret>' || text === '<redacted>') return `<span class="redacted">${escapeHtml(text)}</span>`;
  return escapeHtml(text);
}

/** A compact one-line rendering of a row ({sku: "A", price: 3}) with the changed columns marked. */
function inlineRecord(row: Record<string, unknown>, changed: readonly string[]): string {
  return Object.entries(row)
    .map(
      ([key, value]) =>
        `<span class="kv${changed.includes(key) ? ' changed' : ''}">${escapeHtml(key)}=${isRecord(value) || Array.isArray(value) ? `<code>${escapeHtml(JSON.stringify(value))}</code>` : scalarHtml(value)}</span>`,
    )
    .join(' ');
}

function humanKey(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
}

/** Any JSON value as HTML: records become key/value tables, lists of records become tables. */
export function renderValue(value: unknown, depth = 0): string {
  if (!isRecord(value) && !Array.isArray(value)) return scalarHtml(value);
  if (depth >= MAX_DEPTH) return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="muted">none</span>';
    if (value.every(isRecord)) return recordsTable(value, depth);
    if (value.every((item) => !isRecord(item) && !Array.isArray(item)))
      return value.map((item) => `<span class="item">${scalarHtml(item)}</span>`).join(' ');
    return `<ol>${value
      .slice(0, MAX_TABLE_ROWS)
      .map((item) => `<li>${renderValue(item, depth + 1)}</li>`)
      .join('')}</ol>${more(value.length)}`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '<span class="muted">empty</span>';
  return `<table class="kv-table">${entries.map(([key, item]) => `<tr><th>${escapeHtml(humanKey(key))}</th><td>${renderValue(item, depth + 1)}</td></tr>`).join('')}</table>`;
}

function more(total: number): string {
  return total > MAX_TABLE_ROWS ? `<div class="muted">… ${total - MAX_TABLE_ROWS} more</div>` : '';
}

/**
 * A list of records as one table. Rows that carry both sides ({baseline, candidate}) are shown as
 * a difference: the other keys first, then each side inline with the changed columns marked.
 */
function recordsTable(rows: Array<Record<string, unknown>>, depth: number): string {
  const columns: string[] = [];
  for (const row of rows.slice(0, MAX_TABLE_ROWS)) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const changedOf = (row: Record<string, unknown>) => {
    const list = row.columns ?? row.changed ?? row.fields;
    return Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : [];
  };
  const shown = columns.slice(0, MAX_TABLE_COLUMNS);
  const head = shown.map((column) => `<th>${escapeHtml(humanKey(column))}</th>`).join('');
  const body = rows
    .slice(0, MAX_TABLE_ROWS)
    .map((row) => {
      const changed = changedOf(row);
      const cells = shown.map((column) => {
        const item = row[column];
        if (item === undefined) return '<td class="muted">—</td>';
        const sideCell = (column === 'baseline' || column === 'candidate') && isRecord(item);
        const cls =
          changed.length === 0 && ['baseline', 'candidate', 'expected', 'actual'].includes(column) ? ` class="side ${column}"` : '';
        return `<td${cls}>${sideCell ? inlineRecord(item, changed) : renderValue(item, depth + 1)}</td>`;
      });
      return `<tr class="${escapeHtml(typeof row.type === 'string' ? `diff-${row.type}` : '')}">${cells.join('')}</tr>`;
    })
    .join('');
  return `<table class="diff"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more(rows.length)}`;
}

/** The differences of a check: lists (rows, keys, paths, plans, steps) first, then the facts. */
function detailsHtml(check: CheckView): string {
  const parts: string[] = [];
  if (check.lastRun && !check.lastRun.success) {
    parts.push(`<p class="error"><strong>${escapeHtml(check.lastRun.reason)}</strong>: ${escapeHtml(check.lastRun.error)}</p>`);
  }
  if (check.changes.length > 0) {
    parts.push(
      `<div class="changes"><strong>Since the previous sample</strong><ul>${check.changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul></div>`,
    );
  }
  const details = check.details;
  if (details) {
    // A distribution result has its own view of its columns; the rest renders generically.
    const own = check.kind === 'distribution' ? distributionHtml(details, escapeHtml) : '';
    if (own) parts.push(own);
    const lists = Object.entries(details).filter(([key, value]) => Array.isArray(value) && value.length > 0 && !(own && key === 'columns'));
    const facts = Object.entries(details).filter(([, value]) => !(Array.isArray(value) && value.length > 0));
    for (const [key, value] of lists) parts.push(`<h4>${escapeHtml(humanKey(key))}</h4>${renderValue(value, 1)}`);
    if (facts.length > 0) parts.push(`<h4>facts</h4>${renderValue(Object.fromEntries(facts), 1)}`);
    parts.push(`<details><summary>details as JSON</summary><pre>${escapeHtml(JSON.stringify(details, null, 2))}</pre></details>`);
  }
  return parts.join('');
}

/** A small step chart of a score over time (0..1), with the threshold as a dashed line. */
export function sparkline(
  points: readonly HistoryPoint[],
  threshold: number | null,
  domain?: { from: number; to: number },
  width = 180,
  height = 44,
): string {
  const pad = 3;
  const usable = points.filter((p) => Number.isFinite(p.t));
  const label = `score history: ${usable.length} points`;
  if (usable.length === 0)
    return `<svg class="chart" role="img" aria-label="no history yet" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="none" stroke="#d0d7de"/></svg>`;
  // All charts share one time axis (the uptime) so that they line up.
  const t0 = Math.min(domain?.from ?? Number.POSITIVE_INFINITY, usable[0]?.t ?? 0);
  const t1 = Math.max(domain?.to ?? 0, usable.at(-1)?.t ?? 0, t0 + 1);
  const x = (t: number) => pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad);
  const y = (score: number) => height - pad - score * (height - 2 * pad);
  const segments: string[] = [];
  let path = '';
  usable.forEach((point, index) => {
    if (point.score === null) {
      if (path) segments.push(path);
      path = '';
      return;
    }
    const px = x(point.t).toFixed(1);
    const py = y(point.score).toFixed(1);
    if (!path) path = `M${px},${py}`;
    else path += ` H${px} V${py}`;
    const next = usable[index + 1];
    if (!next) path += ` H${(width - pad).toFixed(1)}`;
  });
  if (path) segments.push(path);
  const thresholdLine =
    threshold === null
      ? ''
      : `<line class="threshold" x1="${pad}" x2="${width - pad}" y1="${y(threshold).toFixed(1)}" y2="${y(threshold).toFixed(1)}" stroke="#cf222e" stroke-dasharray="3 2" stroke-width="1"/>`;
  const dots =
    usable.length === 1 && usable[0]?.score !== null
      ? `<circle cx="${x(usable[0]?.t ?? 0).toFixed(1)}" cy="${y(usable[0]?.score ?? 0).toFixed(1)}" r="2" fill="#0969da"/>`
      : '';
  return `<svg class="chart" role="img" aria-label="${escapeHtml(label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="#f6f8fa" stroke="#d0d7de"/>${thresholdLine}${segments.map((d) => `<path d="${d}" fill="none" stroke="#0969da" stroke-width="1.5"/>`).join('')}${dots}</svg>`;
}

function scoreCard(view: ResultsView, candidate: string, row: GateRow): string {
  const points = view.history.find((h) => h.candidate === candidate && h.dimension === row.dimension)?.points ?? [];
  const now = Date.parse(view.generatedAt ?? '') || Date.now();
  const series = row.score === null && points.length === 0 ? [] : [...points, { t: now, score: row.score }];
  const domain = { from: Date.parse(view.exporter.startedAt) || (series[0]?.t ?? now), to: now };
  return `<div class="score ${VERDICT_CLASS[row.status]}" data-dimension="${escapeHtml(row.dimension)}">
<div class="dim">${escapeHtml(row.dimension)}</div>
<div class="value">${row.score === null ? '<span class="muted">no data</span>' : percent(row.score)}</div>
<div class="muted">threshold ${row.threshold === null ? 'none' : percent(row.threshold)} · ${row.checks} checks${row.withoutResult > 0 ? ` · ${row.withoutResult} without result` : ''}</div>
<span class="badge ${row.gated || row.status === 'fail' ? VERDICT_CLASS[row.status] : 'pending'}">${VERDICT_LABEL[row.status]}${row.gated || row.status === 'fail' ? '' : ' (not gated)'}</span>
${sparkline(series, row.threshold, domain)}
</div>`;
}

function gateHtml(view: ResultsView, gate: CandidateGate): string {
  const rows = [...gate.rows].sort((a, b) => (a.dimension === 'overall' ? -1 : b.dimension === 'overall' ? 1 : 0));
  const cards = rows
    .filter((row) => row.dimension === 'overall' || row.status !== 'no_data')
    .map((row) => scoreCard(view, gate.candidate, row));
  const reasons =
    gate.reasons.length > 0 ? `<ul class="reasons">${gate.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : '';
  return `<section class="candidate" id="candidate-${escapeHtml(gate.candidate)}">
<h3>${escapeHtml(gate.candidate)} <span class="badge ${VERDICT_CLASS[gate.verdict]}">gate: ${VERDICT_LABEL[gate.verdict]}</span></h3>
${reasons}<div class="scores">${cards.join('')}</div></section>`;
}

/** `links: false` for a standalone file (run --report), where the exporter's routes do not exist. */
export function renderReport(view: ResultsView, title = 'fidelity-exporter', options: { links?: boolean } = {}): string {
  const nav =
    options.links === false
      ? ''
      : '<nav><a href="metrics">/metrics</a><a href="gate">/gate</a><a href="api/v1/results">/api/v1/results</a><a href="-/healthy">/-/healthy</a><a href="-/ready">/-/ready</a></nav>';
  const gates = view.gate.candidates.map((gate) => gateHtml(view, gate)).join('');
  const environments = view.environments
    .map((environment) => {
      const state = environment.up === undefined ? 'unknown' : environment.up ? 'up' : 'down';
      return `<li><strong>${escapeHtml(environment.name)}</strong> <span class="badge ${state}">${state}</span> ${environment.databases.map((d) => escapeHtml(d.name)).join(', ')}</li>`;
    })
    .join('');
  const failing = view.checks.filter((check) => check.status === 'fail' || check.status === 'inconclusive' || check.status === 'error');
  const failingHtml = failing
    .map(
      (check) => `<section class="failing" id="failing-${escapeHtml(check.name)}">
<h3>${escapeHtml(check.name)} <span class="badge ${check.status}">${STATUS_LABEL[check.status]}</span> <span class="muted">${escapeHtml(check.kind)} · ${escapeHtml(check.baseline)} → ${escapeHtml(check.candidate)}</span></h3>
<p>${escapeHtml(check.summary ?? '')}</p>
${detailsHtml(check)}
</section>`,
    )
    .join('\n');
  const checks = view.checks
    .map(
      (check) => `<tr class="${check.status}" id="check-${escapeHtml(check.name)}">
  <td><strong>${escapeHtml(check.name)}</strong><div class="muted">${escapeHtml(check.description ?? '')}</div></td>
  <td>${escapeHtml(check.kind)}</td>
  <td>${escapeHtml(check.baseline)} → ${escapeHtml(check.candidate)}</td>
  <td><span class="badge ${check.status}">${STATUS_LABEL[check.status]}</span></td>
  <td>${escapeHtml(check.summary ?? '')}${check.changes.length > 0 ? `<div class="muted">changed: ${escapeHtml(check.changes.join('; '))}</div>` : check.previous ? `<div class="muted">unchanged since the previous sample</div>` : ''}</td>
  <td class="muted">${escapeHtml(check.lastRun?.finishedAt ?? '')}</td>
</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem} h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem} h3{font-size:1rem} h4{font-size:.9rem;margin:.75rem 0 .25rem}
.muted{color:#656d76;font-size:.85em} nav a{margin-right:1rem}
.scores{display:flex;gap:.75rem;flex-wrap:wrap} .score{border:1px solid #d0d7de;border-radius:6px;padding:.6rem .8rem;min-width:11rem}
.score.fail{border-color:#cf222e} .score.error{border-color:#bf8700}
.score .dim{font-weight:600} .score .value{font-size:1.5rem;font-weight:600} .chart{display:block;margin-top:.3rem}
table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
.badge{border-radius:1rem;padding:.1rem .6rem;font-size:.8em;white-space:nowrap}
.badge.pass,.badge.up{background:#dafbe1;color:#116329} .badge.fail,.badge.down{background:#ffebe9;color:#a40e26}
.badge.error,.badge.inconclusive{background:#fff8c5;color:#7d4e00} .badge.pending,.badge.disabled,.badge.unknown{background:#eaeef2;color:#57606a}
table.diff,table.kv-table{font-size:.85em;margin:.25rem 0;width:auto;min-width:50%} td table.diff,td table.kv-table{font-size:1em;min-width:0} table.kv-table th{font-weight:500;color:#57606a;white-space:nowrap}
tr.diff-missing td:first-child{color:#a40e26} tr.diff-extra td:first-child{color:#116329}
.changed{background:#fff8c5;font-weight:600} .kv{margin-right:.5rem;white-space:nowrap} .null{color:#8250df;font-style:italic} .redacted{color:#57606a;font-style:italic}
section.failing{border-left:4px solid #cf222e;padding:.25rem 1rem;margin:1rem 0;background:#fffafa}
.changes{background:#f6f8fa;padding:.4rem .8rem;border-radius:6px;margin:.5rem 0} .reasons{color:#a40e26}
pre{background:#f6f8fa;padding:.75rem;overflow:auto;font-size:.8em;max-height:28em} .error{color:#a40e26}
table.diff,table.kv-table,body>table{display:block;overflow-x:auto;max-width:100%}
@media (max-width:600px){body{margin:.75rem} .score{min-width:0;flex:1 1 9rem}} .chart{max-width:100%;height:auto} nav{display:flex;flex-wrap:wrap;gap:.25rem 0}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<div class="muted">version ${escapeHtml(view.exporter.version)} · up since ${escapeHtml(view.exporter.startedAt)}${view.generatedAt ? ` · generated ${escapeHtml(view.generatedAt)}` : ''}${view.exporter.configFile ? ` · config ${escapeHtml(view.exporter.configFile)}` : ''}</div>
${nav}
<h2>Gate: <span class="badge ${VERDICT_CLASS[view.gate.verdict]}" id="gate-verdict">${VERDICT_LABEL[view.gate.verdict]}</span></h2>
${gates || '<p class="muted">No enabled check compares a candidate yet.</p>'}
<h2>Failing checks (${failing.length})</h2>
${failingHtml || '<p class="muted">None: every check that produced a result is faithful.</p>'}
<h2>Environments</h2><ul>${environments}</ul>
<h2>Checks</h2>
<table><thead><tr><th>check</th><th>kind</th><th>sides</th><th>status</th><th>result</th><th>last sample</th></tr></thead>
<tbody>
${checks}
</tbody></table>
</body></html>`;
}
