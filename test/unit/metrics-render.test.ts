// /metrics served from a render made when the results store changes: a scrape sees each sample
// whole (never half of one), the body is current after every change, and gzip is correct.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';
import { createApp } from '../../src/server/app.js';
import { sample } from '../../src/metrics/catalogue.js';
import type { CheckResult } from '../../src/checks/check.js';
import { requireBinary } from '../helpers/binaries.js';
import { configWith } from '../helpers/harness.js';
import { parseMetrics } from '../helpers/process.js';

const CHECKS = ['orders', 'payments', 'refunds'].map((name) => ({ name, kind: 'query', database: 'shop', sql: 'SELECT 1', key: ['id'] }));

function exporter(): Exporter {
  return new Exporter(
    configWith({ production: { shop: 'postgres://u@127.0.0.1:1/db' }, staging: { shop: 'postgres://u@127.0.0.1:1/db' } }, CHECKS),
    silentLogger,
  );
}

/** Sample number `n` of a check: every series of it carries `n`, so a mix shows as two values. */
function result(check: string, n: number): CheckResult {
  return {
    passed: true,
    summary: `sample ${n}`,
    series: [
      sample('fidelity_query_rows', { check, side: 'production' }, n),
      sample('fidelity_query_rows', { check, side: 'staging' }, n),
      sample('fidelity_query_mismatched_rows', { check, baseline: 'production', candidate: 'staging' }, n),
    ],
    scores: [],
    details: {},
  };
}

function land(target: Exporter, check: string, n: number): void {
  target.store.begin(check);
  target.store.succeed(check, result(check, n), { startedAt: n, finishedAt: n + 1, durationMs: 1 });
}

function valuesOf(text: string, check: string): number[] {
  return [...parseMetrics(text)]
    .filter(([series]) => series.startsWith('fidelity_query_') && series.includes(`check="${check}"`))
    .map(([, v]) => v);
}

test('a scrape during samples sees every check either before or after a sample, never a mix', async () => {
  const target = exporter();
  try {
    for (const check of ['orders', 'payments', 'refunds']) land(target, check, 0);
    const scrapes: Array<Promise<string>> = [];
    for (let n = 1; n <= 60; n += 1) {
      // Scrapes start before, between and after the samples of one round, and overlap each other.
      scrapes.push(target.collector.render());
      land(target, 'orders', n);
      scrapes.push(target.collector.render());
      land(target, 'payments', n);
      await new Promise((resolve) => setImmediate(resolve));
      scrapes.push(target.collector.render());
      land(target, 'refunds', n);
    }
    const texts = await Promise.all(scrapes);
    for (const text of texts) {
      for (const check of ['orders', 'payments', 'refunds']) {
        const values = valuesOf(text, check);
        assert.equal(values.length, 3, `${check}: every series of the sample is there`);
        assert.equal(new Set(values).size, 1, `${check}: one sample's series, not a mix: ${values.join(',')}`);
      }
    }
    const last = await target.collector.render();
    assert.deepEqual(valuesOf(last, 'refunds'), [60, 60, 60], 'a scrape after a change serves the change');
    assert.equal(parseMetrics(last).get('fidelity_check_runs_total{check="orders",kind="query",outcome="success"}'), 61);
    target.store.fail('orders', 'timeout', 'timed out', { startedAt: 1, finishedAt: 2, durationMs: 1 });
    const failed = await target.collector.render();
    assert.deepEqual(valuesOf(failed, 'orders'), [], 'a failed sample removes its series at once');
    assert.equal(parseMetrics(failed).get('fidelity_check_errors_total{check="orders",kind="query",reason="timeout"}'), 1);
    assert.equal(parseMetrics(failed).get('fidelity_check_success{check="orders",kind="query"}'), 0);
  } finally {
    await target.stop();
  }
});

async function get(port: number, headers: Record<string, string>): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('/metrics is gzip-compressed when the scraper accepts gzip, and decompresses to a clean exposition', async () => {
  const target = exporter();
  const server = createApp(target, silentLogger).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    land(target, 'orders', 7);
    const plain = await get(port, {});
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    for (let round = 0; round < 2; round += 1) {
      // The second round reuses the compressed render, with a new tail of process metrics.
      const zipped = await get(port, { 'accept-encoding': 'gzip, deflate' });
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      assert.equal(zipped.headers.vary, 'Accept-Encoding');
      const text = gunzipSync(zipped.body).toString('utf8');
      const own = (body: string) => body.split('\n').filter((line) => line.startsWith('fidelity_') || line.startsWith('# HELP fidelity_'));
      assert.deepEqual(own(text), own(plain.body.toString('utf8')), 'the same fidelity series as without gzip');
      assert.deepEqual(valuesOf(text, 'orders'), [7, 7, 7]);
      assert.ok(text.includes('\nprocess_cpu_seconds_total '), 'the process metrics follow');
      const promtool = requireBinary('promtool', 'prometheus', ['/usr/bin/promtool']);
      const lint = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    }
    const refused = await get(port, { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined, 'gzip;q=0 is a refusal');
    land(target, 'orders', 8);
    const after = gunzipSync((await get(port, { 'accept-encoding': 'gzip' })).body).toString('utf8');
    assert.deepEqual(valuesOf(after, 'orders'), [8, 8, 8], 'a new render after a change, compressed again');
  } finally {
    server.close();
    await target.stop();
  }
});
