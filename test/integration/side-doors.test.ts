import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject, type LoadedConfig } from '../../src/runtime/load.js';
import { SampleError } from '../../src/core/errors.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner } from '../helpers/harness.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';

/**
 * SQL that tries to change something through a side door is refused, at config time by the SQL
 * guard or by the database's read-only transaction, and leaves nothing behind: not with the
 * documented least-privilege role, and not with a role that may write (read-only is by
 * construction, not by grant). The connector path below bypasses the config guard on purpose.
 */

interface SideDoor {
  name: string;
  sql: string;
  /** The database refuses it inside the read-only transaction (otherwise it must leave no trace). */
  databaseRefuses: boolean;
  /** The config guard lets it through (the database is the one that refuses). */
  passesGuard?: boolean;
}

interface Engine {
  name: string;
  start: () => Promise<DatabaseServer>;
  fixtures: string;
  writerRole: (server: DatabaseServer) => Promise<string>;
  doors: SideDoor[];
  /** One text summarising everything a side door could change. */
  fingerprint: string;
  /** Session state a side door could leave on a pooled connection, read through the exporter. */
  leftover: string;
  sleep: string;
  /** Milliseconds the sleeping statement has run, one row per running copy. */
  running: string;
}

const OUTFILE = `/tmp/fidelity-side-door-${process.pid}.txt`;

const engines: Engine[] = [
  {
    name: 'PostgreSQL',
    start: () => startPostgres(),
    fixtures: `
      CREATE TABLE t (id int PRIMARY KEY, v text);
      INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');
      CREATE SEQUENCE s;
      CREATE FUNCTION sneaky_insert() RETURNS int LANGUAGE plpgsql SECURITY DEFINER AS
        $$ BEGIN INSERT INTO t VALUES (100, 'x'); RETURN 1; END $$;
      CREATE PROCEDURE sneaky_proc() LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN INSERT INTO t VALUES (101, 'y'); END $$;`,
    async writerRole(server) {
      const password = 'w' + process.pid;
      await server.exec(
        `CREATE ROLE writer LOGIN PASSWORD '${password}'; GRANT ALL ON ALL TABLES IN SCHEMA public TO writer; ` +
          `GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO writer; GRANT CREATE, USAGE ON SCHEMA public TO writer;`,
      );
      return `postgres://writer:${password}@${server.host}:${server.port}/fidelity`;
    },
    doors: [
      {
        name: 'a PL/pgSQL function that INSERTs (SECURITY DEFINER)',
        sql: 'SELECT sneaky_insert()',
        databaseRefuses: true,
        passesGuard: true,
      },
      { name: 'nextval', sql: "SELECT nextval('s')", databaseRefuses: true },
      { name: 'pg_advisory_lock (a session lock)', sql: 'SELECT pg_advisory_lock(4242)', databaseRefuses: false },
      { name: 'set_config(..., false)', sql: "SELECT set_config('fidelity.leak', 'yes', false)", databaseRefuses: false },
      { name: 'SELECT ... FOR UPDATE', sql: 'SELECT * FROM t FOR UPDATE', databaseRefuses: true },
      {
        name: 'a data-modifying CTE',
        sql: 'WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone',
        databaseRefuses: true,
        passesGuard: true,
      },
      { name: 'COPY ... TO PROGRAM', sql: `COPY (SELECT 1) TO PROGRAM 'touch ${OUTFILE}'`, databaseRefuses: true },
      { name: 'SELECT ... INTO', sql: 'SELECT * INTO t_copy FROM t', databaseRefuses: true },
      { name: 'CALL', sql: 'CALL sneaky_proc()', databaseRefuses: true },
    ],
    fingerprint:
      "SELECT (SELECT count(*)::text || ':' || string_agg(id::text || v, ',' ORDER BY id) FROM t) || '|seq=' || " +
      "(SELECT last_value::text || is_called::text FROM s) || '|tables=' || (SELECT count(*) FROM pg_tables WHERE schemaname = 'public') || " +
      "'|advisory=' || (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory') AS v",
    leftover: "SELECT coalesce(current_setting('fidelity.leak', true), '') AS v",
    sleep: 'SELECT pg_sleep(60)',
    // The query kind reads through COPY (SELECT ...) TO STDOUT: the statement is inside.
    running:
      "SELECT (extract(epoch FROM clock_timestamp() - query_start) * 1000)::int AS ms FROM pg_stat_activity WHERE query LIKE '%SELECT pg_sleep(60)%' AND pid <> pg_backend_pid() AND state = 'active'",
  },
  {
    name: 'MariaDB',
    start: () => startMariaDb(),
    fixtures: `
      CREATE TABLE t (id int PRIMARY KEY, v text);
      INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');
      CREATE SEQUENCE s;
      CREATE FUNCTION sneaky_insert() RETURNS int MODIFIES SQL DATA BEGIN INSERT INTO t VALUES (100, 'x'); RETURN 1; END;
      CREATE FUNCTION sneaky_variable() RETURNS int NO SQL BEGIN SET @leak = 'yes'; RETURN 1; END;
      CREATE PROCEDURE sneaky_proc() BEGIN INSERT INTO t VALUES (101, 'y'); END;`,
    async writerRole(server) {
      const password = 'w' + process.pid;
      await server.exec(`CREATE USER 'writer'@'%' IDENTIFIED BY '${password}'; GRANT ALL PRIVILEGES ON fidelity.* TO 'writer'@'%';`);
      return `mysql://writer:${password}@${server.host}:${server.port}/fidelity`;
    },
    doors: [
      { name: 'a stored function that INSERTs', sql: 'SELECT sneaky_insert()', databaseRefuses: true, passesGuard: true },
      { name: 'a stored function that sets a user variable', sql: 'SELECT sneaky_variable()', databaseRefuses: false, passesGuard: true },
      { name: 'a user variable assignment', sql: "SELECT @leak := 'yes'", databaseRefuses: false },
      { name: 'NEXTVAL', sql: 'SELECT NEXTVAL(s)', databaseRefuses: true },
      { name: 'GET_LOCK (a session lock)', sql: "SELECT GET_LOCK('fidelity_side_door', 0)", databaseRefuses: false },
      { name: 'SELECT ... FOR UPDATE', sql: 'SELECT * FROM t FOR UPDATE', databaseRefuses: false },
      { name: 'SELECT ... INTO OUTFILE', sql: `SELECT * FROM t INTO OUTFILE '${OUTFILE}'`, databaseRefuses: true },
      { name: 'CALL', sql: 'CALL sneaky_proc()', databaseRefuses: true },
    ],
    fingerprint:
      "SELECT CONCAT((SELECT CONCAT(count(*), ':', group_concat(CONCAT(id, v) ORDER BY id)) FROM t), '|seq=', " +
      "(SELECT next_not_cached_value FROM s), '|tables=', (SELECT count(*) FROM information_schema.tables WHERE table_schema = 'fidelity'), " +
      "'|lock=', coalesce(IS_USED_LOCK('fidelity_side_door'), 'free')) AS v",
    leftover: "SELECT coalesce(@leak, '') AS v",
    sleep: 'SELECT SLEEP(60)',
    running: "SELECT TIME_MS AS ms FROM information_schema.processlist WHERE info = 'SELECT SLEEP(60)'",
  },
];

/** One side on one database, with a pool of one connection so session leftovers would show. */
function configFor(url: string, sql: string, timeout = '20s'): LoadedConfig {
  const side = { databases: { db: { url, pool_size: 1 } } };
  return loadConfigObject(
    {
      environments: { production: side, staging: side },
      defaults: { every: '1h', timeout, start_spread: '0s' },
      checks: [{ name: 'probe', kind: 'query', database: 'db', sql }],
    },
    { env: {} },
  );
}

async function readText(runner: CheckRunner, sql: string): Promise<string> {
  const handle = runner.sides.handle('production', 'db', AbortSignal.timeout(10_000), () => 10_000);
  let value = '';
  await handle.stream(sql, { maxRows: 10 }, (row) => (value = String(row[0] ?? '')));
  return value;
}

for (const engine of engines) {
  describe(`${engine.name}: writes through side doors are refused`, () => {
    let server: DatabaseServer;
    const roles = new Map<string, string>();

    before(async () => {
      server = await engine.start();
      await server.exec(engine.fixtures);
      roles.set('least-privilege role', (await createLeastPrivilegeRole(server, { databases: ['fidelity'], kinds: ['query'] })).url());
      roles.set('role with write privileges', await engine.writerRole(server));
    });
    after(async () => {
      await server?.destroy();
    });

    for (const door of engine.doors) {
      test(`${door.name}: ${door.passesGuard ? 'the config guard lets it through' : 'refused at config time'}`, () => {
        const load = () => configFor('postgres://u:p@127.0.0.1:1/db', door.sql);
        if (door.passesGuard) load();
        else
          assert.throws(
            load,
            (error: Error) => /checks\[0\]\.sql|checks\.0\.sql|probe/.test(error.message) && /must|only/.test(error.message),
          );
      });

      for (const role of ['least-privilege role', 'role with write privileges']) {
        test(`${door.name} (${role}, guard bypassed): ${door.databaseRefuses ? 'refused by the database' : 'leaves nothing behind'}`, async () => {
          const before = await server.query<{ v: string }>(engine.fingerprint);
          const runner = new CheckRunner(configFor(roles.get(role) as string, 'SELECT 1'));
          try {
            const handle = runner.sides.handle('production', 'db', AbortSignal.timeout(10_000), () => 10_000);
            const outcome = await handle
              .stream(door.sql, { maxRows: 100 }, () => undefined)
              .then(
                () => null,
                (error: unknown) => error,
              );
            if (outcome !== null) {
              assert.ok(outcome instanceof SampleError, String(outcome));
              assert.ok(['read_only', 'permission', 'query'].includes(outcome.reason), `${outcome.reason}: ${outcome.message}`);
            } else assert.equal(door.databaseRefuses, false, 'the database ran it');
            // The same pooled connection, next sample: no setting or variable survived.
            assert.equal(await readText(runner, engine.leftover), '');
            // Read while the exporter's connection is still open: closing it would release session locks.
            assert.deepEqual(await server.query<{ v: string }>(engine.fingerprint), before);
          } finally {
            await runner.close();
          }
          assert.equal(existsSync(OUTFILE), false, 'a file was written');
        });
      }
    }

    for (const role of ['least-privilege role', 'role with write privileges']) {
      test(`a long statement is cancelled on the server within its timeout + 0.5 s (${role})`, async () => {
        const runner = new CheckRunner(configFor(roles.get(role) as string, engine.sleep, '2s'));
        let lastSeenMs = 0;
        let watching = true;
        // The server's own clock says how long the statement ran: a slow poll can only see less.
        const watch = (async () => {
          while (watching) {
            const rows = await server.query<{ ms: number | string }>(engine.running);
            for (const row of rows) lastSeenMs = Math.max(lastSeenMs, Number(row.ms));
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })();
        try {
          const state = await runner.run('probe');
          assert.equal(state.lastRun?.reason, 'timeout', state.lastRun?.error);
          let left = 1;
          for (let i = 0; i < 50 && left > 0; i += 1) {
            left = (await server.query(engine.running)).length;
            if (left > 0) await new Promise((resolve) => setTimeout(resolve, 100));
          }
          assert.equal(left, 0, 'the statement is still running on the server');
        } finally {
          watching = false;
          await watch;
          await runner.close();
        }
        console.log(`${engine.name} (${role}): statement last seen on the server after ${lastSeenMs} ms (timeout 2000 ms)`);
        assert.ok(lastSeenMs > 0, 'the statement was never seen running');
        assert.ok(lastSeenMs <= 2500, `the server ran the statement ${lastSeenMs} ms`);
      });
    }
  });
}
