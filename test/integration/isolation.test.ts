import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfigObject } from '../../src/runtime/load.js';
import { Sides } from '../../src/connectors/sides.js';
import { CheckRunner } from '../helpers/harness.js';
import { silentLogger } from '../../src/log.js';
import { ResultsStore, type SampleRecord } from '../../src/results/store.js';
import { ExamplesPrivacy } from '../../src/results/privacy.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { freezePostgres } from '../helpers/freeze.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';
import { createReadOnlyRole } from '../helpers/read-only-role.js';

/**
 * A frozen PostgreSQL (postmaster and backends stopped with SIGSTOP, sockets open) in the same
 * environments as a healthy MariaDB: the MariaDB checks never notice, the PostgreSQL checks fail
 * at their deadline saying which database, and everything recovers once the server continues.
 */

const INTERVAL_MS = 3000;
const TIMEOUT_MS = 2000;
const PG_CHECKS = ['pg_a', 'pg_b', 'pg_c', 'pg_d'];
const MARIA_CHECKS = ['maria_a', 'maria_b', 'maria_c', 'maria_d'];

interface Run extends SampleRecord {
  check: string;
}

describe('one frozen database never fails the checks of another', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  let thaw: (() => void) | undefined;

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()]);
    const fixture = "CREATE TABLE items (id int PRIMARY KEY, name varchar(20)); INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c');";
    await Promise.all([postgres.exec(fixture), mariadb.exec(fixture)]);
  });
  after(async () => {
    thaw?.();
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  test('MariaDB checks succeed throughout; PostgreSQL checks time out naming the database; all recover', async () => {
    const [pgUrl, mariaUrl] = await Promise.all([createReadOnlyRole(postgres), createReadOnlyRole(mariadb)]);
    const databases = { pg: { url: pgUrl }, maria: { url: mariaUrl } };
    const check = (name: string) => ({
      name,
      kind: 'query',
      database: name.split('_')[0],
      sql: 'SELECT id, name FROM items ORDER BY id',
    });
    const config = loadConfigObject(
      {
        // Two slots per database: fewer than the PostgreSQL checks, so statements wait for slots too.
        environments: { production: { max_concurrency: 2, databases }, staging: { max_concurrency: 2, databases } },
        defaults: { every: `${INTERVAL_MS}ms`, timeout: `${TIMEOUT_MS}ms`, side_probe_interval: '1s' },
        checks: [...PG_CHECKS, ...MARIA_CHECKS].map(check),
      },
      { env: {} },
    );
    const store = new ResultsStore();
    store.setChecks(config.checks, new ExamplesPrivacy(config.root, config.checks));
    const sides = new Sides(config.root, silentLogger);
    const scheduler = new Scheduler({ root: config.root, sides, store, log: silentLogger });

    // Every finished sample, and whether each database was up, polled while the scheduler runs.
    const runs: Run[] = [];
    const seen = new Set<string>();
    const downSeen = new Map<string, boolean>();
    let polling = true;
    let freezing = false;
    const poller = (async () => {
      while (polling) {
        for (const state of store.all()) {
          const run = state.lastRun;
          const key = `${state.check.name}@${run?.startedAt}`;
          if (run && !seen.has(key)) {
            seen.add(key);
            runs.push({ check: state.check.name, ...run });
          }
        }
        if (freezing) {
          for (const [side, health] of sides.health) {
            for (const [database, up] of health) if (!up) downSeen.set(`${side}/${database}`, true);
          }
        }
        await sleep(50);
      }
    })();

    let frozenAt = 0;
    let thawedAt = 0;
    try {
      scheduler.start(config.checks, config.root.defaults.side_probe_interval);
      await sleep(INTERVAL_MS + 500);
      frozenAt = Date.now();
      freezing = true;
      thaw = freezePostgres(postgres);
      await sleep(3 * INTERVAL_MS);
      freezing = false;
      thawedAt = Date.now();
      thaw();
      // One interval, plus the time a sample takes, for the first sample after the thaw.
      await sleep(INTERVAL_MS + TIMEOUT_MS + 1000);
    } finally {
      thaw?.();
      await scheduler.stop();
      polling = false;
      await poller;
      await sides.close();
    }

    const describeRun = (run: Run) =>
      `${run.check} ${run.success ? 'ok' : `${run.reason}: ${run.error}`} after ${Math.round(run.durationMs)} ms`;
    const before = runs.filter((run) => run.finishedAt < frozenAt);
    for (const name of [...PG_CHECKS, ...MARIA_CHECKS]) {
      assert.ok(
        before.some((run) => run.check === name && run.success),
        `${name} succeeded before the freeze`,
      );
    }

    // MariaDB: every sample succeeded, before, during and after the freeze.
    for (const name of MARIA_CHECKS) {
      const own = runs.filter((run) => run.check === name);
      for (const run of own) assert.equal(run.success, true, describeRun(run));
      const during = own.filter((run) => run.startedAt >= frozenAt && run.finishedAt <= thawedAt);
      assert.ok(during.length >= 2, `${name} ran at least twice while PostgreSQL was frozen (${during.length})`);
    }

    // PostgreSQL: every sample started while frozen and over before the thaw failed at its deadline, naming the database.
    for (const name of PG_CHECKS) {
      const during = runs.filter((run) => run.check === name && run.startedAt >= frozenAt && run.finishedAt <= thawedAt);
      assert.ok(during.length >= 2, `${name} ran at least twice while PostgreSQL was frozen (${during.length})`);
      for (const run of during) {
        assert.equal(run.success, false, describeRun(run));
        assert.equal(run.reason, 'timeout', describeRun(run));
        assert.match(
          run.error ?? '',
          new RegExp(`^${name} on (production|staging)/pg \\(127\\.0\\.0\\.1:${postgres.port}\\): `),
          describeRun(run),
        );
        assert.ok(run.durationMs <= TIMEOUT_MS + 1000, `within the timeout + 1 s: ${describeRun(run)}`);
      }
    }

    // Each database's up reflects that database alone.
    assert.equal(downSeen.get('production/pg'), true, 'production/pg was seen down while frozen');
    assert.equal(downSeen.get('staging/pg'), true, 'staging/pg was seen down while frozen');
    assert.equal(downSeen.get('production/maria'), undefined, 'production/maria stayed up');
    assert.equal(downSeen.get('staging/maria'), undefined, 'staging/maria stayed up');

    // Within one interval of the thaw every check has succeeded again, and is up.
    for (const name of [...PG_CHECKS, ...MARIA_CHECKS]) {
      const state = store.get(name);
      assert.ok(state?.lastRun && state.lastRun.startedAt >= thawedAt, `${name} ran after the thaw`);
      const firstAfter = runs.find((run) => run.check === name && run.startedAt >= thawedAt);
      assert.ok(firstAfter?.success, `${name}'s first sample after the thaw succeeded: ${firstAfter ? describeRun(firstAfter) : 'none'}`);
      assert.ok(firstAfter.startedAt <= thawedAt + INTERVAL_MS, `${name} sampled within one interval of the thaw`);
    }
    for (const side of ['production', 'staging']) {
      for (const database of ['pg', 'maria']) assert.equal(sides.health.get(side)?.get(database), true, `${side}/${database} up again`);
    }
  });

  test('a statement on a server that stops answering ends at the deadline: the connection is dropped and its slot returned', async () => {
    const url = await createReadOnlyRole(postgres);
    const databases = { pg: { url, max_concurrency: 1 } };
    const runner = new CheckRunner(
      loadConfigObject(
        {
          environments: { production: { databases }, staging: { databases } },
          defaults: { every: '1h', timeout: `${TIMEOUT_MS}ms` },
          checks: [
            { name: 'long_read', kind: 'query', database: 'pg', sql: 'SELECT pg_sleep(30), 1 AS n' },
            { name: 'next_read', kind: 'query', database: 'pg', sql: 'SELECT 1 AS n' },
          ],
        },
        { env: {} },
      ),
    );
    try {
      const sample = runner.run('long_read');
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const rows = await postgres.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'fidelity_slot_reader' AND (query LIKE 'SELECT pg_sleep(30)%' OR query LIKE 'COPY (_SELECT pg_sleep(30)%') AND state = 'active'",
        );
        if (rows[0]?.n === 2) break;
        await sleep(50);
      }
      thaw = freezePostgres(postgres);
      const long = (await sample).lastRun;
      assert.equal(long?.reason, 'timeout', long?.error);
      assert.match(long?.error ?? '', /^long_read on (production|staging)\/pg \(127\.0\.0\.1:\d+\): check timeout reached/);
      assert.ok((long?.durationMs ?? Infinity) <= TIMEOUT_MS + 1000, `within the timeout + 1 s (${long?.durationMs} ms)`);

      // The only slot came back with the dropped connection: the next sample does not wait for it.
      const next = (await runner.run('next_read')).lastRun;
      assert.equal(next?.reason, 'timeout', next?.error);
      assert.doesNotMatch(next?.error ?? '', /waited/);
      thaw();
      assert.equal((await runner.run('next_read')).lastRun?.success, true, 'answers again once the server continues');
    } finally {
      thaw?.();
      await runner.close();
    }
  });
});
