// The demo's `distribution` checks on the demo's real databases: one judged against production's own
// noise (`calibrate`) that holds, one over a query's result (`sql`) that drifts; the report shows both.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { prepareDemo } from '../../src/cli/demo.js';
import { renderReport } from '../../src/server/html.js';
import { resultsView } from '../../src/server/view.js';
import { CheckRunner } from '../helpers/harness.js';

interface ColumnDetail {
  name: string;
  drifted: boolean;
  statistics: Record<string, { distance: number; band?: number }>;
  attribution: Array<{ value?: unknown; baseline: number; candidate: number }>;
}

let demo: Awaited<ReturnType<typeof prepareDemo>>;
let runner: CheckRunner;

before(async () => {
  demo = await prepareDemo();
  const { config } = demo;
  const root = { ...config.root, defaults: { ...config.root.defaults, start_spread: 0 } };
  runner = new CheckRunner({ ...config, root, checks: config.checks.filter((check) => check.kind === 'distribution') });
});
after(async () => {
  await runner?.close();
  await demo?.stop();
});

test('demo: orders_spread holds against its calibration band, payment_spread drifts on method over a query', async () => {
  assert.deepEqual(
    runner.config.checks.map((check) => check.name),
    ['orders_spread', 'payment_spread'],
  );
  const orders = await runner.run('orders_spread');
  assert.equal(orders.lastRun?.success, true, orders.lastRun?.error);
  assert.equal(orders.result?.passed, true, orders.result?.summary);
  assert.ok(orders.result?.details.calibration, JSON.stringify(orders.result?.details));
  for (const column of (orders.result?.details.columns ?? []) as ColumnDetail[])
    assert.ok(
      Object.values(column.statistics).some((judged) => judged.band !== undefined),
      `${column.name}: no band`,
    );

  const payments = await runner.run('payment_spread');
  assert.equal(payments.lastRun?.success, true, payments.lastRun?.error);
  assert.equal(payments.result?.passed, false, payments.result?.summary);
  assert.equal(payments.result?.details.source, 'sql');
  const columns = (payments.result?.details.columns ?? []) as ColumnDetail[];
  assert.deepEqual(
    columns.filter((column) => column.drifted).map((column) => column.name),
    ['method'],
  );
  // Gift card payments became card payments: both shares named.
  const attributed = new Map(columns.find((column) => column.name === 'method')?.attribution.map((entry) => [entry.value, entry]));
  assert.equal(attributed.get('gift_card')?.candidate, 0, JSON.stringify([...attributed]));
  assert.ok((attributed.get('card')?.candidate ?? 0) > (attributed.get('card')?.baseline ?? 1), JSON.stringify([...attributed]));

  const html = renderReport(
    resultsView({ config: runner.config, store: runner.store, sides: runner.sides, startedAt: Date.now(), reload: { successful: true } }),
  );
  assert.match(html, /orders_spread/);
  assert.match(html, /payment_spread/);
  assert.match(html, /<td>method<\/td><td><strong>drifted<\/strong><\/td>/);
  assert.match(html, /gift_card: \d+\.\d % → 0\.0 %/);
});
