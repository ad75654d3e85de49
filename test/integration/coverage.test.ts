import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';

/** coverage checks on real PostgreSQL and MariaDB. */

const CATEGORIES = ['books', 'games', 'garden', 'kitchen'];

function rows(count: number, row: (i: number) => string): string {
  return Array.from({ length: count }, (_, index) => row(index + 1)).join(', ');
}

const PRODUCTS = `CREATE TABLE products (id integer PRIMARY KEY, sku varchar(20) NOT NULL, category varchar(20), email varchar(100))`;
const PRODUCT_ROWS = `INSERT INTO products VALUES ${rows(
  200,
  (i) => `(${i}, 'SKU-${String(i).padStart(4, '0')}', ${i % 50 === 0 ? 'NULL' : `'${CATEGORIES[i % 4]}'`}, 'owner${i}@shop-owner.com')`,
)}`;
const BIG = `CREATE TABLE events (id bigint PRIMARY KEY, kind varchar(20) NOT NULL)`;

async function seed(server: DatabaseServer, database: string): Promise<void> {
  await server.exec(PRODUCTS, database);
  await server.exec(PRODUCT_ROWS, database);
  await server.exec(BIG, database);
  for (let start = 0; start < 60_000; start += 10_000) {
    await server.exec(
      `INSERT INTO events VALUES ${rows(10_000, (i) => `(${start + i}, '${['view', 'click', 'buy'][(start + i) % 3]}')`)}`,
      database,
    );
  }
}

interface ColumnDetail {
  column: string;
  mode: string;
  ratio: number;
  missing: number;
  topMissing: Array<{ value?: string | null; shape: string; rows: number }>;
}

describe('coverage checks on real servers', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  const roles = new Map<DatabaseServer, LeastPrivilegeRole>();
  const reader = (server: DatabaseServer) => roles.get(server) as LeastPrivilegeRole;

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres({ database: 'production' }), startMariaDb({ database: 'production' })]);
    await Promise.all([postgres.exec('CREATE DATABASE staging', 'production'), mariadb.exec('CREATE DATABASE staging')]);
    await Promise.all([seed(postgres, 'production'), seed(postgres, 'staging'), seed(mariadb, 'production'), seed(mariadb, 'staging')]);
    // Statistics are what the sampler sizes its sample from.
    await Promise.all([
      postgres.exec('ANALYZE', 'production'),
      postgres.exec('ANALYZE', 'staging'),
      mariadb.exec('ANALYZE TABLE events', 'production'),
      mariadb.exec('ANALYZE TABLE events', 'staging'),
    ]);
    // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
    for (const server of [postgres, mariadb])
      roles.set(server, await createLeastPrivilegeRole(server, { databases: ['production', 'staging'], kinds: ['coverage'] }));
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  const runnerFor = (server: DatabaseServer, check: Record<string, unknown>) =>
    new CheckRunner(
      configWith({ production: { shop: reader(server).url('production') }, staging: { shop: reader(server).url('staging') } }, [
        {
          name: 'catalog',
          kind: 'coverage',
          database: 'shop',
          table: 'products',
          columns: ['category', { name: 'sku', mode: 'shapes' }],
          ...check,
        },
      ]),
    );

  for (const [engine, server] of [
    ['PostgreSQL', () => postgres],
    ['MariaDB', () => mariadb],
  ] as const) {
    test(`${engine}: identical data covers every value and shape`, async () => {
      const runner = runnerFor(server(), {});
      try {
        const state = await runner.run('catalog');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(
          seriesValue(state, 'fidelity_data_coverage_ratio', { column: 'category', baseline: 'production', candidate: 'staging' }),
          1,
        );
        assert.equal(seriesValue(state, 'fidelity_data_coverage_ratio', { column: 'sku' }), 1);
        assert.equal(seriesValue(state, 'fidelity_data_coverage_missing', { column: 'category' }), 0);
        assert.equal(state.result?.passed, true);
        const columns = state.result?.details.columns as ColumnDetail[];
        assert.deepEqual(
          columns.map((c) => [c.column, c.mode]),
          [
            ['category', 'values'],
            ['sku', 'shapes'],
          ],
        );
      } finally {
        await runner.close();
      }
    });

    test(`${engine}: a category missing in staging is detected and named`, async () => {
      // examples: show names the missing value; the default policy would show a keyed hash.
      const runner = runnerFor(server(), { examples: 'show' });
      try {
        await server().exec("UPDATE products SET category = 'books' WHERE category = 'garden'", 'staging');
        await server().exec("UPDATE products SET sku = 'X' WHERE id = 3", 'staging');
        const state = await runner.run('catalog');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        // books, games, garden, kitchen, NULL: garden is missing.
        assert.equal(seriesValue(state, 'fidelity_data_coverage_ratio', { column: 'category' }), 4 / 5);
        assert.equal(seriesValue(state, 'fidelity_data_coverage_missing', { column: 'category' }), 1);
        assert.equal(seriesValue(state, 'fidelity_data_coverage_ratio', { column: 'sku' }), 1, 'every SKU shape still exists');
        const columns = state.result?.details.columns as ColumnDetail[];
        assert.deepEqual(columns[0]?.topMissing, [{ value: 'garden', shape: 'len 4-7: lower', rows: 48 }]);
        assert.equal(state.result?.passed, false);
        assert.deepEqual(state.result?.scores, [{ dimension: 'data', candidate: 'staging', value: (4 / 5 + 1) / 2 }]);
      } finally {
        await server().exec(`UPDATE products SET category = 'garden' WHERE id % 4 = 2 AND id % 50 <> 0`, 'staging');
        await server().exec("UPDATE products SET sku = 'SKU-0003' WHERE id = 3", 'staging');
        await runner.close();
      }
    });

    test(`${engine}: masked columns never show values; high cardinality switches to shapes`, async () => {
      const runner = runnerFor(server(), { columns: [{ name: 'email', masked: true, mode: 'values' }, { name: 'sku' }], max_distinct: 50 });
      try {
        await server().exec("UPDATE products SET email = CONCAT('user', id, '@example.com')", 'staging');
        const state = await runner.run('catalog');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_data_coverage_ratio', { column: 'email' }), 0);
        const columns = state.result?.details.columns as ColumnDetail[];
        assert.equal(columns[0]?.topMissing.length, 10);
        assert.doesNotMatch(JSON.stringify(state.result), /shop-owner/, 'no masked value anywhere in the result');
        assert.equal(columns[1]?.mode, 'shapes', '200 distinct SKUs > max_distinct 50');
      } finally {
        await server().exec("UPDATE products SET email = CONCAT('owner', id, '@shop-owner.com')", 'staging');
        await runner.close();
      }
    });

    test(`${engine}: large tables are sampled, not read whole`, async () => {
      const runner = new CheckRunner(
        configWith({ production: { shop: reader(server()).url('production') }, staging: { shop: reader(server()).url('staging') } }, [
          { name: 'events', kind: 'coverage', database: 'shop', table: 'events', columns: ['kind'], sample_rows: 2000 },
        ]),
      );
      try {
        const state = await runner.run('events');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        const sampling = state.result?.details.sampling as Record<string, { method: string; sampledRows: number; estimatedRows: number }>;
        const expected = engine === 'PostgreSQL' ? 'tablesample' : 'key_ranges';
        for (const side of ['production', 'staging']) {
          assert.equal(sampling[side]?.method, expected, side);
          assert.ok(
            (sampling[side]?.sampledRows ?? 0) > 100 && (sampling[side]?.sampledRows ?? 0) <= 2000,
            `${side}: ${sampling[side]?.sampledRows} rows sampled`,
          );
          assert.ok((sampling[side]?.estimatedRows ?? 0) > 2000);
        }
        assert.equal(seriesValue(state, 'fidelity_data_coverage_ratio', { column: 'kind' }), 1);
      } finally {
        await runner.close();
      }
    });
  }
});
