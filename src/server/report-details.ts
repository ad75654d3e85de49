import { distributionHtml } from './distribution-html.js';
import { escapeHtml } from './escape.js';
import { formatNumber, keyWords, plural } from './report-words.js';
import type { CheckView } from './view.js';

/**
 * A check's details on the report, in people's words: keys as the docs name them, numbers in the
 * unit their key declares (seconds, ratios, bytes), per-side facts as one table with a row per
 * side, lists of records as tables with the differing columns marked. A kind may register its own
 * view in KIND_VIEWS; the others get the generic rendering. Details arrive already redacted.
 */

/** Renders one kind's details; returns HTML. `generic` renders any value the default way. */
export type KindDetailsView = (details: Record<string, unknown>, generic: (value: unknown, key?: string) => string) => string;

const MAX_TABLE_ROWS = 50;
const MAX_TABLE_COLUMNS = 14;
const MAX_DEPTH = 5;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return !isRecord(value) && !Array.isArray(value);
}

/** One value; a number is shown in the unit its key declares ("durationSeconds" → "3.1 ms"). */
function scalarHtml(value: unknown, key = ''): string {
  if (value === null || value === undefined) return '<span class="null">NULL</span>';
  if (typeof value === 'boolean') return `<span class="bool">${value ? 'yes' : 'no'}</span>`;
  if (typeof value === 'number') return `<span class="num">${escapeHtml(formatNumber(key, value))}</span>`;
  const text = String(value);
  if (text === '<secret>' || text === '<redacted>') return `<span class="redacted">${escapeHtml(text)}</span>`;
  return escapeHtml(text);
}

/** A compact one-line rendering of a row ({sku: "A", price: 3}) with the changed columns marked. */
function inlineRecord(row: Record<string, unknown>, changed: readonly string[]): string {
  return Object.entries(row)
    .map(
      ([key, value]) =>
        `<span class="kv${changed.includes(key) ? ' changed' : ''}">${escapeHtml(key)}=${isScalar(value) ? scalarHtml(value) : `<code>${escapeHtml(JSON.stringify(value))}</code>`}</span>`,
    )
    .join(' ');
}

function more(total: number): string {
  return total > MAX_TABLE_ROWS ? `<div class="muted">… ${total - MAX_TABLE_ROWS} more</div>` : '';
}

/** Any JSON value as HTML; `key` names the value (its unit, and how its members read). */
export function renderValue(value: unknown, depth = 0, key = ''): string {
  if (!isRecord(value) && !Array.isArray(value)) return scalarHtml(value, key);
  if (depth >= MAX_DEPTH) return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="muted">none</span>';
    if (value.every(isRecord)) return recordsTable(value, depth);
    if (value.every(isScalar)) return value.map((item) => `<span class="item">${scalarHtml(item, key)}</span>`).join(' ');
    return `<ol>${value
      .slice(0, MAX_TABLE_ROWS)
      .map((item) => `<li>${renderValue(item, depth + 1, key)}</li>`)
      .join('')}</ol>${more(value.length)}`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '<span class="muted">empty</span>';
  // {production: {...}, staging: {...}}: one table, a row per member, its keys as columns.
  if (entries.length > 1 && entries.every(([, item]) => isRecord(item) && Object.values(item).every(isScalar)))
    return keyedTable(entries as Array<[string, Record<string, unknown>]>, depth);
  return `<table class="kv-table">${entries.map(([name, item]) => `<tr><th scope="row">${escapeHtml(keyWords(name))}</th><td>${renderValue(item, depth + 1, name)}</td></tr>`).join('')}</table>`;
}

function keyedTable(entries: Array<[string, Record<string, unknown>]>, depth: number): string {
  const columns = [...new Set(entries.flatMap(([, item]) => Object.keys(item)))].slice(0, MAX_TABLE_COLUMNS);
  const head = `<tr><td></td>${columns.map((column) => `<th scope="col">${escapeHtml(keyWords(column))}</th>`).join('')}</tr>`;
  const body = entries
    .map(
      ([name, item]) =>
        `<tr><th scope="row">${escapeHtml(keyWords(name))}</th>${columns.map((column) => (column in item ? `<td>${renderValue(item[column], depth + 1, column)}</td>` : '<td class="muted">—</td>')).join('')}</tr>`,
    )
    .join('');
  return `<table class="diff keyed"><thead>${head}</thead><tbody>${body}</tbody></table>`;
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
  const head = shown.map((column) => `<th scope="col">${escapeHtml(keyWords(column))}</th>`).join('');
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
        return `<td${cls}>${sideCell ? inlineRecord(item, changed) : renderValue(item, depth + 1, column)}</td>`;
      });
      return `<tr class="${escapeHtml(typeof row.type === 'string' ? `diff-${row.type}` : '')}">${cells.join('')}</tr>`;
    })
    .join('');
  return `<table class="diff"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more(rows.length)}`;
}

/** Lists (rows, keys, paths, plans, steps) first under their own headings, then the facts. */
function genericDetails(details: Record<string, unknown>): string {
  const parts: string[] = [];
  const lists = Object.entries(details).filter(([, value]) => Array.isArray(value) && value.length > 0);
  const facts = Object.entries(details).filter(([, value]) => !(Array.isArray(value) && value.length > 0));
  for (const [key, value] of lists) parts.push(`<h4>${escapeHtml(keyWords(key))}</h4>${renderValue(value, 1, key)}`);
  if (facts.length > 0) parts.push(`<h4>facts</h4>${renderValue(Object.fromEntries(facts), 1)}`);
  return parts.join('');
}

/** query and table: the sides' columns read as "name (type)", not as a nested table. */
function withColumnsInline(details: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(details.sides)) return details;
  const sides = Object.fromEntries(
    Object.entries(details.sides).map(([side, facts]) => {
      if (!isRecord(facts) || !Array.isArray(facts.columns)) return [side, facts];
      const columns = facts.columns
        .filter(isRecord)
        .map((column) => `${String(column.name)}${column.engineType ? ` (${String(column.engineType)})` : ''}`)
        .join(', ');
      return [side, { ...facts, columns }];
    }),
  );
  return { ...details, sides };
}

/** Views of kinds whose details read better than the generic rendering. */
const KIND_VIEWS: Partial<Record<string, KindDetailsView>> = {
  query: (details) => genericDetails(withColumnsInline(details)),
  table: (details) => genericDetails(withColumnsInline(details)),
  // Its own view of the columns; the rest of the details render generically.
  distribution: (details) => {
    const own = distributionHtml(details, escapeHtml);
    return own
      ? own + genericDetails(Object.fromEntries(Object.entries(details).filter(([key]) => key !== 'columns')))
      : genericDetails(details);
  },
};

/** The failure, what changed, the kind's details and the raw JSON of a check on the report. */
export function detailsHtml(check: CheckView): string {
  const parts: string[] = [];
  if (check.lastRun && !check.lastRun.success) {
    parts.push(`<p class="error"><strong>${escapeHtml(check.lastRun.reason)}</strong>: ${escapeHtml(check.lastRun.error)}</p>`);
  }
  if (check.changes.length > 0) {
    parts.push(
      `<div class="changes"><strong>Since the previous sample (${plural(check.changes.length, 'change')})</strong><ul>${check.changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul></div>`,
    );
  }
  const details = check.details;
  if (details) {
    const view = KIND_VIEWS[check.kind];
    parts.push(view ? view(details, (value, key) => renderValue(value, 1, key)) : genericDetails(details));
    parts.push(`<details><summary>details as JSON</summary><pre>${escapeHtml(JSON.stringify(details, null, 2))}</pre></details>`);
  }
  return parts.join('');
}
