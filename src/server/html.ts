import type { CheckView, ResultsView } from './view.js';

/** The human report at "/": server-rendered, no scripts, readable without Grafana. */

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
  error: 'sample failed',
  pending: 'not sampled yet',
  disabled: 'disabled',
};

function cell(value: unknown): string {
  if (value === null) return '<span class="null">NULL</span>';
  if (typeof value === 'object') return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
  return escapeHtml(value);
}

/** Differences as tables: example rows for data checks, a JSON block for anything else. */
function detailsHtml(check: CheckView): string {
  const details = check.details;
  if (!details) return check.lastRun?.error ? `<p class="error">${escapeHtml(check.lastRun.reason)}: ${escapeHtml(check.lastRun.error)}</p>` : '';
  const parts: string[] = [];
  const examples = Array.isArray(details.examples) ? (details.examples as Array<Record<string, unknown>>) : [];
  if (examples.length > 0) {
    const rows = examples.map((example) => {
      const baseline = example.baseline as Record<string, unknown> | undefined;
      const candidate = example.candidate as Record<string, unknown> | undefined;
      const columns = Array.isArray(example.columns) ? (example.columns as string[]) : [];
      const show = (row: Record<string, unknown> | undefined) =>
        row ? Object.entries(row).map(([k, v]) => `<span class="${columns.includes(k) ? 'changed' : ''}">${escapeHtml(k)}=${cell(v)}</span>`).join(' ') : '—';
      return `<tr><td>${escapeHtml(example.type)}</td><td>${show(baseline)}</td><td>${show(candidate)}</td></tr>`;
    });
    parts.push(
      `<table class="diff"><thead><tr><th>difference</th><th>${escapeHtml(check.baseline)}</th><th>${escapeHtml(check.candidate)}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
  }
  const rest = Object.fromEntries(Object.entries(details).filter(([key]) => key !== 'examples'));
  parts.push(`<details><summary>all details</summary><pre>${escapeHtml(JSON.stringify(rest, null, 2))}</pre></details>`);
  return parts.join('');
}

export function renderReport(view: ResultsView, title = 'fidelity-exporter'): string {
  const scores = view.scores
    .map((score) => `<div class="score"><div class="value">${(score.score * 100).toFixed(1)}%</div><div>${escapeHtml(score.dimension)} · ${escapeHtml(score.candidate)}</div><div class="muted">${score.checks} checks</div></div>`)
    .join('');
  const environments = view.environments
    .map((environment) => {
      const state = environment.up === undefined ? 'unknown' : environment.up ? 'up' : 'down';
      return `<li><strong>${escapeHtml(environment.name)}</strong> <span class="badge ${state}">${state}</span> ${environment.databases.map((d) => escapeHtml(d.name)).join(', ')}</li>`;
    })
    .join('');
  const checks = view.checks
    .map(
      (check) => `<tr class="${check.status}" id="check-${escapeHtml(check.name)}">
  <td><strong>${escapeHtml(check.name)}</strong><div class="muted">${escapeHtml(check.description ?? '')}</div></td>
  <td>${escapeHtml(check.kind)}</td>
  <td>${escapeHtml(check.baseline)} → ${escapeHtml(check.candidate)}</td>
  <td><span class="badge ${check.status}">${STATUS_LABEL[check.status]}</span></td>
  <td>${escapeHtml(check.summary ?? '')}${check.previous ? `<div class="muted">previous sample: ${escapeHtml(check.previous.summary)}</div>` : ''}</td>
  <td class="muted">${escapeHtml(check.lastRun?.finishedAt ?? '')}</td>
</tr>${check.status === 'fail' || check.status === 'error' ? `<tr class="detail"><td colspan="6">${detailsHtml(check)}</td></tr>` : ''}`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem} h2{font-size:1.1rem;margin-top:2rem}
.muted{color:#656d76;font-size:.85em} nav a{margin-right:1rem}
.scores{display:flex;gap:1rem;flex-wrap:wrap} .score{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;min-width:10rem}
.score .value{font-size:1.6rem;font-weight:600}
table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #d0d7de;padding:.4rem .5rem;text-align:left;vertical-align:top}
.badge{border-radius:1rem;padding:.1rem .6rem;font-size:.8em;white-space:nowrap}
.badge.pass,.badge.up{background:#dafbe1;color:#116329} .badge.fail,.badge.down{background:#ffebe9;color:#a40e26}
.badge.error{background:#fff8c5;color:#7d4e00} .badge.pending,.badge.disabled,.badge.unknown{background:#eaeef2;color:#57606a}
table.diff{font-size:.85em;margin:.5rem 0} .changed{background:#fff8c5;font-weight:600} .null{color:#8250df;font-style:italic}
pre{background:#f6f8fa;padding:.75rem;overflow:auto;font-size:.8em} .error{color:#a40e26}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<div class="muted">version ${escapeHtml(view.exporter.version)} · up since ${escapeHtml(view.exporter.startedAt)}${view.exporter.configFile ? ` · config ${escapeHtml(view.exporter.configFile)}` : ''}</div>
<nav><a href="metrics">/metrics</a><a href="api/v1/results">/api/v1/results</a><a href="-/healthy">/-/healthy</a><a href="-/ready">/-/ready</a></nav>
<h2>Scores</h2><div class="scores">${scores || '<p class="muted">No check has produced a result yet.</p>'}</div>
<h2>Environments</h2><ul>${environments}</ul>
<h2>Checks</h2>
<table><thead><tr><th>check</th><th>kind</th><th>sides</th><th>status</th><th>result</th><th>last sample</th></tr></thead>
<tbody>
${checks}
</tbody></table>
</body></html>`;
}
