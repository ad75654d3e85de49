import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';

/** The query kind against real servers: two PostgreSQL, two MariaDB, and across engines. */

const ORDERS_PG = `
CREATE TABLE orders (
  id bigint PRIMARY KEY, customer text, total numeric(12,2), ratio double precision,
  created_at timestamptz, note text, big bigint
);
INSERT INTO orders VALUES
  (1, 'Zoë Ørsted', 10.50, 0.25, '2026-03-01 10:00:00.123456+00', NULL, 9223372036854775807),
  (2, '東京 🚀', 20.00, 0.5, '2026-03-01 11:30:00+02', '', -9223372036854775808),
  (3, 'plain', 0.01, 1e-7, '2026-03-02 00:00:00+00', 'n', 0);
`;

const ORDERS_MARIADB = `
CREATE TABLE orders (
  id bigint PRIMARY KEY, customer text CHARACTER SET utf8mb4, total decimal(14,4), ratio double,
  created_at datetime(6), note text, big bigint
);
INSERT INTO orders VALUES
  (1, 'Zoë Ørsted', 10.5, 0.25, '2026-03-01 10:00:00.123456', NULL, 9223372036854775807),
  (2, '東京 🚀', 20, 0.5, '2026-03-01 09:30:00', '', -9223372036854775808),
  (3, 'plain', 0.0100, 1e-7, '2026-03-02 00:00:00', 'n', 0);
`;

const SQL = 'SELECT id, customer, total, ratio, created_at, note, big FROM orders';

describe('query checks on real servers', () => {
  let pgProduction: DatabaseServer;
  let pgStaging: DatabaseServer;
  let mariaProduction: DatabaseServer;
  let mariaStaging: DatabaseServer;
  const readerUrls = new Map<DatabaseServer, string>();

  before(async () => {
    [pgProduction, pgStaging, mariaProduction, mariaStaging] = await Promise.all([
      startPostgres(),
      startPostgres(),
      startMariaDb(),
      startMariaDb(),
    ]);
    await Promise.all([
      pgProduction.exec(ORDERS_PG),
      pgStaging.exec(ORDERS_PG),
      mariaProduction.exec(ORDERS_MARIADB),
      mariaStaging.exec(ORDERS_MARIADB),
    ]);
    // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
    for (const server of [pgProduction, pgStaging, mariaProduction, mariaStaging]) {
      const role = await createLeastPrivilegeRole(server, { databases: ['fidelity'], kinds: ['query'] });
      readerUrls.set(server, role.url());
    }
  });
  after(async () => {
    await Promise.all([pgProduction, pgStaging, mariaProduction, mariaStaging].map((server) => server?.destroy()));
  });

  const pair = (production: DatabaseServer, staging: DatabaseServer, check: Record<string, unknown> = {}) =>
    new CheckRunner(
      configWith({ production: { shop: readerUrls.get(production) as string }, staging: { shop: readerUrls.get(staging) as string } }, [
        { name: 'orders', kind: 'query', database: 'shop', sql: SQL, ...check },
      ]),
    );

  for (const [engine, production, staging] of [
    ['PostgreSQL', () => pgProduction, () => pgStaging],
    ['MariaDB', () => mariaProduction, () => mariaStaging],
  ] as const) {
    test(`${engine}: identical data matches; one changed row gives match 0 and 1 mismatched row at the next sample`, async () => {
      const runner = pair(production(), staging());
      try {
        let state = await runner.run('orders');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_query_match'), 1);
        assert.equal(seriesValue(state, 'fidelity_query_rows', { side: 'production' }), 3);
        assert.equal(seriesValue(state, 'fidelity_query_rows', { side: 'staging' }), 3);
        assert.equal(seriesValue(state, 'fidelity_query_mismatched_rows'), 0);

        await staging().exec('UPDATE orders SET total = 11.50 WHERE id = 1');
        state = await runner.run('orders');
        assert.equal(seriesValue(state, 'fidelity_query_match'), 0);
        assert.equal(seriesValue(state, 'fidelity_query_mismatched_rows'), 1);
        const examples = state.result?.details.examples as Array<{ type: string; columns?: string[] }>;
        assert.deepEqual(
          examples.map((e) => [e.type, e.columns]),
          [['changed', ['total']]],
        );
        assert.deepEqual(state.result?.scores, [{ dimension: 'data', candidate: 'staging', value: 0 }]);
      } finally {
        await staging().exec('UPDATE orders SET total = 10.50 WHERE id = 1');
        await runner.close();
      }
    });
  }

  test('PostgreSQL vs MariaDB: numerics, NULLs, timestamps, unicode and bigint compare equal', async () => {
    const runner = pair(pgProduction, mariaStaging);
    try {
      const state = await runner.run('orders');
      assert.equal(state.lastRun?.success, true, state.lastRun?.error);
      assert.deepEqual(state.result?.details.examples, []);
      assert.equal(seriesValue(state, 'fidelity_query_match'), 1);
    } finally {
      await runner.close();
    }
  });

  test('PostgreSQL vs MariaDB: a NULL against an empty string and a microsecond are differences', async () => {
    await mariaStaging.exec(
      "UPDATE orders SET note = NULL WHERE id = 2; UPDATE orders SET created_at = '2026-03-02 00:00:00.000001' WHERE id = 3",
    );
    const runner = pair(pgProduction, mariaStaging, { key: ['id'] });
    try {
      const state = await runner.run('orders');
      assert.equal(seriesValue(state, 'fidelity_query_match'), 0);
      assert.equal(seriesValue(state, 'fidelity_query_mismatched_rows'), 2);
      const changed = (state.result?.details.examples as Array<{ baseline: { id: string }; columns: string[] }>).map((e) => [
        e.baseline.id,
        e.columns,
      ]);
      assert.deepEqual(changed.sort(), [
        ['2', ['note']],
        ['3', ['created_at']],
      ]);
    } finally {
      await mariaStaging.exec(
        "UPDATE orders SET note = '' WHERE id = 2; UPDATE orders SET created_at = '2026-03-02 00:00:00' WHERE id = 3",
      );
      await runner.close();
    }
  });

  test('PostgreSQL vs MariaDB by key: missing, extra and changed rows with examples; ignored columns; ordered and multiset', async () => {
    await mariaStaging.exec(
      "DELETE FROM orders WHERE id = 3; INSERT INTO orders VALUES (4, 'new', 1, 1, '2026-03-03 00:00:00', 'x', 1); UPDATE orders SET customer = 'changed', note = 'ignored' WHERE id = 1",
    );
    const keyed = pair(pgProduction, mariaStaging, { key: ['id'], ignore_columns: ['note'] });
    const ordered = pair(pgProduction, mariaStaging, { sql: `${SQL} ORDER BY id`, ordered: true });
    try {
      const state = await keyed.run('orders');
      assert.equal(state.lastRun?.success, true, state.lastRun?.error);
      const examples = state.result?.details.examples as Array<{ type: string; columns?: string[] }>;
      assert.deepEqual(
        examples.map((e) => [e.type, e.columns]),
        [
          ['changed', ['customer']],
          ['missing', undefined],
          ['extra', undefined],
        ],
      );
      assert.equal(seriesValue(state, 'fidelity_query_mismatched_rows'), 3);
      const inOrder = await ordered.run('orders');
      assert.equal(inOrder.lastRun?.success, true, inOrder.lastRun?.error);
      // Row 1 changed (customer and note), row 3 is row 4 now: two changed rows, in order.
      assert.deepEqual(
        [inOrder.result?.details.changedRows, inOrder.result?.details.missingRows, inOrder.result?.details.extraRows],
        [2, 0, 0],
      );
    } finally {
      await mariaStaging.exec(
        "DELETE FROM orders WHERE id = 4; INSERT INTO orders VALUES (3, 'plain', 0.0100, 1e-7, '2026-03-02 00:00:00', 'n', 0); UPDATE orders SET customer = 'Zoë Ørsted', note = NULL WHERE id = 1",
      );
      await keyed.close();
      await ordered.close();
    }
  });

  test('a result larger than max_rows fails the sample with reason limit, on both engines', async () => {
    for (const [production, staging] of [
      [pgProduction, pgStaging],
      [mariaProduction, mariaStaging],
    ] as const) {
      const runner = pair(production, staging, { max_rows: 2 });
      try {
        const state = await runner.run('orders');
        assert.equal(state.lastRun?.success, false);
        assert.equal(state.lastRun?.reason, 'limit');
        assert.equal(state.result, undefined, 'no comparison result is kept for a failed sample');
      } finally {
        await runner.close();
      }
    }
  });

  test('a per-side SQL override and tolerances', async () => {
    await pgStaging.exec('CREATE TABLE orders_v2 AS SELECT * FROM orders; UPDATE orders_v2 SET total = total + 0.004');
    const runner = pair(pgProduction, pgStaging, {
      sql_per_side: { staging: SQL.replace('FROM orders', 'FROM orders_v2') },
      column_tolerance: { total: { absolute: 0.01 } },
    });
    try {
      const state = await runner.run('orders');
      assert.equal(state.lastRun?.success, true, state.lastRun?.error);
      assert.equal(seriesValue(state, 'fidelity_query_match'), 1);
    } finally {
      await runner.close();
    }
  });
});
