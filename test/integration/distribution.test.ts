import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ksExact, meanAndSd, wassersteinExact } from '../../src/compare/distribution.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith } from '../helpers/harness.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';
import { generator, subset } from '../helpers/random.js';

/**
 * distribution checks on real PostgreSQL and MariaDB, each engine as baseline and as candidate,
 * over synthetic orders of known shape. The SQL-binned KS and Wasserstein distances agree with the
 * exact ones within TOLERANCE (docs/checks/distribution.md).
 */

const ROWS = 20_000;
const TOLERANCE = 0.05;

interface Order {
  id: number;
  total: number;
  score: number;
  created: string;
  status: string;
  discount: string | null;
  note: string;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function text(random: () => number, length: number): string {
  return Array.from({ length }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
}

function production(): Order[] {
  const random = generator(42);
  return Array.from({ length: ROWS }, (_, i) => {
    const pick = random();
    return {
      id: i + 1,
      total: Math.round(Math.exp(3.5 + 0.8 * normal(random)) * 100) / 100,
      score: 50 + 10 * normal(random),
      created: new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 365 * 86_400) * 1000).toISOString().slice(0, 19).replace('T', ' '),
      status: pick < 0.5 ? 'shipped' : pick < 0.7 ? 'pending' : pick < 0.9 ? 'delivered' : 'cancelled',
      discount: random() < 0.02 ? null : `D${1 + Math.floor(random() * 5)}`,
      note: text(random, 20 + Math.floor(random() * 41)),
    };
  });
}

const TABLE = (name: string) =>
  `CREATE TABLE ${name} (id integer PRIMARY KEY, total decimal(12,2) NOT NULL, score double precision, created_at timestamp NOT NULL, ` +
  `status varchar(20) NOT NULL, discount_code varchar(10), note varchar(100) NOT NULL)`;

async function load(server: DatabaseServer, database: string, orders: Order[]): Promise<void> {
  if (database !== 'production') await server.exec(`CREATE DATABASE ${database}`, 'production');
  await server.exec(TABLE('orders'), database);
  for (let start = 0; start < orders.length; start += 2000) {
    const values = orders
      .slice(start, start + 2000)
      .map(
        (o) =>
          `(${o.id}, ${o.total.toFixed(2)}, ${o.score}, '${o.created}', '${o.status}', ${o.discount === null ? 'NULL' : `'${o.discount}'`}, '${o.note}')`,
      );
    await server.exec(`INSERT INTO orders VALUES ${values.join(', ')}`, database);
  }
}

/** One drift each, on one column of a 20 % subset. */
function drifts(orders: Order[]) {
  const base = subset(orders, 0.2, 7);
  const random = generator(99);
  return {
    shifted: { column: 'score', rows: base.map((o) => ({ ...o, score: o.score + 5 })) },
    swapped: { column: 'total', rows: base.map((o) => ({ ...o, total: Math.round((1 + random() * 99) * 100) / 100 })) },
    shares: {
      column: 'status',
      rows: base.map((o) => ({ ...o, status: o.status === 'shipped' && random() < 0.4 ? 'pending' : o.status })),
    },
    nulls: { column: 'discount_code', rows: base.map((o) => ({ ...o, discount: random() < 0.6 ? null : (o.discount ?? 'D1') })) },
    new_category: {
      column: 'status',
      rows: base.map((o) => ({ ...o, status: o.status === 'shipped' && random() < 0.3 ? 'returned' : o.status })),
    },
    short_notes: { column: 'note', rows: base.map((o) => ({ ...o, note: o.note.slice(0, 5 + Math.floor(random() * 11)) })) },
  };
}

interface Judged {
  distance: number;
  drifted: boolean;
}
interface ColumnDetail {
  name: string;
  drifted: boolean;
  statistics: Record<string, Judged>;
  attribution: Array<{
    statistic: string;
    value?: string;
    bucket?: string;
    from?: number | null;
    to?: number | null;
    baseline: number;
    candidate: number;
  }>;
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('distribution checks on real servers', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  const roles = new Map<DatabaseServer, LeastPrivilegeRole>();
  const orders = production();
  const drifted = drifts(orders);
  // One database per candidate, each with its own orders table.
  const candidates: Record<string, Order[]> = {
    copy: orders,
    ...Object.fromEntries(SEEDS.map((seed) => [`subset_${seed}`, subset(orders, 0.1, 1000 + seed)])),
    ...Object.fromEntries(Object.entries(drifted).map(([name, drift]) => [name, drift.rows])),
  };

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres({ database: 'production' }), startMariaDb({ database: 'production' })]);
    await Promise.all(
      [postgres, mariadb].map(async (server) => {
        await load(server, 'production', orders);
        for (const [name, rows] of Object.entries(candidates)) await load(server, name, rows);
        // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
        roles.set(
          server,
          await createLeastPrivilegeRole(server, { databases: ['production', ...Object.keys(candidates)], kinds: ['distribution'] }),
        );
      }),
    );
    await postgres.exec('ANALYZE', 'production');
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  const pairs = [
    ['PostgreSQL baseline, MariaDB candidate', () => postgres, () => mariadb],
    ['MariaDB baseline, PostgreSQL candidate', () => mariadb, () => postgres],
  ] as const;

  const runnerFor = (baseline: DatabaseServer, candidate: DatabaseServer, checks: Array<Record<string, unknown>>) => {
    const url = (server: DatabaseServer, database: string) => (roles.get(server) as LeastPrivilegeRole).url(database);
    const sides = Object.fromEntries(Object.keys(candidates).map((name) => [name, { shop: url(candidate, name) }]));
    return new CheckRunner(
      configWith(
        { production: { shop: url(baseline, 'production') }, ...sides },
        checks.map((check) => ({
          kind: 'distribution',
          database: 'shop',
          table: 'orders',
          examples: 'show',
          baseline: 'production',
          ...check,
        })),
        { defaults: { every: '1h', timeout: '60s', start_spread: '0s' } },
      ),
    );
  };

  const columnsOf = (details: Record<string, unknown> | undefined) => (details?.columns ?? []) as ColumnDetail[];

  for (const [title, baseline, candidate] of pairs) {
    test(`${title}: a uniform 10 % subset holds on every column for 20 seeds`, async () => {
      const runner = runnerFor(
        baseline(),
        candidate(),
        SEEDS.map((seed) => ({ name: `subset_${seed}`, candidate: `subset_${seed}`, expected_ratio: 0.1 })),
      );
      try {
        for (const seed of SEEDS) {
          const state = await runner.run(`subset_${seed}`);
          assert.equal(state.lastRun?.success, true, state.lastRun?.error);
          const columns = columnsOf(state.result?.details);
          assert.deepEqual(
            columns.filter((column) => column.drifted).map((column) => column.name),
            [],
            `seed ${seed}: ${JSON.stringify(columns.filter((c) => c.drifted))}`,
          );
          assert.equal(columns.length, 7);
          assert.equal(state.result?.passed, true, state.result?.summary);
        }
      } finally {
        await runner.close();
      }
    });

    test(`${title}: the engine's own sample of a full copy holds for 20 seeds`, async () => {
      const runner = runnerFor(
        baseline(),
        candidate(),
        SEEDS.map((seed) => ({ name: `sampled_${seed}`, candidate: 'copy', sample_fraction: 0.1, seed, key: ['id'] })),
      );
      try {
        for (const seed of SEEDS) {
          const state = await runner.run(`sampled_${seed}`);
          assert.equal(state.lastRun?.success, true, state.lastRun?.error);
          const sampling = state.result?.details.sampling as Record<string, { sampledRows: number }>;
          // About 2,000 rows of 20,000 on each side: a sample, not the whole table.
          for (const side of ['production', 'copy'])
            assert.ok(Math.abs((sampling[side]?.sampledRows ?? 0) - 2000) < 300, JSON.stringify(sampling));
          assert.equal(state.result?.passed, true, `seed ${seed}: ${state.result?.summary}`);
        }
      } finally {
        await runner.close();
      }
    });

    test(`${title}: each drift is reported on its column alone, attributed right`, async () => {
      const runner = runnerFor(
        baseline(),
        candidate(),
        Object.keys(drifted).map((name) => ({ name, candidate: name })),
      );
      try {
        for (const [name, drift] of Object.entries(drifted)) {
          const state = await runner.run(name);
          assert.equal(state.lastRun?.success, true, state.lastRun?.error);
          assert.equal(state.result?.passed, false);
          const columns = columnsOf(state.result?.details);
          assert.deepEqual(
            columns.filter((column) => column.drifted).map((column) => column.name),
            [drift.column],
            `${name}: ${state.result?.summary}`,
          );
          const column = columns.find((entry) => entry.name === drift.column) as ColumnDetail;
          const top = column.attribution[0];
          if (name === 'shares')
            assert.ok(
              column.attribution.some((a) => a.value === 'pending' && a.candidate > a.baseline + 0.1),
              JSON.stringify(column.attribution),
            );
          if (name === 'new_category')
            assert.ok(
              column.attribution.some((a) => a.value === 'returned' && a.bucket === 'new'),
              JSON.stringify(column.attribution),
            );
          if (name === 'nulls') assert.equal(top?.statistic, 'null_share');
          if (name === 'short_notes')
            assert.ok(column.statistics.length_ks?.drifted && top?.bucket === 'below' && top.to === 20, JSON.stringify(column.attribution));
          if (name === 'shifted') assert.ok(column.attribution.some((a) => a.bucket === 'above' || (a.from ?? 0) > 50));
          if (name === 'swapped') assert.ok(column.statistics.ks?.drifted);
        }
      } finally {
        await runner.close();
      }
    });

    test(`${title}: SQL-binned KS and Wasserstein agree with the exact distances within ${TOLERANCE}`, async () => {
      const runner = runnerFor(baseline(), candidate(), [{ name: 'shifted', candidate: 'shifted', columns: ['score', 'total'] }]);
      try {
        const state = await runner.run('shifted');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        const columns = columnsOf(state.result?.details);
        for (const name of ['score', 'total'] as const) {
          const a = orders.map((o) => o[name]);
          const b = drifted.shifted.rows.map((o) => o[name]);
          const column = columns.find((entry) => entry.name === name) as ColumnDetail;
          const ks = ksExact(a, b);
          const w = wassersteinExact(a, b) / meanAndSd(a).sd;
          assert.ok(
            Math.abs((column.statistics.ks?.distance ?? -1) - ks) <= TOLERANCE,
            `${name} ks ${column.statistics.ks?.distance} vs ${ks}`,
          );
          assert.ok(
            Math.abs((column.statistics.wasserstein?.distance ?? -1) - w) <= TOLERANCE,
            `${name} w ${column.statistics.wasserstein?.distance} vs ${w}`,
          );
        }
      } finally {
        await runner.close();
      }
    });
  }
});
