/**
 * Every metric the exporter serves: name, type, help and labels, in one place. The collector,
 * docs/metrics.md, the dashboards and the alert rules are all checked against this list. The
 * process and Node.js runtime metrics prom-client serves are listed at the end (runtimeCatalogue).
 */

import { behaviorMetrics } from './catalogue-behavior.js';
import { dataMetrics } from './catalogue-data.js';
import { healthMetrics } from './catalogue-health.js';
import { runtimeCatalogue, type RuntimeMetricSpec } from './catalogue-runtime.js';
import type { MetricSpec } from './catalogue-spec.js';

export type { MetricSpec } from './catalogue-spec.js';
export { runtimeCatalogue, type RuntimeMetricSpec } from './catalogue-runtime.js';

export const catalogue = { ...healthMetrics, ...dataMetrics, ...behaviorMetrics } as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof catalogue;

/** Every metric /metrics serves: the exporter's own and its process's. */
export const servedMetrics: Record<string, MetricSpec | RuntimeMetricSpec> = { ...catalogue, ...runtimeCatalogue };
export type LabelsOf<N extends MetricName> = Record<(typeof catalogue)[N]['labels'][number], string>;

/** One value of a catalogued metric, produced by a check's result and rendered at scrape time. */
export interface MetricSample {
  metric: MetricName;
  labels: Record<string, string>;
  value: number;
}

export function sample<N extends MetricName>(metric: N, labels: LabelsOf<N>, value: number): MetricSample {
  return { metric, labels, value };
}
