import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';
import { SHOP_MARIADB, SHOP_POSTGRES } from '../helpers/shop-engines.js';

/**
 * PostgreSQL and MariaDB as a pair (docs/cross-engine.md): the same shop in each engine's own
 * types, every kind run both ways with no per-side SQL, ignored columns or views. Identical data
 * gives no difference; one change of each sort in the candidate is reported by the kind that owns it.
 * Each server holds the shop twice: `fidelity` untouched, `changed` where the candidate's changes go.
 */

const checks: Array<Record<string, unknown>> = [
  { name: 'orders_rows', kind: 'query', database: 'shop', sql: 'SELECT * FROM orders', key: ['id'] },
  { name: 'products_rows', kind: 'query', database: 'shop', sql: 'SELECT id, sku, title, price, weight, attrs, image, kind FROM products' },
  { name: 'customers_rows', kind: 'query', database: 'shop', sql: 'SELECT * FROM customers' },
  ...['customers', 'products', 'orders', 'order_items'].map((table) => ({
    name: `${table}_table`,
    kind: 'table',
    database: 'shop',
    table,
    key: table === 'order_items' ? ['order_id', 'product_id'] : ['id'],
  })),
  { name: 'shop_schema', kind: 'schema', database: 'shop' },
  { name: 'shop_links', kind: 'integrity', database: 'shop' },
  { name: 'orders_fresh', kind: 'freshness', database: 'shop', sql: 'SELECT max(updated_at) FROM orders', max_age: '100000h' },
  {
    name: 'shop_coverage',
    kind: 'coverage',
    database: 'shop',
    table: 'orders',
    columns: ['paid', 'status', 'token', 'total', 'placed_at', 'big_ref'],
  },
  { name: 'products_coverage', kind: 'coverage', database: 'shop', table: 'products', columns: ['attrs', 'kind', 'image', 'weight'] },
  { name: 'customers_masking', kind: 'masking', database: 'shop', table: 'customers', key: ['id'], columns: ['email', 'name'] },
];

// Staging that kept production's values in columns meant to be masked: each engine hashes the
// canonical text, so a boolean, a timestamp, a uuid or a decimal copied across engines is a leak.
const copiedValues = {
  name: 'customers_copied',
  kind: 'masking',
  database: 'shop',
  table: 'customers',
  key: ['id'],
  columns: ['active', 'external_id', 'created_at'].map((name) => ({ name, masked: true, detect: false })),
};

const CHANGES = {
  postgres: [
    'UPDATE orders SET paid = NOT paid WHERE id = 101',
    "UPDATE products SET attrs = jsonb_set(attrs, '{watts}', '60') WHERE id = 10",
    'ALTER TABLE products ALTER COLUMN sku TYPE varchar(10)',
    'DROP INDEX orders_placed',
    'ALTER TABLE orders DROP CONSTRAINT orders_customer_fk',
    'ALTER TABLE customers ALTER COLUMN name DROP NOT NULL',
    'UPDATE customers SET active = true',
  ],
  mysql: [
    'UPDATE orders SET paid = NOT paid WHERE id = 101',
    "UPDATE products SET attrs = JSON_SET(attrs, '$.watts', 60) WHERE id = 10",
    'ALTER TABLE products MODIFY sku varchar(10) NOT NULL',
    'DROP INDEX orders_placed ON orders',
    'ALTER TABLE orders DROP FOREIGN KEY orders_customer_fk',
    'ALTER TABLE customers MODIFY name longtext NULL',
    'UPDATE customers SET active = 1',
  ],
};

describe('PostgreSQL and MariaDB compared both ways on the same shop', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  let pgRole: LeastPrivilegeRole;
  let mariaRole: LeastPrivilegeRole;

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()]);
    await postgres.exec('CREATE DATABASE changed', 'postgres');
    await mariadb.exec('CREATE DATABASE changed');
    for (const database of ['fidelity', 'changed']) {
      await postgres.exec(SHOP_POSTGRES, database);
      await mariadb.exec(SHOP_MARIADB, database);
    }
    await postgres.exec(CHANGES.postgres.join(';\n'), 'changed');
    for (const change of CHANGES.mysql) await mariadb.exec(change, 'changed');
    const kinds = ['query', 'table', 'schema', 'integrity', 'freshness', 'coverage', 'masking'] as const;
    pgRole = await createLeastPrivilegeRole(postgres, { databases: ['fidelity', 'changed'], kinds });
    mariaRole = await createLeastPrivilegeRole(mariadb, { databases: ['fidelity', 'changed'], kinds });
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  const directions = [
    { name: 'PostgreSQL baseline, MariaDB candidate', baseline: () => pgRole, candidate: () => mariaRole },
    { name: 'MariaDB baseline, PostgreSQL candidate', baseline: () => mariaRole, candidate: () => pgRole },
  ];

  test('a plan check across engines is refused when the configuration is loaded, with one sentence saying why', () => {
    const plan = {
      name: 'orders_plan',
      kind: 'plan',
      database: 'shop',
      queries: [{ name: 'by_customer', sql: 'SELECT * FROM orders WHERE customer_id = 1' }],
    };
    assert.throws(
      () => configWith({ production: { shop: pgRole.url('fidelity') }, staging: { shop: mariaRole.url('fidelity') } }, [plan]),
      (error: Error) => {
        assert.match(
          error.message,
          /checks\[0\]\.database: plans cannot be compared across engines: database "shop" is PostgreSQL on "production" and MySQL\/MariaDB on "staging", whose optimisers choose and name operations differently \(see docs\/cross-engine\.md\)/,
        );
        return true;
      },
    );
    // The same check between two sides of one engine loads.
    configWith({ production: { shop: pgRole.url('fidelity') }, staging: { shop: pgRole.url('changed') } }, [plan]);
  });

  for (const direction of directions) {
    const runnerFor = (candidateDatabase: string) =>
      new CheckRunner(
        configWith(
          { production: { shop: direction.baseline().url('fidelity') }, staging: { shop: direction.candidate().url(candidateDatabase) } },
          [...checks, copiedValues],
        ),
      );

    test(`${direction.name}: identical data, every kind passes with zero differences`, async () => {
      const runner = runnerFor('fidelity');
      try {
        const failures: string[] = [];
        for (const check of checks) {
          const state = await runner.run(check.name as string);
          if (state.lastRun?.success !== true) failures.push(`${String(check.name)} failed: ${state.lastRun?.error}`);
          else if (state.result?.passed !== true) failures.push(`${String(check.name)} did not pass: ${state.result?.summary}`);
        }
        assert.deepEqual(failures, []);
      } finally {
        await runner.close();
      }
    });

    test(`${direction.name}: masked columns holding the baseline's values are leaks whatever the engine's types`, async () => {
      const runner = runnerFor('fidelity');
      try {
        const state = await runner.run('customers_copied');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_masking_violations', { detector: 'leak' }), 9, state.result?.summary);
      } finally {
        await runner.close();
      }
    });

    test(`${direction.name}: each change in the candidate is reported by the kind that owns it`, async () => {
      const runner = runnerFor('changed');
      try {
        const orders = await runner.run('orders_table');
        assert.equal(seriesValue(orders, 'fidelity_table_changed_rows'), 1, orders.result?.summary);
        const ordersRows = await runner.run('orders_rows');
        assert.equal(seriesValue(ordersRows, 'fidelity_query_mismatched_rows'), 1, ordersRows.result?.summary);
        const products = await runner.run('products_table');
        assert.equal(seriesValue(products, 'fidelity_table_changed_rows'), 1, products.result?.summary);
        const productRows = await runner.run('products_rows');
        assert.equal(seriesValue(productRows, 'fidelity_query_match'), 0, productRows.result?.summary);

        const schema = await runner.run('shop_schema');
        assert.equal(schema.lastRun?.success, true, schema.lastRun?.error);
        const count = (object: string) => seriesValue(schema, 'fidelity_schema_differences', { object });
        const messages = (schema.result?.details.differences as Array<{ message: string }>).map((d) => d.message);
        assert.equal(count('type'), 1, messages.join('\n'));
        assert.equal(count('index'), 1, messages.join('\n'));
        assert.equal(count('foreign_key'), 1, messages.join('\n'));
        assert.equal(count('nullability'), 1, messages.join('\n'));
        assert.equal(messages.length, 4, messages.join('\n'));
        assert.match(messages.join('\n'), /products\.sku has type varchar\(20\) on production, varchar\(10\) on staging/);

        // Order 101 was the only unpaid one: `false` no longer occurs in the candidate's paid column.
        const coverage = await runner.run('shop_coverage');
        assert.equal(coverage.result?.passed, false, coverage.result?.summary);
        assert.equal(seriesValue(coverage, 'fidelity_data_coverage_ratio', { column: 'paid' }), 0.5, coverage.result?.summary);
        assert.equal(seriesValue(coverage, 'fidelity_data_coverage_ratio', { column: 'status' }), 1, coverage.result?.summary);
        const customers = await runner.run('customers_table');
        assert.equal(seriesValue(customers, 'fidelity_table_changed_rows'), 1, customers.result?.summary);
      } finally {
        await runner.close();
      }
    });
  }
});
