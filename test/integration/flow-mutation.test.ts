import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import { startShopApp, type RunningApp } from '../../src/demo/shop-app.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';
import { CheckRunner, seriesValue } from '../helpers/harness.js';

/**
 * A checkout step whose data mutation is verified with a read-only query on each side's real
 * PostgreSQL database: staging's app writes the wrong quantity, and the flow reports it.
 */
describe('flow check: data mutation verification', () => {
  let database: DatabaseServer;
  let production: RunningApp;
  let staging: RunningApp;
  let runner: CheckRunner;

  before(async () => {
    database = await startPostgres();
    await database.exec('CREATE DATABASE shop_production');
    await database.exec('CREATE DATABASE shop_staging');
    const table =
      'CREATE TABLE orders (external_id text PRIMARY KEY, sku text NOT NULL, quantity int NOT NULL, total numeric(10,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())';
    await database.exec(table, 'shop_production');
    await database.exec(table, 'shop_staging');
    const writer = (db: string, drift: number) => async (order: { id: string; sku: string; quantity: number; total: number }) => {
      await database.query(
        'INSERT INTO orders (external_id, sku, quantity, total) VALUES ($1, $2, $3, $4)',
        [order.id, order.sku, order.quantity + drift, order.total],
        db,
      );
    };
    production = await startShopApp({ name: 'prod', onOrder: writer('shop_production', 0) });
    staging = await startShopApp({ name: 'stg', onOrder: writer('shop_staging', 1) });
    // The exporter's verify queries read with the documented least-privilege role; the apps write as the owner.
    const reader = await createLeastPrivilegeRole(database, { databases: ['shop_production', 'shop_staging'], kinds: ['flow'] });
    const side = (app: RunningApp, db: string) => ({
      http: { base_url: app.url, allow_writes: true, rate_limit: 0 },
      databases: { shop: { url: reader.url(db) } },
    });
    runner = new CheckRunner(
      loadConfigObject(
        {
          environments: { production: side(production, 'shop_production'), staging: side(staging, 'shop_staging') },
          defaults: { every: '1h', timeout: '30s' },
          checks: [
            {
              name: 'checkout',
              kind: 'flow',
              iterations: 2,
              steps: [
                {
                  name: 'login',
                  method: 'POST',
                  path: '/api/login',
                  json: { user: 'ada', password: 'secret' },
                  extract: { token: { json: '$.token' } },
                },
                {
                  name: 'checkout',
                  method: 'POST',
                  path: '/api/checkout',
                  headers: { Authorization: 'Bearer {{token}}' },
                  json: { sku: 'SKU-1', quantity: 2 },
                  extract: { order: { json: '$.order_id' } },
                  verify: {
                    database: 'shop',
                    sql: 'SELECT sku, quantity, total, created_at FROM orders WHERE external_id = $1',
                    params: ['{{order}}'],
                    ignore_columns: ['created_at'],
                  },
                },
              ],
            },
          ],
        },
        { env: {} },
      ),
    );
  });
  after(async () => {
    await runner?.close();
    await Promise.all([production?.stop(), staging?.stop()]);
    await database?.destroy();
  });

  test('the rows written on each side are read back read-only and compared', async () => {
    const state = await runner.run('checkout');
    const result = state.result;
    assert.ok(result, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
    assert.equal(seriesValue(state, 'fidelity_flow_mutation_parity_ratio'), 0);
    assert.equal(seriesValue(state, 'fidelity_flow_status_parity_ratio'), 1);
    assert.equal(result.passed, false);
    assert.match(result.summary, /data mutation differs in 2 of 2 checks/);
    const details = result.details as { steps: { name: string; mutation?: Record<string, { rows: string[]; columns: string[] }> }[] };
    const mutation = details.steps.find((step) => step.name === 'checkout')?.mutation;
    assert.deepEqual(mutation?.production?.columns, ['sku', 'quantity', 'total']);
    assert.deepEqual(mutation?.production?.rows, ['["SKU-1","2","19"]']);
    assert.deepEqual(mutation?.staging?.rows, ['["SKU-1","3","19"]']);
    // The check wrote nothing itself: only the apps' own inserts are there.
    const counts = await database.query<{ n: string }>('SELECT count(*)::text AS n FROM orders', [], 'shop_production');
    assert.equal(counts[0]?.n, '3', 'two iterations plus the noise run, each one checkout');
  });

  test('a verify query that writes is refused at load', () => {
    assert.throws(
      () =>
        loadConfigObject(
          {
            environments: {
              production: {
                http: { base_url: production.url, allow_writes: true },
                databases: { shop: { url: database.url('shop_production') } },
              },
            },
            checks: [
              {
                name: 'c',
                kind: 'flow',
                baseline: 'production',
                candidate: 'production',
                steps: [{ name: 's', path: '/', verify: { database: 'shop', sql: 'DELETE FROM orders' } }],
              },
            ],
          },
          { env: {} },
        ),
      /checks\[0\]\.steps\[0\]\.verify\.sql: /,
    );
  });
});
