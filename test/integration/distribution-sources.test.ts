import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith } from '../helpers/harness.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';
import { renderReport } from '../../src/server/html.js';
import { resultsView } from '../../src/server/view.js';
import { generator, subset } from '../helpers/random.js';

/**
 * distribution checks over a query's result (`sql`, `sql_per_side`, sampled by a hash of a key or of
 * the whole row), and distinct counts judged against the row ratio, on real PostgreSQL and MariaDB
 * with the least-privilege role (docs/checks/distribution.md).
 */

const ROWS = 10_000;

interface Item {
  id: number;
  amount: number;
  category: string;
}

function production(): Item[] {
  const random = generator(11);
  return Array.from({ length: ROWS }, (_, i) => {
    const pick = random();
    return {
      id: i + 1,
      amount: Math.round(random() * 100_000) / 100,
      category: pick < 0.5 ? 'book' : pick < 0.8 ? 'music' : 'film',
    };
  });
}

async function load(server: DatabaseServer, database: string, table: string, items: Item[]): Promise<void> {
  if (database !== 'production') await server.exec(`CREATE DATABASE ${database}`, 'production');
  await server.exec(
    `CREATE TABLE ${table} (id integer PRIMARY KEY, amount decimal(10,2) NOT NULL, category varchar(20) NOT NULL)`,
    database,
  );
  for (let start = 0; start < items.length; start += 2000) {
    const values = items.slice(start, start + 2000).map((item) => `(${item.id}, ${item.amount.toFixed(2)}, '${item.category}')`);
    await server.exec(`INSERT INTO ${table} VALUES ${values.join(', ')}`, database);
  }
}

interface Order {
  id: number;
  customer_id: number;
  region: string;
  amount: number;
}

const REGIONS: Array<[string, number]> = [
  ['north', 0.4],
  ['south', 0.65],
  ['east', 0.8],
  ['west', 0.92],
  ['islands', 1],
];

/** Orders in groups: 400 customers of 25 orders each; a customer's region and typical amount are its own. */
function clusteredOrders(): Order[] {
  const random = generator(23);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: 400 }, (_, customer) => {
    const pick = random();
    const region = REGIONS.find(([, edge]) => pick < edge)?.[0] ?? 'north';
    const typical = 100 + 30 * normal();
    return Array.from({ length: 25 }, (_, i) => ({
      id: customer * 25 + i + 1,
      customer_id: customer + 1,
      region,
      amount: Math.round((typical + 10 * normal()) * 100) / 100,
    }));
  }).flat();
}

async function loadOrders(server: DatabaseServer, database: string, orders: Order[]): Promise<void> {
  await server.exec(
    'CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, region varchar(20) NOT NULL, amount decimal(10,2) NOT NULL)',
    database,
  );
  for (let start = 0; start < orders.length; start += 2000) {
    const values = orders.slice(start, start + 2000).map((o) => `(${o.id}, ${o.customer_id}, '${o.region}', ${o.amount.toFixed(2)})`);
    await server.exec(`INSERT INTO orders VALUES ${values.join(', ')}`, database);
  }
}

interface ColumnDetail {
  name: string;
  drifted: boolean;
  statistics: Record<string, { distance: number; drifted: boolean; band?: number }>;
  distinct?: { baseline: number; candidate: number; expected: number };
}

describe('distribution checks over a query, and distinct counts', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  const roles = new Map<DatabaseServer, LeastPrivilegeRole>();
  const items = production();
  const faithful = subset(items, 0.1, 5);
  // The same rows, in a table of another name (sql_per_side).
  const candidates: Record<string, { table: string; rows: Item[] }> = {
    faithful: { table: 'items', rows: faithful },
    renamed: { table: 'stock', rows: faithful },
    shifted: { table: 'items', rows: faithful.map((item) => ({ ...item, amount: item.amount + 300 })) },
    // Amounts rounded to tens: the spread holds, the distinct values collapse.
    rounded: { table: 'items', rows: faithful.map((item) => ({ ...item, amount: Math.round(item.amount / 10) * 10 })) },
    // Every other music item filed as film: a share moved by 15 points.
    recategorised: {
      table: 'items',
      rows: faithful.map((item) => (item.category === 'music' && item.id % 2 === 0 ? { ...item, category: 'film' } : item)),
    },
  };
  // Staging as teams often build it: every order of a tenth of the customers (faithful, but in groups).
  const orders = clusteredOrders();
  const groups: Record<string, Order[]> = {
    customers_3: orders.filter((o) => o.customer_id % 10 === 3),
    customers_7: orders.filter((o) => o.customer_id % 10 === 7),
    customers_shifted: orders.filter((o) => o.customer_id % 10 === 3).map((o) => ({ ...o, amount: o.amount + 60 })),
  };

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres({ database: 'production' }), startMariaDb({ database: 'production' })]);
    await Promise.all(
      [postgres, mariadb].map(async (server) => {
        await load(server, 'production', 'items', items);
        for (const [name, { table, rows }] of Object.entries(candidates)) await load(server, name, table, rows);
        await loadOrders(server, 'production', orders);
        for (const [name, rows] of Object.entries(groups)) {
          await server.exec(`CREATE DATABASE ${name}`, 'production');
          await loadOrders(server, name, rows);
        }
        const databases = ['production', ...Object.keys(candidates), ...Object.keys(groups)];
        roles.set(server, await createLeastPrivilegeRole(server, { databases, kinds: ['distribution'] }));
      }),
    );
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  const runnerFor = (baseline: DatabaseServer, candidate: DatabaseServer, checks: Array<Record<string, unknown>>) => {
    const url = (server: DatabaseServer, database: string) => (roles.get(server) as LeastPrivilegeRole).url(database);
    const sides = Object.fromEntries(
      [...Object.keys(candidates), ...Object.keys(groups)].map((name) => [name, { shop: url(candidate, name) }]),
    );
    return new CheckRunner(
      configWith(
        { production: { shop: url(baseline, 'production') }, ...sides },
        checks.map((check) => ({ kind: 'distribution', database: 'shop', examples: 'show', baseline: 'production', ...check })),
        { defaults: { every: '1h', timeout: '60s', start_spread: '0s' } },
      ),
    );
  };
  const columnsOf = (details: Record<string, unknown> | undefined) => (details?.columns ?? []) as ColumnDetail[];
  const drifted = (details: Record<string, unknown> | undefined) =>
    columnsOf(details)
      .filter((column) => column.drifted)
      .map((column) => column.name);

  const SQL = "SELECT id, amount, category FROM items WHERE category <> 'film'";
  const pairs = [
    ['PostgreSQL baseline, MariaDB candidate', () => postgres, () => mariadb],
    ['MariaDB baseline, PostgreSQL candidate', () => mariadb, () => postgres],
  ] as const;

  for (const [title, baseline, candidate] of pairs) {
    test(`${title}: a query's result is profiled; sql_per_side reads a renamed table; a shift drifts`, async () => {
      const runner = runnerFor(baseline(), candidate(), [
        { name: 'faithful', candidate: 'faithful', sql: SQL, columns: ['amount', 'category'], expected_ratio: 0.1 },
        {
          name: 'renamed',
          candidate: 'renamed',
          sql: SQL,
          sql_per_side: { renamed: "SELECT id, amount, category FROM stock WHERE category <> 'film'" },
          columns: ['amount', 'category'],
        },
        { name: 'shifted', candidate: 'shifted', sql: SQL, columns: ['amount', 'category'] },
      ]);
      try {
        for (const name of ['faithful', 'renamed']) {
          const state = await runner.run(name);
          assert.equal(state.lastRun?.success, true, state.lastRun?.error);
          assert.equal(state.result?.passed, true, `${name}: ${state.result?.summary}`);
          assert.equal(state.result?.details.source, 'sql');
          const sampling = state.result?.details.sampling as Record<string, { sampledRows: number }>;
          // Books and music only: about 80 % of the rows.
          assert.ok(Math.abs((sampling.production?.sampledRows ?? 0) - 8000) < 300, JSON.stringify(sampling));
        }
        const shifted = await runner.run('shifted');
        assert.equal(shifted.lastRun?.success, true, shifted.lastRun?.error);
        assert.deepEqual(drifted(shifted.result?.details), ['amount'], shifted.result?.summary);
      } finally {
        await runner.close();
      }
    });

    test(`${title}: distinct counts hold on a faithful subset and drift when values collapse`, async () => {
      const runner = runnerFor(baseline(), candidate(), [
        { name: 'faithful', candidate: 'faithful', table: 'items', expected_ratio: 0.1 },
        { name: 'rounded', candidate: 'rounded', table: 'items' },
      ]);
      try {
        const faithfulState = await runner.run('faithful');
        assert.equal(faithfulState.result?.passed, true, faithfulState.result?.summary);
        for (const column of columnsOf(faithfulState.result?.details)) {
          const distinct = column.distinct as NonNullable<ColumnDetail['distinct']>;
          assert.ok(distinct && column.statistics.distinct?.drifted === false, JSON.stringify(column));
          // About 1,000 amounts of 10,000 distinct ones; 3 categories on both sides.
          if (column.name === 'amount') assert.ok(Math.abs(distinct.expected - distinct.candidate) < 60, JSON.stringify(distinct));
          if (column.name === 'category') assert.deepEqual([distinct.baseline, distinct.candidate], [3, 3]);
        }
        const rounded = await runner.run('rounded');
        assert.deepEqual(drifted(rounded.result?.details), ['amount'], rounded.result?.summary);
        const amount = columnsOf(rounded.result?.details).find((column) => column.name === 'amount') as ColumnDetail;
        // The spread holds (KS within its threshold): only the distinct count tells.
        assert.equal(amount.statistics.ks?.drifted, false, JSON.stringify(amount.statistics));
        assert.equal(amount.statistics.distinct?.drifted, true, JSON.stringify(amount));
        assert.ok((amount.distinct?.candidate ?? 0) <= 101 && (amount.distinct?.expected ?? 0) > 800, JSON.stringify(amount.distinct));
      } finally {
        await runner.close();
      }
    });

    test(`${title}: self-calibration absorbs the noise of grouped rows, and a shift still drifts`, async () => {
      const calibrated = { table: 'orders', columns: ['region', 'amount'], key: ['customer_id'], calibrate: true };
      const runner = runnerFor(baseline(), candidate(), [
        { name: 'plain', candidate: 'customers_3', table: 'orders', columns: ['region', 'amount'] },
        { name: 'calibrated_3', candidate: 'customers_3', ...calibrated },
        { name: 'calibrated_7', candidate: 'customers_7', ...calibrated },
        { name: 'calibrated_shifted', candidate: 'customers_shifted', ...calibrated },
      ]);
      try {
        // Without calibration, a tenth of the customers differs beyond the row-sampling floor.
        const plain = await runner.run('plain');
        assert.notDeepEqual(drifted(plain.result?.details), [], plain.result?.summary);
        for (const name of ['calibrated_3', 'calibrated_7']) {
          const state = await runner.run(name);
          assert.equal(state.lastRun?.success, true, state.lastRun?.error);
          assert.equal(state.result?.passed, true, `${name}: ${state.result?.summary} ${JSON.stringify(columnsOf(state.result?.details))}`);
          for (const column of columnsOf(state.result?.details))
            assert.ok((column.statistics.ks ?? column.statistics.tv)?.band !== undefined, JSON.stringify(column.statistics));
        }
        const shifted = await runner.run('calibrated_shifted');
        assert.deepEqual(drifted(shifted.result?.details), ['amount'], shifted.result?.summary);
      } finally {
        await runner.close();
      }
    });

    test(`${title}: the report shows each column's verdict, distances against their bar, and the shares behind them`, async () => {
      const runner = runnerFor(baseline(), candidate(), [
        { name: 'hashed', candidate: 'recategorised', table: 'items', columns: ['category'], examples: 'hash' },
        { name: 'shown', candidate: 'shifted', table: 'items', columns: ['amount', 'category'] },
      ]);
      try {
        for (const name of ['hashed', 'shown']) await runner.run(name);
        const html = renderReport(
          resultsView({
            config: runner.config,
            store: runner.store,
            sides: runner.sides,
            startedAt: Date.now(),
            reload: { successful: true },
          }),
        );
        assert.match(html, /<table class="diff distribution">/);
        // The shifted amounts: drifted, KS against its bar, the bins above the baseline with both shares.
        assert.match(
          html,
          /<td>amount<\/td><td><strong>drifted<\/strong><\/td><td>[^<]*<strong class="drifted">ks [0-9.]+ \/ [0-9.]+<\/strong>/,
        );
        assert.match(html, /\d+\.\d % → \d+\.\d %/);
        // Category values of the hashed check never appear raw, in the view nor in the JSON below it.
        const category = columnsOf(runner.store.get('hashed')?.result?.details).find((column) => column.name === 'category');
        assert.ok(category?.drifted, JSON.stringify(category));
        assert.match(html, /<td>category<\/td><td><strong>drifted<\/strong>/);
        for (const value of ['book', 'music', 'film']) assert.ok(!html.includes(value), `${value} appears raw in the report`);
      } finally {
        await runner.close();
      }
    });

    test(`${title}: a query's result is sampled by a hash of the key, or of the whole row for sample_rows`, async () => {
      const runner = runnerFor(baseline(), candidate(), [
        { name: 'by_key', candidate: 'faithful', sql: SQL, key: ['id'], sample_fraction: 0.25, columns: ['amount', 'category'] },
        { name: 'by_row', candidate: 'faithful', sql: SQL, sample_rows: 2000, columns: ['amount', 'category'] },
      ]);
      try {
        const byKey = await runner.run('by_key');
        assert.equal(byKey.lastRun?.success, true, byKey.lastRun?.error);
        assert.equal(byKey.result?.passed, true, byKey.result?.summary);
        const keyed = byKey.result?.details.sampling as Record<string, { sampledRows: number; fraction: number }>;
        assert.ok(Math.abs((keyed.production?.sampledRows ?? 0) - 2000) < 200, JSON.stringify(keyed));
        assert.ok(Math.abs((keyed.faithful?.sampledRows ?? 0) - 200) < 60, JSON.stringify(keyed));
        const byRow = await runner.run('by_row');
        assert.equal(byRow.lastRun?.success, true, byRow.lastRun?.error);
        assert.equal(byRow.result?.passed, true, byRow.result?.summary);
        const rows = byRow.result?.details.sampling as Record<string, { sampledRows: number; estimatedRows: number }>;
        // The query's rows are counted first: about 2,000 of its 8,000 rows; the candidate's 800 are all read.
        assert.ok(Math.abs((rows.production?.sampledRows ?? 0) - 2000) < 200, JSON.stringify(rows));
        assert.ok(Math.abs((rows.production?.estimatedRows ?? 0) - 8000) < 300, JSON.stringify(rows));
        assert.equal(rows.faithful?.sampledRows, rows.faithful?.estimatedRows);
      } finally {
        await runner.close();
      }
    });
  }
});
