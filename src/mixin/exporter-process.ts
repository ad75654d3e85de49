import type { MixinConfig } from './config.js';
import { lowerIsBetter, ts, type RowSpec } from './grafana.js';
import { metric as M } from './metrics.js';
import type { AlertRule } from './rules.js';

/**
 * The exporter process itself (prom-client's default metrics): a row of the health dashboard and
 * the alerts that warn before the exporter runs out of memory or file descriptors or stalls.
 */

/** Memory growth is judged over this window, and only once the process has run that long. */
const MEMORY_WINDOW_SECONDS = 6 * 3600;
/** How far ahead the memory trend is extrapolated. */
const MEMORY_HORIZON_SECONDS = 24 * 3600;
const BY = 'job, instance';

export function exporterProcessRow(config: MixinConfig): RowSpec {
  return {
    row: 'Exporter process',
    panels: [
      ts(
        'Memory',
        'Resident memory of the exporter process, and the V8 heap (used and total) and external memory (buffers) within it. A steady climb across hours is a leak (FidelityExporterMemoryGrowing).',
        [
          { expr: (s) => s.m(M.processResidentMemory), legend: 'resident {{instance}}' },
          { expr: (s) => s.m(M.nodejsHeapUsed), legend: 'heap used {{instance}}' },
          { expr: (s) => s.m(M.nodejsHeapTotal), legend: 'heap total {{instance}}' },
          { expr: (s) => s.m(M.nodejsExternalMemory), legend: 'external {{instance}}' },
        ],
        { unit: 'bytes' },
      ),
      ts(
        'File descriptors',
        'Open file descriptors (sockets to databases and targets, files) against the limit of the process (dashed).',
        [
          { expr: (s) => s.m(M.processOpenFds), legend: 'open {{instance}}' },
          { expr: (s) => s.m(M.processMaxFds), legend: 'limit {{instance}}' },
        ],
        { dashed: '^limit .*' },
      ),
      ts(
        'CPU',
        'CPU time used per second, user and system (1 = one core busy).',
        [{ expr: (s) => `rate(${s.raw(M.processCpuSeconds)}[$__rate_interval])`, legend: '{{instance}}' }],
        { unit: 'percentunit' },
      ),
      ts(
        'Event-loop lag',
        'Delay of the event loop between two scrapes (median, 99th percentile, maximum). A busy loop delays scrapes, timers and sample deadlines.',
        [
          { expr: (s) => s.m(M.eventLoopLagP50), legend: 'p50 {{instance}}' },
          { expr: (s) => s.m(M.eventLoopLagP99), legend: 'p99 {{instance}}' },
          { expr: (s) => s.m(M.eventLoopLagMax), legend: 'max {{instance}}' },
        ],
        { unit: 's', thresholds: lowerIsBetter(config.exporterEventLoopLagMaxSeconds) },
      ),
    ],
  };
}

export function exporterProcessAlerts(config: MixinConfig): AlertRule[] {
  const factor = config.exporterMemoryGrowthFactor;
  const fdRatio = config.exporterFdUseMaxRatio;
  const lag = config.exporterEventLoopLagMaxSeconds;
  return [
    {
      alert: 'FidelityExporterMemoryGrowing',
      severity: 'warning',
      forSeconds: 3600,
      // Only after the process has run for the whole window, so the warm-up after a start is no trend.
      expr: (s) =>
        `predict_linear(${s.raw(M.processResidentMemory)}[${s.d(MEMORY_WINDOW_SECONDS)}], ${MEMORY_HORIZON_SECONDS}) > ${factor} * ${s.m(M.processResidentMemory)}` +
        ` and on (${BY}) (time() - ${s.m(M.processStartTime)}) > ${MEMORY_WINDOW_SECONDS}`,
      summary: 'The fidelity exporter {{ $labels.instance }} keeps growing in memory.',
      description: `The resident memory of the exporter grew steadily over the last 6 hours; at that rate it will be {{ $value | humanize1024 }}B in a day, more than ${factor} times what it is now. It will reach its memory limit and restart, losing its cached results.`,
      fires: {
        // Started at 0; from 80 MB, 200 kB more every minute for 8 hours.
        series: [
          { metric: M.processResidentMemory, values: '80000000+200000x480' },
          { metric: M.processStartTime, values: '0x480' },
        ],
        at: 430,
        expect: [
          {
            labels: {},
            summary: 'The fidelity exporter fidelity-exporter:9847 keeps growing in memory.',
            description: `The resident memory of the exporter grew steadily over the last 6 hours; at that rate it will be 433MiB in a day, more than ${factor} times what it is now. It will reach its memory limit and restart, losing its cached results.`,
          },
        ],
      },
      quiet: {
        // The warm-up after a start, then flat.
        series: [
          { metric: M.processResidentMemory, values: '60000000 90000000 120000000 150000000x480' },
          { metric: M.processStartTime, values: '0x480' },
        ],
        at: 430,
        expect: [],
      },
      more: [
        {
          // Growing just as fast, but restarted 3 hours ago: not yet judged.
          series: [
            { metric: M.processResidentMemory, values: '80000000+200000x480' },
            { metric: M.processStartTime, values: '15000x480' },
          ],
          at: 430,
          expect: [],
        },
      ],
    },
    {
      alert: 'FidelityExporterFileDescriptorsNearLimit',
      severity: 'warning',
      forSeconds: 600,
      expr: (s) => `${s.m(M.processOpenFds)} / ${s.m(M.processMaxFds)} > ${fdRatio}`,
      summary: 'The fidelity exporter {{ $labels.instance }} is close to its file descriptor limit.',
      description:
        'The exporter uses {{ $value | humanizePercentage }} of its file descriptor limit. When it runs out, connections to databases and targets fail and checks report connect errors.',
      fires: {
        series: [
          { metric: M.processOpenFds, values: '100 900x20' },
          { metric: M.processMaxFds, values: '1000x20' },
        ],
        at: 15,
        expect: [
          {
            labels: {},
            summary: 'The fidelity exporter fidelity-exporter:9847 is close to its file descriptor limit.',
            description:
              'The exporter uses 90% of its file descriptor limit. When it runs out, connections to databases and targets fail and checks report connect errors.',
          },
        ],
      },
      quiet: {
        series: [
          { metric: M.processOpenFds, values: '100 300x20' },
          { metric: M.processMaxFds, values: '1000x20' },
        ],
        at: 15,
        expect: [],
      },
    },
    {
      alert: 'FidelityExporterEventLoopLag',
      severity: 'warning',
      forSeconds: 900,
      expr: (s) => `${s.m(M.eventLoopLagP99)} > ${lag}`,
      summary: 'The event loop of the fidelity exporter {{ $labels.instance }} is stalling.',
      description:
        "The 99th percentile of the exporter's event-loop delay has been {{ $value | humanizeDuration }} for 15 minutes. Scrapes slow down or time out, and samples overrun their deadlines.",
      fires: {
        series: [{ metric: M.eventLoopLagP99, values: '0.01 0.8x30' }],
        at: 20,
        expect: [
          {
            labels: {},
            summary: 'The event loop of the fidelity exporter fidelity-exporter:9847 is stalling.',
            description:
              "The 99th percentile of the exporter's event-loop delay has been 800ms for 15 minutes. Scrapes slow down or time out, and samples overrun their deadlines.",
          },
        ],
      },
      quiet: {
        // A few slow minutes (a large table sample) pass.
        series: [{ metric: M.eventLoopLagP99, values: '0.01x5 1.5 1.5 1.5 0.01x20' }],
        at: 20,
        expect: [],
      },
    },
  ];
}
