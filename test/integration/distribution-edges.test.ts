import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { profileSide, ShapeExchange } from '../../src/checks/distribution-profile.js';
import type { ProfileRequest, SideProfile } from '../../src/checks/distribution-types.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith } from '../helpers/harness.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';

/**
 * A large table's bin edges come from the engine's cheap edge sample (PostgreSQL: whole pages;
 * MySQL/MariaDB: the key hash), while the counts per bin and the moments are exact over the
 * profiled rows (docs/checks/distribution.md, "Edges of a large table"). Here "large" is lowered to
 * 2,000 rows so that 20,000 rows take that path; both sides profile the same table.
 */

const ROWS = 20_000;
const BINS = 20;
/** More than the 100,000 rows above which a profile takes its edges from a sample. */
const LARGE_ROWS = 150_000;

const engines = [
  {
    label: 'PostgreSQL',
    start: () => startPostgres({ database: 'production' }),
    ddl:
      'CREATE TABLE orders (id integer PRIMARY KEY, total float8, created_at timestamp, status text); ' +
      `INSERT INTO orders SELECT i, (i * 7919) % 10007 / 10.0, timestamp '2026-01-01' + ((i * 104729) % 86400) * interval '1 minute', ` +
      `(ARRAY['shipped','pending','delivered'])[1 + i % 3] FROM generate_series(1, ${ROWS}) i; ANALYZE orders; ` +
      `CREATE TABLE events (id integer PRIMARY KEY, total float8); ` +
      `INSERT INTO events SELECT i, (i * 7919) % 100003 / 10.0 FROM generate_series(1, ${LARGE_ROWS}) i;`,
  },
  {
    label: 'MariaDB',
    start: () => startMariaDb({ database: 'production' }),
    ddl:
      'CREATE TABLE orders (id integer PRIMARY KEY, total double, created_at datetime, status varchar(20)); ' +
      `INSERT INTO orders SELECT seq, (seq * 7919) % 10007 / 10.0, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL ((seq * 104729) % 86400) MINUTE, ` +
      `ELT(1 + seq % 3, 'shipped','pending','delivered') FROM seq_1_to_${ROWS}; ANALYZE TABLE orders; ` +
      `CREATE TABLE events (id integer PRIMARY KEY, total double); ` +
      `INSERT INTO events SELECT seq, (seq * 7919) % 100003 / 10.0 FROM seq_1_to_${LARGE_ROWS};`,
  },
];

for (const engine of engines) {
  describe(`${engine.label}: bin edges of a large table from the edge sample`, () => {
    let server: DatabaseServer;
    let role: LeastPrivilegeRole;
    before(async () => {
      server = await engine.start();
      await server.exec(engine.ddl, 'production');
      role = await createLeastPrivilegeRole(server, { databases: ['production'], kinds: ['distribution'] });
    });
    after(async () => {
      await server?.destroy();
    });

    async function profiles(edgeRows: number): Promise<{ baseline: SideProfile; candidate: SideProfile; exact: number[] }> {
      const runner = new CheckRunner(
        configWith({ production: { shop: role.url('production') }, staging: { shop: role.url('production') } }, []),
      );
      try {
        const request: ProfileRequest = {
          source: { table: { name: 'orders' } },
          columns: ['total', 'created_at', 'status'].map((name) => ({ name, lengthsOnly: false })),
          fraction: 1,
          sampleRows: null,
          seed: 1,
          key: ['id'],
          bins: BINS,
          topValues: 20,
          edgeRows,
        };
        const exchange = new ShapeExchange();
        const side = (name: string) => {
          const database = runner.sides.handle(name, 'shop', AbortSignal.timeout(60_000), () => 60_000);
          return database.readOnly((session) => profileSide(session, database.dialect, request, exchange, name === 'production'));
        };
        const baselineRun = side('production');
        baselineRun.catch((error: unknown) => exchange.fail(error));
        const [baseline, candidate] = await Promise.all([baselineRun, side('staging')]);
        const database = runner.sides.handle('production', 'shop', AbortSignal.timeout(60_000), () => 60_000);
        const exact = await database.readOnly(async (session) => {
          const { rows } = await session.query('SELECT AVG(total), MIN(total), MAX(total), COUNT(*) FROM orders');
          return (rows[0] ?? []).map(Number);
        });
        return { baseline, candidate, exact };
      } finally {
        await runner.close();
      }
    }

    test('edges come from a sample, counts and moments stay exact over every row', async () => {
      const { baseline, candidate, exact } = await profiles(2_000);
      const [mean, min, max, rows] = exact as [number, number, number, number];
      assert.ok(baseline.edgeFraction < 0.5, `edge fraction ${baseline.edgeFraction}`);
      assert.equal(baseline.rows, rows);
      const total = baseline.columns.find((column) => column.name === 'total');
      assert.ok(total?.measure);
      assert.ok(Math.abs((total.measure.mean ?? 0) - mean) < 1e-6 * Math.abs(mean), `mean ${total.measure.mean} vs ${mean}`);
      assert.equal(total.measure.min, min);
      assert.equal(total.measure.max, max);
      const counts = total.valueBins.counts;
      assert.equal(
        counts.reduce((sum, count) => sum + count, 0),
        rows,
      );
      // Values outside the sample's range land in the outer bins; the inner bins hold about 1/BINS each.
      const inner = counts.slice(1, -2);
      assert.ok(inner.length >= BINS - 2, `${inner.length} bins`);
      for (const count of inner) assert.ok(Math.abs(count / rows - 1 / BINS) < 0.03, JSON.stringify(counts));
      // Both sides read the same rows: the same counts in the same bins.
      assert.deepEqual(candidate.columns.find((column) => column.name === 'total')?.valueBins.counts, counts);
      const status = candidate.columns.find((column) => column.name === 'status');
      assert.deepEqual(
        status?.listed.reduce((sum, count) => sum + count, 0),
        rows,
      );
    });

    test('a small table takes its edges from the profiled rows themselves', async () => {
      const { baseline } = await profiles(1_000_000);
      assert.equal(baseline.edgeFraction, 1);
      const total = baseline.columns.find((column) => column.name === 'total');
      // Exact quantiles: every inner bin holds 1/BINS of the rows, give or take repeated values.
      const counts = total?.valueBins.counts ?? [];
      assert.equal(counts[0], 0);
      assert.equal(counts[counts.length - 1], 0);
    });

    test("a query's result of more than 100,000 rows takes its edges from a hash sample within the profiled rows", async () => {
      const SQL = 'SELECT id, total FROM events WHERE id % 10 <> 0';
      const runner = new CheckRunner(
        configWith({ production: { shop: role.url('production') }, staging: { shop: role.url('production') } }, [
          ...[
            ['same', SQL],
            ['shifted', 'SELECT id, total + 500 AS total FROM events WHERE id % 10 <> 0'],
          ].map(([name, staging]) => ({
            kind: 'distribution',
            name,
            database: 'shop',
            baseline: 'production',
            candidate: 'staging',
            sql: SQL,
            sql_per_side: { staging },
            key: ['id'],
            sample_rows: 120_000,
            columns: ['total'],
            bins: BINS,
          })),
        ]),
      );
      try {
        const same = await runner.run('same');
        assert.equal(same.lastRun?.success, true, same.lastRun?.error);
        assert.equal(same.result?.passed, true, same.result?.summary);
        const sampling = same.result?.details.sampling as Record<
          string,
          { sampledRows: number; estimatedRows: number; edgeFraction: number; fraction: number }
        >;
        const production = sampling.production;
        // 135,000 rows counted; 120,000 of them profiled; the edges from about 100,000.
        assert.equal(production?.estimatedRows, 135_000, JSON.stringify(sampling));
        assert.ok(Math.abs((production?.sampledRows ?? 0) - 120_000) < 1_500, JSON.stringify(sampling));
        assert.ok(Math.abs((production?.edgeFraction ?? 0) - 100_000 / 135_000) < 1e-9, JSON.stringify(sampling));
        const [column] = (same.result?.details.columns ?? []) as Array<{ statistics: Record<string, { distance: number }> }>;
        // Both sides are the same rows, edges or not: identical profiles.
        assert.equal(column?.statistics.ks?.distance, 0, JSON.stringify(column));
        const shifted = await runner.run('shifted');
        assert.equal(shifted.result?.passed, false, shifted.result?.summary);
      } finally {
        await runner.close();
      }
    });
  });
}
