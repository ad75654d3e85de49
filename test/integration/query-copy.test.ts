// The query kind reads PostgreSQL through COPY text, parsed in a worker thread: values with the
// characters COPY escapes (tab, newline, carriage return, backslash), non-ASCII text, NULL and the
// empty string compare as a row-by-row read gives them, against PostgreSQL and MariaDB alike.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';

// The same values on both engines: E'' strings on PostgreSQL, the same escapes in MariaDB's literals.
const ROWS: Array<[number, string | null, string | null]> = [
  [1, 'tab\\there', 'line\\nbreak'],
  [2, 'back\\\\slash', 'cr\\rlf'],
  [3, 'Zoë 東京 🚀', '\\\\N'],
  [4, '', null],
  [5, null, ''],
  [6, 'dup', 'dup'],
  [7, 'dup', 'dup'],
];
const values = (prefix: string) =>
  ROWS.map((row) => `(${row.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? v : `${prefix}'${v}'`)).join(', ')})`).join(', ');
const PG = `CREATE TABLE notes (id int, a text, b text); INSERT INTO notes VALUES ${values('E')};`;
const MARIADB = `CREATE TABLE notes (id int, a text CHARACTER SET utf8mb4, b text); INSERT INTO notes VALUES ${values('')};`;

describe('query checks through COPY text', () => {
  let pgProduction: DatabaseServer;
  let pgStaging: DatabaseServer;
  let maria: DatabaseServer;
  const urls = new Map<DatabaseServer, string>();

  before(async () => {
    [pgProduction, pgStaging, maria] = await Promise.all([startPostgres(), startPostgres(), startMariaDb()]);
    await Promise.all([pgProduction.exec(PG), pgStaging.exec(PG), maria.exec(MARIADB)]);
    for (const server of [pgProduction, pgStaging, maria]) {
      urls.set(server, (await createLeastPrivilegeRole(server, { databases: ['fidelity'], kinds: ['query'] })).url());
    }
  });
  after(async () => {
    await Promise.all([pgProduction, pgStaging, maria].map((server) => server?.destroy()));
  });

  const run = async (staging: DatabaseServer, check: Record<string, unknown>) => {
    const runner = new CheckRunner(
      configWith({ production: { shop: urls.get(pgProduction) as string }, staging: { shop: urls.get(staging) as string } }, [
        { name: 'notes', kind: 'query', database: 'shop', sql: 'SELECT id, a, b FROM notes', examples: 'show', ...check },
      ]),
    );
    try {
      const state = await runner.run('notes');
      assert.equal(state.lastRun?.success, true, state.lastRun?.error);
      return state;
    } finally {
      await runner.close();
    }
  };

  test('escaped characters, non-ASCII text, NULL and the empty string match PostgreSQL and MariaDB read row by row', async () => {
    for (const staging of [pgStaging, maria]) {
      const state = await run(staging, {});
      assert.equal(
        seriesValue(state, 'fidelity_query_match'),
        1,
        `${staging === maria ? 'MariaDB' : 'PostgreSQL'}: ${state.result?.summary} ${JSON.stringify(state.result?.details.examples)}`,
      );
      assert.equal(seriesValue(state, 'fidelity_query_rows', { side: 'production' }), 7);
    }
  });

  test('a changed escaped value, a NULL turned empty and a lost duplicate are differences, with the values as read', async () => {
    await pgStaging.exec(
      "UPDATE notes SET b = E'line\\nbreak\\t' WHERE id = 1; UPDATE notes SET b = '' WHERE id = 4; DELETE FROM notes WHERE id = 7",
    );
    try {
      const keyed = await run(pgStaging, { key: ['id'] });
      assert.equal(seriesValue(keyed, 'fidelity_query_mismatched_rows'), 3, keyed.result?.summary);
      const examples = keyed.result?.details.examples as Array<{
        type: string;
        baseline?: Record<string, unknown>;
        candidate?: Record<string, unknown>;
      }>;
      const changed = examples.find((e) => e.baseline?.id === '1');
      assert.equal(changed?.baseline?.b, 'line\nbreak');
      assert.equal(changed?.candidate?.b, 'line\nbreak\t');
      const multiset = await run(pgStaging, { sql: 'SELECT a, b FROM notes;  -- a trailing comment' });
      assert.equal(seriesValue(multiset, 'fidelity_query_mismatched_rows'), 3, multiset.result?.summary);
    } finally {
      await pgStaging.exec(
        "UPDATE notes SET b = E'line\\nbreak' WHERE id = 1; UPDATE notes SET b = NULL WHERE id = 4; INSERT INTO notes VALUES (7, 'dup', 'dup')",
      );
    }
  });

  test('a statement COPY refuses is read through a cursor instead, with the verdict COPY gives', async () => {
    // On staging the guard raises an error with an SQLSTATE whenever the statement runs under COPY
    // (a refusal like a server without COPY gives); on production it lets every row through.
    const guard = (refuse: boolean) => `CREATE FUNCTION copy_guard() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        IF ${refuse} AND current_query() ILIKE 'COPY%' THEN RAISE EXCEPTION 'COPY refused' USING ERRCODE = 'feature_not_supported'; END IF;
        RETURN true;
      END $$`;
    await Promise.all([pgProduction.exec(guard(false)), pgStaging.exec(guard(true))]);
    await assert.rejects(pgStaging.exec('COPY (SELECT id FROM notes WHERE copy_guard()) TO STDOUT'), /COPY refused/);
    await pgStaging.exec("UPDATE notes SET b = E'line\\nbreak\\t' WHERE id = 1; DELETE FROM notes WHERE id = 7");
    try {
      for (const check of [{ key: ['id'] }, {}]) {
        const copied = await run(pgStaging, check);
        const fallback = await run(pgStaging, { ...check, sql: 'SELECT id, a, b FROM notes WHERE copy_guard()' });
        assert.equal(seriesValue(copied, 'fidelity_query_mismatched_rows'), 2, copied.result?.summary);
        assert.equal(fallback.result?.summary, copied.result?.summary);
        assert.deepEqual(fallback.result?.details.examples, copied.result?.details.examples);
        assert.equal(seriesValue(fallback, 'fidelity_query_rows', { side: 'staging' }), 6);
      }
    } finally {
      await pgStaging.exec("UPDATE notes SET b = E'line\\nbreak' WHERE id = 1; INSERT INTO notes VALUES (7, 'dup', 'dup')");
    }
  });

  test('more rows than max_rows fail the sample with reason limit through COPY', async () => {
    const runner = new CheckRunner(
      configWith({ production: { shop: urls.get(pgProduction) as string }, staging: { shop: urls.get(pgStaging) as string } }, [
        { name: 'big', kind: 'query', database: 'shop', sql: 'SELECT i FROM generate_series(1, 200000) i', max_rows: 1000 },
      ]),
    );
    try {
      const state = await runner.run('big');
      assert.equal(state.lastRun?.reason, 'limit', state.lastRun?.error);
      // The connection was closed and the statement canceled: the next sample runs normally.
      await pgProduction.exec('SELECT 1');
    } finally {
      await runner.close();
    }
  });
});
