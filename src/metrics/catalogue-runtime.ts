/** A metric of the exporter's own process and runtime, served by prom-client (metrics/runtime.ts). */
export interface RuntimeMetricSpec {
  type: 'gauge' | 'counter' | 'histogram';
  /** prom-client's HELP text, word for word (a test compares it with what /metrics serves). */
  help: string;
  labels: readonly string[];
  group: 'process';
  /** Added in docs/metrics.md only. */
  note?: string;
}

function runtime<const L extends readonly string[]>(type: RuntimeMetricSpec['type'], labels: L, help: string, note?: string) {
  return { group: 'process', type, labels, help, ...(note ? { note } : {}) } as const;
}

const LINUX = 'Linux only (read from /proc).';
const LAG = 'Since the previous scrape.';

/** The exporter process itself: prom-client's default metrics, read at scrape time. */
export const runtimeCatalogue = {
  process_cpu_user_seconds_total: runtime('counter', [], 'Total user CPU time spent in seconds.'),
  process_cpu_system_seconds_total: runtime('counter', [], 'Total system CPU time spent in seconds.'),
  process_cpu_seconds_total: runtime('counter', [], 'Total user and system CPU time spent in seconds.'),
  process_start_time_seconds: runtime('gauge', [], 'Start time of the process since unix epoch in seconds.'),
  process_resident_memory_bytes: runtime('gauge', [], 'Resident memory size in bytes.'),
  process_virtual_memory_bytes: runtime('gauge', [], 'Virtual memory size in bytes.', LINUX),
  process_heap_bytes: runtime('gauge', [], 'Process heap size in bytes.', LINUX),
  process_open_fds: runtime('gauge', [], 'Number of open file descriptors.', LINUX),
  process_max_fds: runtime('gauge', [], 'Maximum number of open file descriptors.', LINUX),
  nodejs_eventloop_lag_seconds: runtime(
    'gauge',
    [],
    'Lag of event loop in seconds.',
    'Measured from each scrape and served at the next one.',
  ),
  nodejs_eventloop_lag_min_seconds: runtime('gauge', [], 'The minimum recorded event loop delay.', LAG),
  nodejs_eventloop_lag_max_seconds: runtime('gauge', [], 'The maximum recorded event loop delay.', LAG),
  nodejs_eventloop_lag_mean_seconds: runtime('gauge', [], 'The mean of the recorded event loop delays.', LAG),
  nodejs_eventloop_lag_stddev_seconds: runtime('gauge', [], 'The standard deviation of the recorded event loop delays.', LAG),
  nodejs_eventloop_lag_p50_seconds: runtime('gauge', [], 'The 50th percentile of the recorded event loop delays.', LAG),
  nodejs_eventloop_lag_p90_seconds: runtime('gauge', [], 'The 90th percentile of the recorded event loop delays.', LAG),
  nodejs_eventloop_lag_p99_seconds: runtime('gauge', [], 'The 99th percentile of the recorded event loop delays.', LAG),
  nodejs_active_resources: runtime(
    'gauge',
    ['type'],
    'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
  ),
  nodejs_active_handles: runtime(
    'gauge',
    ['type'],
    'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
  ),
  nodejs_active_requests: runtime(
    'gauge',
    ['type'],
    'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
  ),
  nodejs_heap_size_total_bytes: runtime('gauge', [], 'Process heap size from Node.js in bytes.'),
  nodejs_heap_size_used_bytes: runtime('gauge', [], 'Process heap size used from Node.js in bytes.'),
  nodejs_heap_used_after_gc_bytes: runtime(
    'gauge',
    [],
    'V8 heap used right after the last major garbage collection, in bytes (0 before the first).',
    'The live set without garbage: its slope over hours shows a leak. Served by the exporter, not prom-client.',
  ),
  nodejs_external_memory_bytes: runtime('gauge', [], 'Node.js external memory size in bytes.'),
  nodejs_heap_space_size_total_bytes: runtime('gauge', ['space'], 'Process heap space size total from Node.js in bytes.'),
  nodejs_heap_space_size_used_bytes: runtime('gauge', ['space'], 'Process heap space size used from Node.js in bytes.'),
  nodejs_heap_space_size_available_bytes: runtime('gauge', ['space'], 'Process heap space size available from Node.js in bytes.'),
  nodejs_version_info: runtime('gauge', ['version', 'major', 'minor', 'patch'], 'Node.js version info.'),
  nodejs_gc_duration_seconds: runtime(
    'histogram',
    ['kind'],
    'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
  ),
} as const satisfies Record<string, RuntimeMetricSpec>;
