import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfigObject } from '../../src/runtime/load.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner } from '../helpers/harness.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';
import { createReadOnlyRole } from '../helpers/read-only-role.js';

/**
 * Failure reasons and messages say what happened: a lost connection is `connect`, a source that
 * is not text says so, a wait for a connection slot is named as such, and every database error
 * names the check, side, database and host:port without the credentials.
 */
describe('reasons that tell the truth', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  let pgUrl: string;
  let mariaUrl: string;
  let dir: string;

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()]);
    const fixture = "CREATE TABLE items (id int PRIMARY KEY, name varchar(20)); INSERT INTO items VALUES (1, 'a'), (2, 'b');";
    await Promise.all([postgres.exec(fixture), mariadb.exec(fixture)]);
    [pgUrl, mariaUrl] = await Promise.all([createReadOnlyRole(postgres), createReadOnlyRole(mariadb)]);
    dir = await mkdtemp(join(tmpdir(), 'fidelity-reasons-'));
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy(), dir && rm(dir, { recursive: true, force: true })]);
  });

  const runnerFor = (environment: Record<string, unknown>, checks: Array<Record<string, unknown>>) =>
    new CheckRunner(
      loadConfigObject(
        { environments: { production: environment, staging: environment }, defaults: { every: '1h', timeout: '20s' }, checks },
        { env: {} },
      ),
    );

  /**
   * Runs a long statement on both sides, has `endBoth` end both server connections while it runs,
   * and checks the sample fails with reason `connect`, naming where, without the credentials.
   */
  async function lostMidStatement(url: string, port: number, sql: string, endBoth: () => Promise<void>): Promise<void> {
    const runner = runnerFor({ databases: { shop: { url } } }, [{ name: 'long_read', kind: 'query', database: 'shop', sql }]);
    try {
      const sample = runner.run('long_read');
      await endBoth();
      const state = await sample;
      const error = state.lastRun?.error ?? '';
      assert.equal(state.lastRun?.success, false);
      assert.equal(state.lastRun?.reason, 'connect', error);
      assert.match(error, new RegExp(`^long_read on (production|staging)/shop \\(127\\.0\\.0\\.1:${port}\\): `));
      const parsed = new URL(url);
      for (const secret of [parsed.password, url]) assert.ok(!error.includes(secret), 'no credentials in the message');
    } finally {
      await runner.close();
    }
  }

  test('an unreachable port fails with reason connect, naming check, side, database and host:port, on both engines', async () => {
    // Port 1: nothing listens there on a test machine.
    for (const url of [pgUrl, mariaUrl]) {
      const unreachable = new URL(url);
      unreachable.port = '1';
      const runner = new CheckRunner(
        loadConfigObject(
          {
            environments: {
              production: { databases: { shop: { url: unreachable.toString() } } },
              staging: { databases: { shop: { url: unreachable.toString() } } },
            },
            defaults: { every: '1h', timeout: '20s' },
            checks: [{ name: 'items_read', kind: 'query', database: 'shop', sql: 'SELECT id FROM items' }],
          },
          { env: {} },
        ),
      );
      try {
        const state = await runner.run('items_read');
        const error = state.lastRun?.error ?? '';
        assert.equal(state.lastRun?.success, false, url);
        assert.equal(state.lastRun?.reason, 'connect', error);
        assert.match(error, /^items_read on (production|staging)\/shop \(127\.0\.0\.1:1\): /);
        for (const secret of [unreachable.password, unreachable.username]) assert.ok(!error.includes(secret), `no credentials: ${error}`);
      } finally {
        await runner.close();
      }
    }
  });

  test('a PostgreSQL backend terminated mid-statement fails the sample with reason connect, naming where', async () => {
    await lostMidStatement(pgUrl, postgres.port, 'SELECT pg_sleep(10), 1 AS n', async () => {
      // Both sides' statements running, then their backends ended as an administrator would. The query
      // kind reads PostgreSQL through COPY, which wraps the statement as `COPY (\n<statement>\n) TO STDOUT`.
      const running =
        "FROM pg_stat_activity WHERE application_name = 'fidelity-exporter' AND (query LIKE 'SELECT pg_sleep(10)%' OR query LIKE 'COPY (_SELECT pg_sleep(10)%') AND state = 'active'";
      for (let attempt = 0; attempt < 100; attempt += 1) {
        if ((await postgres.query<{ n: number }>(`SELECT count(*)::int AS n ${running}`))[0]?.n === 2) break;
        await sleep(50);
      }
      const terminated = await postgres.query<{ n: number }>(`SELECT count(pg_terminate_backend(pid))::int AS n ${running}`);
      assert.equal(terminated[0]?.n, 2, 'both statements were seen running and terminated');
    });
  });

  test('a pooled PostgreSQL connection terminated while idle is not reused as "not queryable"', async () => {
    const runner = runnerFor({ databases: { shop: { url: pgUrl } } }, [
      { name: 'items', kind: 'query', database: 'shop', sql: 'SELECT id, name FROM items ORDER BY id' },
    ]);
    try {
      assert.equal((await runner.run('items')).lastRun?.success, true);
      await postgres.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fidelity-exporter'");
      await sleep(200);
      const state = await runner.run('items');
      if (!state.lastRun?.success) assert.equal(state.lastRun?.reason, 'connect', state.lastRun?.error);
      assert.equal((await runner.run('items')).lastRun?.success, true, 'the sample after recovers');
    } finally {
      await runner.close();
    }
  });

  test('a MariaDB connection killed mid-statement fails the sample with reason connect, naming where', async () => {
    await lostMidStatement(mariaUrl, mariadb.port, 'SELECT SLEEP(10) AS s, 1 AS n', async () => {
      let rows: Array<{ ID: number }> = [];
      for (let attempt = 0; attempt < 100 && rows.length < 2; attempt += 1) {
        await sleep(50);
        rows = await mariadb.query<{ ID: number }>("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(10)%'");
      }
      assert.equal(rows.length, 2, 'both statements were seen running');
      for (const row of rows) await mariadb.exec(`KILL CONNECTION ${Number(row.ID)}`);
    });
  });

  test('a wait for a connection slot cut short by the deadline says so; another database of the side is not held up', async () => {
    const runner = runnerFor({ databases: { shop: { url: pgUrl, max_concurrency: 1 }, maria: { url: mariaUrl } } }, [
      { name: 'slow', kind: 'query', database: 'shop', sql: 'SELECT pg_sleep(3), 1 AS n' },
      { name: 'quick', kind: 'query', database: 'shop', sql: 'SELECT 1 AS n', timeout: '1s' },
      { name: 'neighbour', kind: 'query', database: 'maria', sql: 'SELECT 1 AS n', timeout: '1s' },
    ]);
    try {
      const slow = runner.run('slow');
      // Both sides' single slot of `shop` are taken by the slow statement before the others start.
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const rows = await postgres.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fidelity-exporter' AND (query LIKE 'SELECT pg_sleep(3)%' OR query LIKE 'COPY (_SELECT pg_sleep(3)%') AND state = 'active'",
        );
        if ((rows[0]?.n ?? 0) === 2) break;
        await sleep(50);
      }
      const [quick, neighbour] = await Promise.all([runner.run('quick'), runner.run('neighbour')]);
      assert.equal(quick.lastRun?.success, false);
      assert.equal(quick.lastRun?.reason, 'timeout');
      assert.match(
        quick.lastRun?.error ?? '',
        new RegExp(
          `^quick on (production|staging)/shop \\(127\\.0\\.0\\.1:${postgres.port}\\): waited 1(\\.\\d)? s for a connection: 1 of 1 in use by statements running for \\d+(\\.\\d)? s$`,
        ),
      );
      assert.equal(neighbour.lastRun?.success, true, neighbour.lastRun?.error);
      assert.equal((await slow).lastRun?.success, true, 'the slow statement itself finished');
    } finally {
      await runner.close();
    }
  });

  test('a config source replaced by binary bytes says so', async () => {
    const text = join(dir, 'production.yaml');
    const binary = join(dir, 'staging.yaml');
    await writeFile(text, 'server:\n  port: 8080\n');
    // Every byte value, eight times: what an image or archive in place of the file looks like.
    await writeFile(binary, Buffer.from(Array.from({ length: 2048 }, (_, index) => index % 256)));
    const runner = new CheckRunner(
      loadConfigObject(
        {
          environments: { production: { configs: { app: { file: text } } }, staging: { configs: { app: { file: binary } } } },
          defaults: { every: '1h', timeout: '5s' },
          checks: [{ name: 'app_config', kind: 'config', source: 'app' }],
        },
        { env: {} },
      ),
    );
    try {
      const state = await runner.run('app_config');
      assert.equal(state.lastRun?.success, false);
      assert.equal(state.lastRun?.reason, 'parse');
      assert.equal(state.lastRun?.error, 'staging source "app": not a text document (binary content, 2048 bytes)');
    } finally {
      await runner.close();
    }
  });
});
