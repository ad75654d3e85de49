import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

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
    observeHeapAfterGc(registry);
  }
  return registry;
}

/**
 * The heap used right after each major (mark-sweep-compact) GC: the live set, without the garbage
 * that makes `nodejs_heap_size_used_bytes` saw-tooth, so its slope over hours shows a leak.
 * Read when the GC entry is delivered (a tick after the collection), so a little new allocation
 * may be counted; 0 until the first major GC.
 */
function observeHeapAfterGc(register: Registry): void {
  const gauge = new Gauge({ name: 'nodejs_heap_used_after_gc_bytes', help: HEAP_AFTER_GC_HELP, registers: [register] });
  const observer = new PerformanceObserver((list) => {
    const major = list
      .getEntries()
      .some((entry) => (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (major) gauge.set(getHeapStatistics().used_heap_size);
  });
  observer.observe({ entryTypes: ['gc'] });
}

const HEAP_AFTER_GC_HELP = 'V8 heap used right after the last major garbage collection, in bytes (0 before the first).';
