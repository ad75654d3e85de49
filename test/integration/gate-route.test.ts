// GET /gate and the score series over HTTP, from the real results store and app.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import type { CheckResult } from '../../src/checks/check.js';
import { loadConfigObject } from '../../src/runtime/load.js';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';
import { createApp } from '../../src/server/app.js';

function setup(scores: Record<string, unknown> = {}) {
  const config = loadConfigObject(
    {
      environments: {
        production: { databases: { shop: { url: 'postgres://reader:pw@127.0.0.1:1/shop' } } },
        staging: { databases: { shop: { url: 'postgres://reader:pw@127.0.0.1:1/shop' } } },
        preview: { databases: { shop: { url: 'postgres://reader:pw@127.0.0.1:1/shop' } } },
      },
      scores,
      checks: [
        { name: 'orders', kind: 'query', database: 'shop', sql: 'SELECT 1' },
        { name: 'prices', kind: 'query', database: 'shop', sql: 'SELECT 2' },
        { name: 'preview_orders', kind: 'query', database: 'shop', sql: 'SELECT 1', candidate: 'preview' },
      ],
    },
    { env: {} },
  );
  const exporter = new Exporter(config, silentLogger);
  return { exporter, app: createApp(exporter, silentLogger) };
}

const record = { startedAt: Date.now(), finishedAt: Date.now(), durationMs: 5 };
const outcome = (passed: boolean, candidate = 'staging'): CheckResult => ({
  passed,
  summary: passed ? '3 rows identical' : '1 rows differ',
  series: [],
  scores: [{ dimension: 'data', candidate, value: passed ? 1 : 0 }],
  details: { examples: [{ type: 'changed', baseline: { sku: 'A', price: '1' }, candidate: { sku: 'A', price: '2' }, columns: ['price'] }] },
});

test('/gate: inconclusive before results, pass, then fail with the failing check; per candidate', async () => {
  const { exporter, app } = setup();
  const pending = await request(app).get('/gate').expect(503).expect('Content-Type', /json/);
  assert.equal(pending.body.verdict, 'inconclusive');

  exporter.store.succeed('orders', outcome(true), record);
  exporter.store.succeed('prices', outcome(true), record);
  const staging = await request(app).get('/gate?candidate=staging').expect(200);
  assert.equal(staging.body.verdict, 'pass');
  const data = staging.body.candidates[0].dimensions.find((d: { dimension: string }) => d.dimension === 'data');
  assert.deepEqual([data.score, data.threshold, data.status], [1, 0.95, 'pass']);
  // preview has no result yet: the whole gate is inconclusive.
  assert.equal((await request(app).get('/gate').expect(503)).body.verdict, 'inconclusive');

  exporter.store.succeed('prices', outcome(false), record);
  const failed = await request(app).get('/gate?candidate=staging').expect(503);
  assert.equal(failed.body.verdict, 'fail');
  const row = failed.body.candidates[0].dimensions.find((d: { dimension: string }) => d.dimension === 'data');
  assert.equal(row.score, 0.5);
  assert.deepEqual(row.failingChecks, [{ check: 'prices', kind: 'query', status: 'fail', summary: '1 rows differ' }]);
  assert.match(failed.body.candidates[0].reasons[0], /data: score 50\.0% is below the threshold 95\.0%/);

  await request(app).get('/gate?candidate=qa').expect(404);
  await request(app).get('/gate?candidate=a&candidate=b').expect(400);
  await request(app).post('/gate').expect(405);
});

test('/gate: inconclusive_http_status 200 and inconclusive: fail are honoured', async () => {
  const lenient = setup({ inconclusive_http_status: 200 });
  assert.equal((await request(lenient.app).get('/gate').expect(200)).body.verdict, 'inconclusive');
  const strict = setup({ inconclusive: 'fail' });
  assert.equal((await request(strict.app).get('/gate').expect(503)).body.verdict, 'fail');
});

test('/metrics: scores per dimension and overall, thresholds, gate passing; none made up', async () => {
  const { exporter, app } = setup({ thresholds: { overall: 0.9 } });
  const empty = (await request(app).get('/metrics')).text;
  assert.doesNotMatch(empty, /^fidelity_score\{/m, 'no score before any result');
  assert.match(empty, /^fidelity_score_threshold\{dimension="data"\} 0\.95$/m);
  assert.match(empty, /^fidelity_score_threshold\{dimension="overall"\} 0\.9$/m);
  assert.match(empty, /^fidelity_gate_passing\{candidate="staging"\} 0$/m);
  assert.match(empty, /^fidelity_gate_inconclusive\{candidate="staging"\} 1$/m);

  exporter.store.succeed('orders', outcome(true), record);
  exporter.store.succeed('prices', outcome(true), record);
  const passing = (await request(app).get('/metrics')).text;
  assert.match(passing, /^fidelity_score\{dimension="data",candidate="staging"\} 1$/m);
  assert.match(passing, /^fidelity_score\{dimension="overall",candidate="staging"\} 1$/m);
  assert.match(passing, /^fidelity_gate_passing\{candidate="staging"\} 1$/m);
  assert.doesNotMatch(passing, /fidelity_score\{dimension="config"/, 'a dimension without results has no series');

  exporter.store.fail('prices', 'connect', 'connection refused', record);
  const errored = (await request(app).get('/metrics')).text;
  assert.match(errored, /^fidelity_gate_passing\{candidate="staging"\} 0$/m);
  assert.match(errored, /^fidelity_gate_inconclusive\{candidate="staging"\} 1$/m);
});

test('report and results: gate, failing check differences, what changed since the previous sample', async () => {
  const { exporter, app } = setup();
  exporter.store.succeed('orders', outcome(true), record);
  exporter.store.succeed('prices', outcome(true), record);
  exporter.recordScores(Date.now() - 60_000);
  exporter.store.succeed('prices', outcome(false), record);
  exporter.recordScores();
  const results = await request(app).get('/api/v1/results').expect(200);
  const prices = results.body.checks.find((c: { name: string }) => c.name === 'prices');
  assert.deepEqual(prices.changes, ['verdict: faithful → drift', 'summary: 3 rows identical → 1 rows differ', 'data score: 1.000 → 0.000']);
  assert.equal(results.body.gate.verdict, 'fail');
  const html = (await request(app).get('/').expect(200)).text;
  assert.match(html, /id="failing-prices"/);
  assert.match(html, /verdict: faithful → drift/);
  assert.match(html, /<svg class="chart"/);
  assert.doesNotMatch(html, /<script/i);
});
