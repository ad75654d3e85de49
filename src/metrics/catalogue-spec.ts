/** The shape of a catalogued metric, shared by the catalogue's parts. */
export interface MetricSpec {
  type: 'gauge' | 'counter';
  help: string;
  labels: readonly string[];
  /** The group it is listed under in docs/metrics.md. */
  group: 'health' | 'scores' | 'data' | 'config' | 'behavior' | 'events';
}

export const CACHED = 'Cached: computed by the last successful sample, not at scrape time.';

export function spec<const L extends readonly string[]>(group: MetricSpec['group'], type: MetricSpec['type'], labels: L, help: string) {
  return { group, type, labels, help } as const;
}
