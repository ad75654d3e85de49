import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PlanDifference } from '../../src/compare/plan.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';

/**
 * The plan kind on real PostgreSQL and MariaDB. Both sides hold the same 50,000 orders with
 * statistics gathered, so the planners' choices are their own (no enable_* settings): a lookup by
 * created_at uses the index on production, and a sequential scan once staging has lost the index.
 */

const ROWS = 50_000;

interface Engine {
  label: string;
  start: () => Promise<DatabaseServer>;
  setup: string;
  dropIndex: string;
  lookup: string;
  byStatus: string;
  indexNode: RegExp;
  scanNode: RegExp;
}

const ENGINES: Engine[] = [
  {
    label: 'PostgreSQL',
    start: startPostgres,
    setup: `
      CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
      INSERT INTO orders SELECT i, (ARRAY['new','paid','shipped'])[1 + i % 3], i % 500, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute'
      FROM generate_series(1, ${ROWS}) AS i;
      CREATE INDEX orders_created_at_idx ON orders (created_at);
      ANALYZE orders;`,
    dropIndex: 'DROP INDEX orders_created_at_idx; ANALYZE orders',
    lookup: "SELECT id, total FROM orders WHERE created_at = timestamptz '2026-01-15 10:00:00+00'",
    byStatus: 'SELECT status, count(*) FROM orders GROUP BY status',
    indexNode: /^\s*Index Scan using orders_created_at_idx on orders\b/,
    scanNode: /^\s*Seq Scan on orders\b/,
  },
  {
    label: 'MariaDB',
    start: startMariaDb,
    setup: `
      CREATE TABLE orders (id bigint PRIMARY KEY, status varchar(10) NOT NULL, total decimal(12,2) NOT NULL, created_at datetime NOT NULL);
      INSERT INTO orders SELECT seq, ELT(1 + seq % 3, 'new', 'paid', 'shipped'), seq % 500, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq MINUTE
      FROM seq_1_to_${ROWS};
      CREATE INDEX orders_created_at_idx ON orders (created_at);
      ANALYZE TABLE orders;`,
    dropIndex: 'DROP INDEX orders_created_at_idx ON orders; ANALYZE TABLE orders',
    lookup: "SELECT id, total FROM orders WHERE created_at = TIMESTAMP '2026-01-15 10:00:00'",
    byStatus: 'SELECT status, count(*) FROM orders GROUP BY status',
    indexNode: /^\s*table using orders_created_at_idx on orders \[access=ref\]/,
    scanNode: /^\s*table on orders \[access=ALL\]/,
  },
];

interface QueryDetails {
  name: string;
  sameShape: boolean;
  differences: PlanDifference[];
  shapes: Record<string, string[]>;
  plans: Record<string, unknown>;
}

for (const engine of ENGINES) {
  describe(`plan checks on ${engine.label}`, () => {
    let server: DatabaseServer;
    let role: LeastPrivilegeRole;

    before(async () => {
      server = await engine.start();
      await server.exec('CREATE DATABASE staging');
      await Promise.all([server.exec(engine.setup), server.exec(engine.setup, 'staging')]);
      // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
      role = await createLeastPrivilegeRole(server, { databases: ['fidelity', 'staging'], kinds: ['plan'] });
    });
    after(async () => {
      await server?.destroy();
    });

    test('same plans: zero differences; after staging drops the index the lookup switches from index scan to full scan', async () => {
      const runner = new CheckRunner(
        configWith({ production: { shop: role.url() }, staging: { shop: role.url('staging') } }, [
          {
            name: 'order_plans',
            kind: 'plan',
            database: 'shop',
            queries: [
              { name: 'order_by_time', sql: engine.lookup },
              { name: 'orders_by_status', sql: `${engine.byStatus};` },
            ],
          },
        ]),
      );
      try {
        let state = await runner.run('order_plans');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_plan_differences'), 0);
        assert.equal(state.result?.passed, true);
        let queries = state.result?.details.queries as QueryDetails[];
        const before = queries[0];
        assert.match(
          before?.shapes.production?.join('\n') ?? '',
          new RegExp(engine.indexNode.source, 'm'),
          'the planner uses the index on production',
        );
        assert.deepEqual(before?.shapes.production, before?.shapes.staging);
        assert.ok(before?.plans.production !== undefined && before.plans.staging !== undefined, 'both raw plans are in the details');

        await server.exec(engine.dropIndex, 'staging');
        state = await runner.run('order_plans');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_plan_differences'), 1, 'one of the two queries changed its plan');
        assert.equal(state.result?.passed, false);
        assert.deepEqual(state.result?.scores, [{ dimension: 'data', candidate: 'staging', value: 0.5 }]);
        assert.deepEqual(state.result?.details.differingQueries, ['order_by_time']);
        queries = state.result?.details.queries as QueryDetails[];
        const after = queries[0];
        assert.equal(after?.sameShape, false);
        assert.match(after?.shapes.production?.join('\n') ?? '', new RegExp(engine.indexNode.source, 'm'));
        assert.match(after?.shapes.staging?.join('\n') ?? '', new RegExp(engine.scanNode.source, 'm'), 'staging scans the whole table');
        const changed = after?.differences.find((difference) => difference.change === 'changed');
        assert.match(changed?.baseline ?? '', engine.indexNode);
        assert.match(changed?.candidate ?? '', engine.scanNode);
        assert.equal(queries[1]?.sameShape, true);
        assert.match(state.result?.summary ?? '', /^1 of 2 plans differ; order_by_time: /);
      } finally {
        await runner.close();
      }
    });
  });
}
