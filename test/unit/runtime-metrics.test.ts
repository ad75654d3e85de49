// The exporter's own process and Node.js metrics: exactly what the catalogue lists, served on
// /metrics after the fidelity series, read at each scrape, and clean for `promtool check metrics`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';
import { catalogue, runtimeCatalogue } from '../../src/metrics/catalogue.js';
import { DROPPED_RUNTIME_METRICS, runtimeRegistry } from '../../src/metrics/runtime.js';
import { requireBinary } from '../helpers/binaries.js';
import { configWith } from '../helpers/harness.js';
import { parseMetrics } from '../helpers/process.js';

async function withExporter<T>(body: (exporter: Exporter) => Promise<T>): Promise<T> {
  const exporter = new Exporter(configWith({ production: {}, staging: {} }, []), silentLogger);
  try {
    return await body(exporter);
  } finally {
    await exporter.stop();
  }
}

test('the runtime catalogue lists exactly the metrics prom-client serves: names, types, help and labels', async () => {
  const served = await runtimeRegistry().getMetricsAsJSON();
  assert.deepEqual(served.map((m) => m.name).sort(), Object.keys(runtimeCatalogue).sort());
  for (const metric of served) {
    const spec = runtimeCatalogue[metric.name as keyof typeof runtimeCatalogue];
    assert.equal(metric.type, spec.type, metric.name);
    assert.equal(metric.help, spec.help, `${metric.name}: help`);
    for (const value of metric.values) {
      for (const label of Object.keys(value.labels)) {
        assert.ok([...spec.labels, 'le'].includes(label), `${metric.name}: label ${label} is not catalogued`);
      }
    }
  }
  for (const name of Object.keys(runtimeCatalogue)) assert.ok(!Object.hasOwn(catalogue, name), `${name} is listed twice`);
  for (const name of DROPPED_RUNTIME_METRICS) assert.ok(!served.some((m) => m.name === name), `${name} is dropped`);
});

test('/metrics carries the process and Node.js metrics, read at each scrape, and promtool check metrics is clean', async () => {
  await withExporter(async (exporter) => {
    const first = parseMetrics(await exporter.collector.render());
    // Work between two scrapes: CPU time grows, and a blocked event loop shows as lag. (The delay
    // monitor, reset by each scrape, needs one tick after the reset to measure from.)
    await new Promise((resolve) => setTimeout(resolve, 50));
    const until = performance.now() + 200;
    while (performance.now() < until) Math.sqrt(Math.random());
    await new Promise((resolve) => setTimeout(resolve, 50)); // the loop's delay monitor notices the block
    const text = await exporter.collector.render();
    const second = parseMetrics(text);
    for (const name of [
      'process_resident_memory_bytes',
      'process_open_fds',
      'process_max_fds',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      assert.ok((second.get(name) ?? 0) > 0, `${name}: ${second.get(name)}`);
    }
    assert.ok(second.get('process_open_fds')! < second.get('process_max_fds')!);
    assert.ok(
      second.get('process_cpu_seconds_total')! > first.get('process_cpu_seconds_total')!,
      'CPU time read again at the second scrape',
    );
    assert.ok(
      second.get('nodejs_eventloop_lag_max_seconds')! >= 0.15,
      `a 200 ms block is seen as lag: ${second.get('nodejs_eventloop_lag_max_seconds')}`,
    );
    assert.equal(second.get('fidelity_config_last_reload_successful'), 1, 'the fidelity series are still there');
    const promtool = requireBinary('promtool', 'prometheus', ['/usr/bin/promtool']);
    const lint = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '', 'promtool has no complaint');
  });
});

test('the heap used after the last major GC is served, and follows a forced collection', async () => {
  const read = async () => parseMetrics(await runtimeRegistry().metrics()).get('nodejs_heap_used_after_gc_bytes') ?? -1;
  assert.ok((await read()) >= 0, 'served from the start');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50)); // the GC entry is delivered a tick later
  const afterGc = await read();
  assert.ok(afterGc > 1_000_000, `a live heap of some MB: ${afterGc}`);
  const heapUsed = parseMetrics(await runtimeRegistry().metrics()).get('nodejs_heap_size_used_bytes') ?? 0;
  assert.ok(afterGc <= heapUsed * 1.5, `no more than the heap in use: ${afterGc} vs ${heapUsed}`);
});
