import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The exporter's own process and Node.js runtime (memory, file descriptors, CPU, heap, event-loop
 * lag, GC): prom-client's default metrics, listed in `runtimeCatalogue` (catalogue.ts). They are read
 * at scrape time (the event-loop lag percentiles cover the time since the previous scrape).
 */

/**
 * Gauges that end in `_total` although they are not counters (promtool check metrics rejects
 * them); each is the sum of a served per-type gauge (`sum(nodejs_active_handles)`).
 */
export const DROPPED_RUNTIME_METRICS: readonly string[] = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

let registry: Registry | undefined;

/** One registry per process, because the metrics describe the process however many exporters run in it. */
export function runtimeRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
    for (const name of DROPPED_RUNTIME_METRICS) registry.removeSingleMetric(name);
  }
  return registry;
}
