import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';
import { CheckRunner, configWith } from '../helpers/harness.js';
import { SampleError } from '../../src/core/errors.js';

/**
 * The exporter never changes a compared database, whatever SQL reaches a connector (the config
 * guard is bypassed here on purpose), and a statement past its deadline stops on the server.
 */

interface Engine {
  name: string;
  server: () => DatabaseServer;
  checksum: string;
  statements: string[];
  sleep: string;
  running: string;
}

describe('read-only safety and server-side timeouts', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  const readerUrls = new Map<DatabaseServer, string>();

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()]);
    const setup = "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');";
    await Promise.all([postgres.exec(setup), mariadb.exec(setup)]);
    // The exporter connects with the documented least-privilege role: even so, every write is refused
    // by the read-only transaction (or, first, by the missing privilege).
    for (const server of [postgres, mariadb])
      readerUrls.set(server, (await createLeastPrivilegeRole(server, { databases: ['fidelity'], kinds: ['query'] })).url());
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  const engines: Engine[] = [
    {
      name: 'PostgreSQL',
      server: () => postgres,
      checksum: "SELECT count(*)::text || ':' || coalesce(string_agg(id::text || v, ',' ORDER BY id), '') AS sum FROM t",
      statements: [
        'DELETE FROM t',
        'WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone',
        'SELECT 1; DROP TABLE t',
        'SET TRANSACTION READ WRITE',
        'DROP TABLE t',
        "INSERT INTO t VALUES (9, 'x') RETURNING id",
        'SELECT * FROM t FOR UPDATE',
      ],
      sleep: 'SELECT pg_sleep(60)',
      running:
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE (query LIKE 'SELECT pg_sleep(60)%' OR query LIKE 'COPY (_SELECT pg_sleep(60)%') AND state = 'active'",
    },
    {
      name: 'MariaDB',
      server: () => mariadb,
      checksum: "SELECT CONCAT(count(*), ':', coalesce(group_concat(CONCAT(id, v) ORDER BY id), '')) AS sum FROM t",
      statements: [
        'DELETE FROM t',
        "INSERT INTO t VALUES (9, 'x')",
        'SELECT 1; DROP TABLE t',
        'SET TRANSACTION READ WRITE',
        'DROP TABLE t',
        'TRUNCATE TABLE t',
        'CREATE TABLE t2 (id int)',
      ],
      sleep: 'SELECT SLEEP(60)',
      running: "SELECT count(*) AS n FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(60)%'",
    },
  ];

  const runnerFor = (server: DatabaseServer) =>
    new CheckRunner(
      configWith({ production: { db: readerUrls.get(server) as string }, staging: { db: readerUrls.get(server) as string } }, [
        { name: 'noop', kind: 'query', database: 'db', sql: 'SELECT 1' },
      ]),
    );

  for (const engine of engines) {
    for (const statement of engine.statements) {
      test(`${engine.name}: "${statement}" changes nothing and fails with a clear reason`, async () => {
        const server = engine.server();
        const before = await server.query<{ sum: string }>(engine.checksum);
        const runner = runnerFor(server);
        try {
          const handle = runner.sides.handle('production', 'db', AbortSignal.timeout(10_000), () => 10_000);
          await assert.rejects(
            handle.stream(statement, { maxRows: 100 }, () => undefined),
            (error: unknown) => {
              assert.ok(error instanceof SampleError, String(error));
              assert.ok(['read_only', 'query', 'permission'].includes(error.reason), `${error.reason}: ${error.message}`);
              assert.ok(error.message.length > 10);
              return true;
            },
          );
        } finally {
          await runner.close();
        }
        assert.deepEqual(await server.query<{ sum: string }>(engine.checksum), before);
        const tables = await server.query<{ n: number | string }>(
          engine.name === 'PostgreSQL'
            ? "SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('t', 't2')"
            : "SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('t', 't2')",
        );
        assert.equal(Number(tables[0]?.n), 1, 'no table dropped or created');
      });
    }

    test(`${engine.name}: "${engine.sleep}" with a 2 s timeout fails with reason timeout and leaves nothing running`, async () => {
      const server = engine.server();
      const runner = new CheckRunner(
        configWith({ production: { db: readerUrls.get(server) as string }, staging: { db: readerUrls.get(server) as string } }, [
          { name: 'slow', kind: 'query', database: 'db', sql: engine.sleep, timeout: '2s' },
        ]),
      );
      try {
        const started = performance.now();
        const state = await runner.run('slow');
        const seconds = (performance.now() - started) / 1000;
        console.log(`${engine.name}: sleep sample failed after ${seconds.toFixed(2)} s`);
        assert.equal(state.lastRun?.success, false);
        assert.equal(state.lastRun?.reason, 'timeout', state.lastRun?.error);
        // A correctness bound (the statement did not run its 60 s), not a speed measurement.
        assert.ok(seconds < 15, `took ${seconds} s`);
        // The server stopped the statement: poll briefly, the cancel is asynchronous.
        let running = 1;
        for (let i = 0; i < 50 && running > 0; i += 1) {
          running = Number((await server.query<{ n: number | string }>(engine.running))[0]?.n ?? 0);
          if (running > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(running, 0, 'the sleeping statement is still running on the server');
      } finally {
        await runner.close();
      }
    });
  }
});
