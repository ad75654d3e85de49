import type { Expr } from './promql.js';

/**
 * A small typed builder for the Grafana dashboard JSON we ship (schemaVersion 39, Grafana 10+):
 * only the panel types and options the dashboards use, so the output stays readable and stable.
 */

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export type Unit = 'percentunit' | 's' | 'short' | 'none' | 'x' | 'dateTimeFromNow' | 'bool' | 'bytes';

export interface TargetSpec {
  expr: Expr;
  legend?: string;
  /** An instant query (tables, stats showing "now"). */
  instant?: boolean;
}

export interface ThresholdStep {
  color: string;
  value: number | null;
}

export interface PanelSpec {
  type: 'timeseries' | 'stat' | 'table' | 'bargauge';
  title: string;
  description: string;
  targets: TargetSpec[];
  unit: Unit;
  w: number;
  h: number;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: ThresholdStep[];
  /** Value -> text and colour, for 0/1 gauges. */
  valueText?: Record<string, { text: string; color: string }>;
  /** Series whose legend matches this regular expression are drawn dashed (thresholds). */
  dashed?: string;
  stack?: boolean;
  /** Table columns to hide (besides Time). */
  hideColumns?: string[];
}

export interface RowSpec {
  row: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Whether the candidate variable applies. */
  candidate: boolean;
  rows: RowSpec[];
}

export const TAG = 'fidelity-exporter';

/** Green at and above `good`, red below: scores and ratios where higher is better. */
export function higherIsBetter(good: number): ThresholdStep[] {
  return [
    { color: 'red', value: null },
    { color: 'green', value: good },
  ];
}

/** Green below `bad`, red at and above: counts of differences, violations, lag. */
export function lowerIsBetter(bad: number): ThresholdStep[] {
  return [
    { color: 'green', value: null },
    { color: 'red', value: bad },
  ];
}

/** A time series panel, half the width. */
export function ts(title: string, description: string, targets: TargetSpec[], extra: Partial<PanelSpec> = {}): PanelSpec {
  return { type: 'timeseries', title, description, targets, unit: 'short', w: 12, h: 8, ...extra };
}

/** A stat of the current value (instant queries). */
export function stat(title: string, description: string, targets: TargetSpec[], extra: Partial<PanelSpec> = {}): PanelSpec {
  return { type: 'stat', title, description, targets: targets.map((t) => ({ instant: true, ...t })), unit: 'short', w: 6, h: 4, ...extra };
}

/** A table of the current values (instant queries). */
export function table(title: string, description: string, targets: TargetSpec[], extra: Partial<PanelSpec> = {}): PanelSpec {
  return {
    type: 'table',
    title,
    description,
    targets: targets.map((t) => ({ instant: true, ...t })),
    unit: 'short',
    w: 12,
    h: 8,
    ...extra,
  };
}

export const UP_DOWN = { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } };
export const PASS_FAIL = { '0': { text: 'FAIL', color: 'red' }, '1': { text: 'PASS', color: 'green' } };
export const MATCH = { '0': { text: 'differs', color: 'red' }, '1': { text: 'identical', color: 'green' } };

type Json = Record<string, unknown>;

export interface RenderedTarget {
  expr: string;
  legend: string | undefined;
  instant: boolean;
}

function fieldConfig(panel: PanelSpec): Json {
  const defaults: Json = {
    unit: panel.unit,
    ...(panel.min !== undefined ? { min: panel.min } : {}),
    ...(panel.max !== undefined ? { max: panel.max } : {}),
    ...(panel.decimals !== undefined ? { decimals: panel.decimals } : {}),
    thresholds: { mode: 'absolute', steps: panel.thresholds ?? [{ color: 'green', value: null }] },
    color: { mode: panel.type === 'timeseries' ? 'palette-classic' : 'thresholds' },
    mappings: panel.valueText
      ? [
          {
            type: 'value',
            options: Object.fromEntries(
              Object.entries(panel.valueText).map(([value, { text, color }], index) => [value, { text, color, index }]),
            ),
          },
        ]
      : [],
  };
  if (panel.type === 'timeseries') {
    defaults.custom = {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: panel.stack ? 30 : 0,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: panel.stack ? 'normal' : 'none', group: 'A' },
      thresholdsStyle: { mode: panel.thresholds ? 'dashed' : 'off' },
    };
  }
  if (panel.type === 'table' && panel.valueText) {
    defaults.custom = { cellOptions: { type: 'color-text' } };
  }
  const overrides = panel.dashed
    ? [
        {
          matcher: { id: 'byRegexp', options: panel.dashed },
          properties: [
            { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
            { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
          ],
        },
      ]
    : [];
  return { defaults, overrides };
}

function options(panel: PanelSpec): Json {
  const reduceOptions = { calcs: ['lastNotNull'], fields: '', values: false };
  switch (panel.type) {
    case 'timeseries':
      return {
        legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'min'] },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
    case 'stat':
      return { reduceOptions, colorMode: 'background', graphMode: 'none', justifyMode: 'auto', textMode: 'auto', orientation: 'auto' };
    case 'bargauge':
      return { reduceOptions, displayMode: 'gradient', orientation: 'horizontal', showUnfilled: true, minVizHeight: 10, minVizWidth: 0 };
    case 'table':
      return { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } };
  }
}

function transformations(panel: PanelSpec): Json[] {
  if (panel.type !== 'table') return [];
  const hidden = Object.fromEntries(['Time', '__name__', 'job', ...(panel.hideColumns ?? [])].map((name) => [name, true]));
  return [
    { id: 'merge', options: {} },
    { id: 'organize', options: { excludeByName: hidden, indexByName: {}, renameByName: {} } },
  ];
}

export function renderPanel(panel: PanelSpec, targets: RenderedTarget[], id: number, gridPos: Json): Json {
  return {
    id,
    type: panel.type,
    title: panel.title,
    description: panel.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: fieldConfig(panel),
    options: options(panel),
    targets: targets.map((target, index) => ({
      datasource: DATASOURCE,
      refId: String.fromCharCode(65 + index),
      expr: target.expr,
      legendFormat: target.legend ?? '__auto',
      range: !target.instant,
      instant: target.instant,
      ...(panel.type === 'table' ? { format: 'table' } : {}),
    })),
    transformations: transformations(panel),
  };
}

export function renderRow(title: string, id: number, y: number): Json {
  return { id, type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] };
}

function queryVariable(name: string, label: string, query: string): Json {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.+',
    current: {},
    options: [],
    sort: 1,
    hide: 0,
  };
}

export interface VariableQueries {
  job: string;
  instance: string;
  candidate: string;
}

export function renderDashboard(spec: DashboardSpec, panels: Json[], variables: VariableQueries): Json {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [TAG],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    timezone: 'browser',
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    links: [
      {
        title: 'Fidelity dashboards',
        type: 'dashboards',
        tags: [TAG],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
        icon: 'external link',
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
          refresh: 1,
          regex: '',
          options: [],
        },
        queryVariable('job', 'Job', variables.job),
        queryVariable('instance', 'Instance', variables.instance),
        ...(spec.candidate ? [queryVariable('candidate', 'Candidate', variables.candidate)] : []),
      ],
    },
    panels,
  };
}
