import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';
import { CheckRunner, configWith } from '../helpers/harness.js';

/** Scheduling guarantees that protect production: per-side concurrency and no overlapping samples. */
describe('concurrency limits and overlapping samples', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  let pgReader: LeastPrivilegeRole;
  let mariaReader: LeastPrivilegeRole;

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()]);
    // The exporter reads with the documented least-privilege roles; the superuser only builds fixtures.
    [pgReader, mariaReader] = await Promise.all([
      createLeastPrivilegeRole(postgres, { databases: ['fidelity'], kinds: ['query'] }),
      createLeastPrivilegeRole(mariadb, { databases: ['fidelity'], kinds: ['query'] }),
    ]);
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  test('production never sees more than max_concurrency statements from the exporter, identified by name', async () => {
    const checks = Array.from({ length: 5 }, (_, i) => ({
      name: `slow_${i}`,
      kind: 'query',
      database: 'db',
      sql: `SELECT pg_sleep(0.4), ${i} AS n`,
    }));
    const config = configWith(
      { production: { db: pgReader.url() }, staging: { db: mariaReader.url() } },
      checks.map((c) => ({ ...c, sql_per_side: { staging: `SELECT SLEEP(0.4) AS pg_sleep, ${c.name.slice(5)} AS n` } })),
    );
    config.root.environments.production!.max_concurrency = 1;
    const runner = new CheckRunner(config);
    let maxActive = 0;
    let sampling = true;
    const watcher = (async () => {
      while (sampling) {
        const rows = await postgres.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fidelity-exporter' AND state = 'active' AND (query LIKE 'SELECT pg_sleep%' OR query LIKE 'COPY (_SELECT pg_sleep%')",
        );
        maxActive = Math.max(maxActive, rows[0]?.n ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const states = await Promise.all(checks.map((check) => runner.run(check.name)));
      for (const state of states) assert.equal(state.lastRun?.success, true, state.lastRun?.error);
    } finally {
      sampling = false;
      await watcher;
      await runner.close();
    }
    assert.equal(maxActive, 1, `at most one concurrent statement on production (saw ${maxActive})`);
  });

  test('a second run of a check that is still running is skipped and counted', async () => {
    const runner = new CheckRunner(
      configWith({ production: { db: pgReader.url() }, staging: { db: pgReader.url() } }, [
        { name: 'slow', kind: 'query', database: 'db', sql: 'SELECT pg_sleep(0.5)' },
      ]),
    );
    try {
      const [first, second] = await Promise.all([runner.run('slow'), runner.run('slow')]);
      assert.equal(first, second);
      const state = runner.store.get('slow');
      assert.equal(state?.skipped, 1);
      assert.equal(state?.runs.success, 1);
    } finally {
      await runner.close();
    }
  });
});
