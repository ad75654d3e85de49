import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';

/**
 * integrity checks on real PostgreSQL and MariaDB: production declares foreign keys, staging does
 * not. The exporter connects with the documented least-privilege role (on MariaDB a SELECT-only
 * role sees no rows of information_schema.TABLE_CONSTRAINTS).
 */

const TABLES = `
CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE products (id integer PRIMARY KEY, sku varchar(20) NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, note varchar(100));
CREATE TABLE order_items (
  id bigint PRIMARY KEY, order_id bigint NOT NULL, product_id integer, quantity integer NOT NULL
);`;

const CONSTRAINTS = [
  'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)',
  'ALTER TABLE order_items ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)',
  'ALTER TABLE order_items ADD CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id)',
];

function rows(count: number, row: (i: number) => string): string {
  return Array.from({ length: count }, (_, index) => row(index + 1)).join(', ');
}

const DATA = `
INSERT INTO customers VALUES ${rows(20, (i) => `(${i}, 'Customer ${i}')`)};
INSERT INTO products VALUES ${rows(10, (i) => `(${i}, 'SKU-${i}')`)};
INSERT INTO orders VALUES ${rows(50, (i) => `(${i}, ${1 + (i % 20)}, NULL)`)};
INSERT INTO order_items VALUES ${rows(120, (i) => `(${i}, ${1 + (i % 50)}, ${i % 9 === 0 ? 'NULL' : 1 + (i % 10)}, ${1 + (i % 3)})`)};`;

async function seed(server: DatabaseServer, database: string, withConstraints: boolean): Promise<void> {
  for (const statement of TABLES.split(';')
    .map((s) => s.trim())
    .filter(Boolean))
    await server.exec(statement, database);
  for (const statement of DATA.split(';')
    .map((s) => s.trim())
    .filter(Boolean))
    await server.exec(statement, database);
  if (withConstraints) for (const statement of CONSTRAINTS) await server.exec(statement, database);
}

interface RelationDetail {
  relation: string;
  origin: string;
  child: string;
  parent: string;
  orphanRows: number;
  danglingReferences: Array<{ references: Record<string, string | null>; rows: number }>;
}

describe('integrity checks on real servers', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  const roles = new Map<DatabaseServer, LeastPrivilegeRole>();

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres({ database: 'production' }), startMariaDb({ database: 'production' })]);
    await Promise.all([postgres.exec('CREATE DATABASE staging', 'production'), mariadb.exec('CREATE DATABASE staging')]);
    await Promise.all([
      seed(postgres, 'production', true),
      seed(postgres, 'staging', false),
      seed(mariadb, 'production', true),
      seed(mariadb, 'staging', false),
    ]);
    for (const server of [postgres, mariadb])
      roles.set(server, await createLeastPrivilegeRole(server, { databases: ['production', 'staging'], kinds: ['integrity'] }));
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  const runnerFor = (server: DatabaseServer, check: Record<string, unknown> = {}, role = roles.get(server)) =>
    new CheckRunner(
      configWith({ production: { shop: role!.url('production') }, staging: { shop: role!.url('staging') } }, [
        { name: 'shop_links', kind: 'integrity', database: 'shop', ...check },
      ]),
    );

  for (const [engine, server] of [
    ['PostgreSQL', () => postgres],
    ['MariaDB', () => mariadb],
  ] as const) {
    test(`${engine}: the baseline's foreign keys are discovered; a clean candidate without constraints has zero orphans`, async () => {
      const runner = runnerFor(server());
      try {
        const state = await runner.run('shop_links');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        const relations = state.result?.details.relations as RelationDetail[];
        assert.deepEqual(relations.map((r) => [r.relation, r.origin, r.child, r.parent]).sort(), [
          ['order_items_order_fk', 'foreign_key', 'order_items', 'orders'],
          ['order_items_product_fk', 'foreign_key', 'order_items', 'products'],
          ['orders_customer_fk', 'foreign_key', 'orders', 'customers'],
        ]);
        for (const relation of ['order_items_order_fk', 'order_items_product_fk', 'orders_customer_fk']) {
          assert.equal(seriesValue(state, 'fidelity_integrity_violations', { relation }), 0, relation);
        }
        assert.equal(state.result?.passed, true);
        assert.deepEqual(state.result?.scores, [{ dimension: 'data', candidate: 'staging', value: 1 }]);
      } finally {
        await runner.close();
      }
    });

    test(`${engine}: orphaned order items in staging are counted per relation with their dangling keys`, async () => {
      const runner = runnerFor(server());
      try {
        // Two items of a deleted order 9001, one of 9002; an item with a NULL product is not an orphan.
        await server().exec(
          'INSERT INTO order_items VALUES (1001, 9001, 1, 1), (1002, 9001, 2, 1), (1003, 9002, NULL, 1), (1004, 1, 77, 1)',
          'staging',
        );
        const state = await runner.run('shop_links');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_integrity_violations', { relation: 'order_items_order_fk' }), 3);
        assert.equal(seriesValue(state, 'fidelity_integrity_violations', { relation: 'order_items_product_fk' }), 1);
        assert.equal(seriesValue(state, 'fidelity_integrity_violations', { relation: 'orders_customer_fk' }), 0);
        const relations = state.result?.details.relations as RelationDetail[];
        const orders = relations.find((r) => r.relation === 'order_items_order_fk');
        assert.deepEqual(orders?.danglingReferences, [
          { references: { order_id: '9001' }, rows: 2 },
          { references: { order_id: '9002' }, rows: 1 },
        ]);
        assert.equal(state.result?.passed, false);
        assert.equal(state.result?.details.orphanRows, 4);
        assert.deepEqual(state.result?.scores, [{ dimension: 'data', candidate: 'staging', value: 1 / 3 }]);
        assert.match(state.result?.summary ?? '', /4 orphan rows in 2 of 3 relations/);
      } finally {
        await server().exec('DELETE FROM order_items WHERE id > 1000', 'staging');
        await runner.close();
      }
    });

    test(`${engine}: configured relations (composite-capable, named) without discovery`, async () => {
      const runner = runnerFor(server(), {
        relations: [{ name: 'order_customer', child: 'orders', columns: ['customer_id'], parent: 'customers', parent_columns: ['id'] }],
      });
      try {
        await server().exec('DELETE FROM customers WHERE id = 5', 'staging');
        const state = await runner.run('shop_links');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.deepEqual(
          state.result?.series.map((s) => [s.labels.relation, s.value]),
          [['order_customer', 3]],
        );
      } finally {
        await server().exec("INSERT INTO customers VALUES (5, 'Customer 5')", 'staging');
        await runner.close();
      }
    });

    test(`${engine}: a table missing on the candidate fails the sample with reason query, naming the relation`, async () => {
      const runner = runnerFor(server(), {
        relations: [{ name: 'item_returns', child: 'order_returns', columns: ['order_id'], parent: 'orders', parent_columns: ['id'] }],
      });
      try {
        const state = await runner.run('shop_links');
        assert.equal(state.lastRun?.success, false);
        assert.equal(state.lastRun?.reason, 'query');
        assert.match(state.lastRun?.error ?? '', /^shop_links on staging\/shop \(127\.0\.0\.1:\d+\): relation item_returns: /);
        assert.equal(state.result, undefined);
      } finally {
        await runner.close();
      }
    });

    test(`${engine}: a role without SELECT on a child table fails with reason permission and the GRANT, never passes`, async () => {
      const role = await createLeastPrivilegeRole(server(), {
        databases: ['production', 'staging'],
        kinds: ['integrity'],
        withoutSelectOn: { database: 'staging', table: 'order_items' },
      });
      const runner = runnerFor(server(), {}, role);
      try {
        const state = await runner.run('shop_links');
        assert.equal(state.lastRun?.success, false);
        assert.equal(state.lastRun?.reason, 'permission', state.lastRun?.error);
        assert.match(state.lastRun?.error ?? '', /order_items/);
        assert.match(state.lastRun?.error ?? '', new RegExp(`grant it with: GRANT SELECT ON \\S*order_items\\S* TO \\S*${role.user}`));
        assert.equal(state.result, undefined);
      } finally {
        await runner.close();
      }
    });

    test(`${engine}: a baseline without foreign keys gives no relations: inconclusive, not a pass`, async () => {
      const runner = new CheckRunner(
        configWith({ production: { shop: roles.get(server())!.url('staging') }, staging: { shop: roles.get(server())!.url('staging') } }, [
          { name: 'shop_links', kind: 'integrity', database: 'shop' },
        ]),
      );
      try {
        const state = await runner.run('shop_links');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(state.result?.passed, false);
        assert.match(state.result?.inconclusive ?? '', /no relations found to check/);
        assert.deepEqual(state.result?.scores, []);
      } finally {
        await runner.close();
      }
    });
  }
});

test('integrity config: mismatched column counts and an empty check are rejected with paths', () => {
  assert.throws(
    () =>
      configWith({ production: { shop: 'postgres://u@h/db' }, staging: { shop: 'postgres://u@h/db' } }, [
        {
          name: 'a',
          kind: 'integrity',
          database: 'shop',
          relations: [{ name: 'r', child: 'c', columns: ['x', 'y'], parent: 'p', parent_columns: ['id'] }],
        },
        { name: 'b', kind: 'integrity', database: 'shop', discover: false },
      ]),
    (error: Error) => {
      assert.match(error.message, /checks\[0\]\.relations\[0\]\.parent_columns: has 1 columns but columns has 2/);
      assert.match(error.message, /checks\[1\]\.relations: is empty and discover is false/);
      return true;
    },
  );
});
