import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';

/** The freshness kind on real PostgreSQL and MariaDB: staging two days behind production. */

const HOUR = 3600;

/** "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, `secondsAgo` before `now`, at whole milliseconds. */
function utcText(now: number, secondsAgo: number): string {
  return new Date(now - secondsAgo * 1000).toISOString().replace('T', ' ').replace('Z', '');
}

interface Engine {
  label: string;
  start: () => Promise<DatabaseServer>;
  table: string;
}

const ENGINES: Engine[] = [
  { label: 'PostgreSQL', start: startPostgres, table: 'CREATE TABLE events (id integer PRIMARY KEY, happened_at timestamptz NOT NULL)' },
  { label: 'MariaDB', start: startMariaDb, table: 'CREATE TABLE events (id integer PRIMARY KEY, happened_at datetime(6) NOT NULL)' },
];

for (const engine of ENGINES) {
  describe(`freshness checks on ${engine.label}`, () => {
    let server: DatabaseServer;
    let role: LeastPrivilegeRole;
    const now = Date.now();
    // The zone suffix makes PostgreSQL read the literal as UTC; MariaDB sessions run in UTC.
    const literal = (secondsAgo: number) => `'${utcText(now, secondsAgo)}${engine.label === 'PostgreSQL' ? '+00' : ''}'`;

    before(async () => {
      server = await engine.start();
      await server.exec('CREATE DATABASE staging');
      for (const database of [undefined, 'staging']) {
        await server.exec(engine.table, database);
        await server.exec(`INSERT INTO events VALUES (1, ${literal(30 * HOUR)}), (2, ${literal(HOUR)})`, database);
      }
      // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
      role = await createLeastPrivilegeRole(server, { databases: ['fidelity', 'staging'], kinds: ['freshness'] });
    });
    after(async () => {
      await server?.destroy();
    });

    const runner = (check: Record<string, unknown> = {}) =>
      new CheckRunner(
        configWith({ production: { shop: role.url() }, staging: { shop: role.url('staging') } }, [
          {
            name: 'events_freshness',
            kind: 'freshness',
            database: 'shop',
            sql: 'SELECT max(happened_at) FROM events',
            max_age: '24h',
            ...check,
          },
        ]),
      );

    test('in step: lag 0, age about an hour, score 1; staging two days stale: lag 48 h, age 49 h, score 0', async () => {
      const check = runner();
      try {
        let state = await check.run('events_freshness');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_data_lag_seconds', { baseline: 'production', candidate: 'staging' }), 0);
        const age = seriesValue(state, 'fidelity_data_age_seconds', { side: 'staging' }) ?? Number.NaN;
        assert.ok(age >= HOUR && age < HOUR + 120, `age ${age}`);
        assert.equal(seriesValue(state, 'fidelity_freshness_max_age_seconds'), 24 * HOUR);
        assert.equal(state.result?.passed, true);
        assert.deepEqual(state.result?.scores, [{ dimension: 'freshness', candidate: 'staging', value: 1 }]);

        // Staging's copy stopped two days ago: its newest event is 49 h old.
        await server.exec(
          `DELETE FROM events; INSERT INTO events VALUES (1, ${literal(60 * HOUR)}), (3, ${literal(49 * HOUR)})`,
          'staging',
        );
        state = await check.run('events_freshness');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_data_lag_seconds'), 48 * HOUR);
        const staleAge = seriesValue(state, 'fidelity_data_age_seconds', { side: 'staging' }) ?? Number.NaN;
        const productionAge = seriesValue(state, 'fidelity_data_age_seconds', { side: 'production' }) ?? Number.NaN;
        assert.ok(staleAge >= 49 * HOUR && staleAge < 49 * HOUR + 120, `age ${staleAge}`);
        assert.equal(Math.round(staleAge - productionAge), 48 * HOUR);
        assert.equal(state.result?.passed, false);
        assert.deepEqual(state.result?.scores, [{ dimension: 'freshness', candidate: 'staging', value: 0 }]);
        assert.match(state.result?.summary ?? '', /^staging data is 49\.0 h old \(max 24\.0 h\), 48\.0 h behind production$/);
        const sides = state.result?.details.sides as Record<string, { newest: string }>;
        assert.equal(sides.staging?.newest, new Date(now - 49 * HOUR * 1000).toISOString());
      } finally {
        await server.exec(`DELETE FROM events; INSERT INTO events VALUES (1, ${literal(30 * HOUR)}), (2, ${literal(HOUR)})`, 'staging');
        await check.close();
      }
    });

    test('an empty candidate is infinitely old; Unix seconds work; max_lag fails a check within max_age', async () => {
      await server.exec('CREATE TABLE empty_events (happened_at integer)', 'staging');
      await server.exec('CREATE TABLE empty_events (happened_at integer)');
      let check = runner({ sql_per_side: { staging: 'SELECT max(happened_at) FROM empty_events' } });
      try {
        const state = await check.run('events_freshness');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_data_age_seconds', { side: 'staging' }), Number.POSITIVE_INFINITY);
        assert.equal(seriesValue(state, 'fidelity_data_lag_seconds'), Number.POSITIVE_INFINITY);
        assert.equal(state.result?.passed, false);
        assert.equal(state.result?.summary, 'staging has no data (the query returned no timestamp)');
      } finally {
        await check.close();
      }

      const epoch = Math.floor(now / 1000);
      check = runner({
        sql: `SELECT ${epoch - HOUR}`,
        sql_per_side: { staging: `SELECT ${epoch - 3 * HOUR}` },
        max_lag: '1h',
      });
      try {
        const state = await check.run('events_freshness');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(seriesValue(state, 'fidelity_data_lag_seconds'), 2 * HOUR);
        assert.equal(state.result?.passed, false, 'fresh enough for max_age, too far behind for max_lag');
        assert.deepEqual(state.result?.scores, [{ dimension: 'freshness', candidate: 'staging', value: 0 }]);
      } finally {
        await check.close();
      }
    });

    test('a query returning several rows, or no timestamp, fails the sample with a clear reason', async () => {
      let check = runner({ sql: 'SELECT happened_at FROM events' });
      try {
        const state = await check.run('events_freshness');
        assert.equal(state.lastRun?.success, false);
        assert.equal(state.lastRun?.reason, 'query');
        assert.match(state.lastRun?.error ?? '', /returned more than one row; it must return the newest timestamp only/);
        assert.equal(state.result, undefined);
      } finally {
        await check.close();
      }
      check = runner({ sql: "SELECT 'yesterday-ish'" });
      try {
        const state = await check.run('events_freshness');
        assert.equal(state.lastRun?.reason, 'parse');
        assert.match(state.lastRun?.error ?? '', /is not a timestamp, date or Unix seconds/);
      } finally {
        await check.close();
      }
    });
  });
}
