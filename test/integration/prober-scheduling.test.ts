import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import { httpClient } from '../../src/connectors/http.js';
import { startShopApp, type RunningApp } from '../../src/demo/shop-app.js';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';

/** `prober.scheduling`: the HTTP prober thread under SCHED_FIFO, read back from the kernel. */

/** Scheduling policy (0 normal, 1 FIFO) and real-time priority of a thread of this process, from /proc. */
function threadScheduling(thread: number): { policy: number; priority: number } {
  const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces: field 3 (state) is index 0.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { policy: Number(fields[41 - 3]), priority: Number(fields[40 - 3]) };
}

/** Whether this process may set real-time policies (CAP_SYS_NICE, bit 23 of the effective set). */
function canSetRealtime(): boolean {
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return ((BigInt(`0x${effective}`) >> 23n) & 1n) === 1n;
}

function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('prober scheduling', () => {
  let app: RunningApp;
  const config = (prober: Record<string, unknown>) =>
    loadConfigObject(
      {
        environments: {
          production: { http: { base_url: app.url, rate_limit: 0 } },
          staging: { http: { base_url: app.url, rate_limit: 0 } },
        },
        defaults: { every: '1h', timeout: '30s', start_spread: '0s' },
        prober,
        checks: [{ name: 'browse', kind: 'flow', iterations: 2, steps: [{ name: 'search', path: '/api/products', query: { q: 'e' } }] }],
      },
      { env: {} },
    );

  before(async () => {
    app = await startShopApp({ name: 'shop', delayMs: 1 });
  });
  after(() => app.stop());

  test('realtime runs the prober thread under SCHED_FIFO at the configured priority; flows run under it; normal puts it back', async () => {
    const exporter = new Exporter(config({ scheduling: 'realtime', realtime_priority: 7 }), silentLogger);
    try {
      await exporter.proberScheduling;
      const status = httpClient().schedulingState;
      assert.ok(status.thread !== null, 'the worker reports its thread id');
      if (canSetRealtime()) {
        assert.equal(status.realtime, true, status.message);
        assert.deepEqual(threadScheduling(status.thread), { policy: 1, priority: 7 });
        assert.equal(metricValue(await exporter.collector.render(), 'fidelity_prober_realtime'), 1);
      } else {
        // Without the capability the exporter says why and goes on under normal scheduling.
        assert.equal(status.realtime, false);
        assert.match(status.message, /CAP_SYS_NICE/);
        assert.equal(threadScheduling(status.thread).policy, 0);
        assert.equal(metricValue(await exporter.collector.render(), 'fidelity_prober_realtime'), 0);
      }

      exporter.start();
      await exporter.idle();
      const state = exporter.store.get('browse');
      assert.equal(state?.lastRun?.error, undefined);
      assert.equal(state?.result?.passed, true, state?.result?.summary);

      await exporter.applyConfig(config({ scheduling: 'normal' }));
      await exporter.proberScheduling;
      assert.equal(httpClient().schedulingState.realtime, false);
      assert.deepEqual(threadScheduling(status.thread), { policy: 0, priority: 0 });
      assert.equal(metricValue(await exporter.collector.render(), 'fidelity_prober_realtime'), 0);
    } finally {
      await exporter.stop();
      await httpClient().close();
    }
  });

  test('the priority is checked at load time', () => {
    assert.throws(() => config({ scheduling: 'realtime', realtime_priority: 100 }), /prober\.realtime_priority/);
    assert.throws(() => config({ scheduling: 'fast' }), /prober\.scheduling/);
  });
});
