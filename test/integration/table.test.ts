import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ValueClass } from '../../src/core/columns.js';
import { rowText } from '../../src/compare/rowtext.js';
import { TableSql } from '../../src/connectors/table-sql.js';
import type { CheckState } from '../../src/results/store.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';

/** The table kind on real PostgreSQL and MariaDB: exact differing keys, across engines too. */

interface Difference {
  type: string;
  key: Record<string, string | null>;
  columns?: string[];
}

const PAIR = { baseline: 'production', candidate: 'staging' };

async function runTable(databases: Record<string, Record<string, string>>, check: Record<string, unknown>): Promise<CheckState> {
  const runner = new CheckRunner(
    configWith(databases, [{ name: 'orders_table', kind: 'table', database: 'shop', max_examples: 1000, timeout: '120s', ...check }]),
  );
  try {
    return await runner.run('orders_table');
  } finally {
    await runner.close();
  }
}

function succeeded(state: CheckState): Record<string, unknown> {
  assert.equal(state.lastRun?.success, true, state.lastRun?.error);
  return state.result?.details ?? {};
}

function differences(state: CheckState): Difference[] {
  return (succeeded(state).examples ?? []) as Difference[];
}

/** "type:key1/key2[:columns]" per difference, sorted: compact exact expectations. */
function describeDifferences(state: CheckState): string[] {
  return differences(state)
    .map((d) => `${d.type}:${Object.values(d.key).join('/')}${d.columns ? `:${d.columns.join(',')}` : ''}`)
    .sort();
}

const PG_ORDERS = `CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id integer NOT NULL,
  status text NOT NULL,
  total numeric(12,2) NOT NULL,
  rate double precision,
  created_at timestamptz NOT NULL,
  note text
)`;

/** n rows with NULLs, microseconds, unicode and awkward numerics. */
function pgOrdersData(n: number): string {
  return `INSERT INTO orders SELECT i, i % 97, (ARRAY['new','paid','shipped'])[1 + i % 3],
    round((i * 7919 % 100000)::numeric / 100, 2), CASE WHEN i % 5 = 0 THEN NULL ELSE i / 8.0 END,
    timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second 1 microsecond',
    CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN 'Grüße, 東京 ' || i ELSE 'note ' || i END
    FROM generate_series(1, ${n}) AS i`;
}

describe('table checks on PostgreSQL', () => {
  let pg: DatabaseServer;
  let databases: Record<string, Record<string, string>>;

  before(async () => {
    pg = await startPostgres();
    await pg.exec('CREATE DATABASE staging');
    // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
    const role = await createLeastPrivilegeRole(pg, { databases: ['fidelity', 'staging'], kinds: ['table'] });
    databases = { production: { shop: role.url() }, staging: { shop: role.url('staging') } };
    for (const database of [undefined, 'staging']) {
      await pg.exec(PG_ORDERS, database);
      await pg.exec(pgOrdersData(20_000), database);
    }
  });
  after(async () => {
    await pg?.destroy();
  });

  test('identical tables match, with the native PostgreSQL row hash', async () => {
    const state = await runTable(databases, { table: 'orders', key: ['id'] });
    const details = succeeded(state);
    assert.equal(state.result?.passed, true);
    assert.equal(details.hash, 'native');
    assert.equal(details.strategy, 'integer-buckets');
    assert.equal(seriesValue(state, 'fidelity_table_match', PAIR), 1);
    assert.equal(seriesValue(state, 'fidelity_table_rows', { side: 'production' }), 20_000);
    assert.equal(seriesValue(state, 'fidelity_table_rows', { side: 'staging' }), 20_000);
    assert.equal(seriesValue(state, 'fidelity_table_difference_ratio', PAIR), 0);
    assert.deepEqual(state.result?.scores, [{ dimension: 'data', candidate: 'staging', value: 1 }]);
  });

  test('a changed row shows both values of each differing column, through the examples policy', async () => {
    for (const database of [undefined, 'staging']) {
      await pg.exec(
        `CREATE TABLE contacts (id int PRIMARY KEY, email text, note text, total numeric(8,2));
         INSERT INTO contacts VALUES (1, 'ann@shopmail.net', 'first', 10.00), (2, 'bob@shopmail.net', 'second', 20.00);`,
        database,
      );
    }
    await pg.exec("UPDATE contacts SET total = 25.50, note = 'updated', email = 'robert@corpmail.de' WHERE id = 2", 'staging');
    const state = await runTable(databases, { table: 'contacts', key: ['id'], examples: 'show', sensitive_columns: ['note'] });
    const [example, ...rest] = differences(state) as Array<Difference & { baseline?: unknown; candidate?: unknown }>;
    assert.deepEqual(rest, []);
    // total is shown (canonical decimal text), note is a sensitive column, the e-mail addresses look like personal data.
    assert.deepEqual(example, {
      type: 'changed',
      key: { id: '2' },
      columns: ['email', 'note', 'total'],
      baseline: { email: '<email>', note: '<sensitive>', total: '20' },
      candidate: { email: '<email>', note: '<sensitive>', total: '25.5' },
    });
    assert.doesNotMatch(JSON.stringify(state.result), /bob@|robert@|"second"|"updated"/);
  });

  test('deleted, inserted and updated rows are each named by exact key (native, md5 and sha256 hashes)', async () => {
    await pg.exec('CREATE TABLE orders_copy AS TABLE orders; ALTER TABLE orders_copy ADD PRIMARY KEY (id)', 'staging');
    await pg.exec(
      `DELETE FROM orders_copy WHERE id IN (17, 5000, 19999);
       INSERT INTO orders_copy VALUES (20001, 1, 'new', 1.00, NULL, '2026-01-01', NULL), (0, 1, 'new', 2.50, 1.5, '2025-12-31 23:59:59.999999+00', 'x');
       UPDATE orders_copy SET total = total + 0.01 WHERE id = 123;
       UPDATE orders_copy SET note = NULL WHERE id = 4001;
       UPDATE orders_copy SET created_at = created_at + interval '1 microsecond' WHERE id = 7777;
       UPDATE orders_copy SET status = 'paid', customer_id = 0 WHERE id = 15000;`,
      'staging',
    );
    const expected = [
      'changed:123:total',
      'changed:15000:customer_id,status',
      'changed:4001:note',
      'changed:7777:created_at',
      'extra:0',
      'extra:20001',
      'missing:17',
      'missing:19999',
      'missing:5000',
    ];
    for (const hash of ['auto', 'md5', 'sha256'] as const) {
      // Small buckets so that mismatching buckets are bisected before rows are fetched.
      const state = await runTable(databases, {
        table: 'orders',
        table_per_side: { staging: 'orders_copy' },
        key: ['id'],
        hash,
        bucket_rows: 512,
        fetch_rows: 16,
      });
      const details = succeeded(state);
      assert.equal(details.hash, hash === 'auto' ? 'native' : hash);
      assert.deepEqual(describeDifferences(state), expected, hash);
      assert.equal(seriesValue(state, 'fidelity_table_missing_rows', PAIR), 3);
      assert.equal(seriesValue(state, 'fidelity_table_extra_rows', PAIR), 2);
      assert.equal(seriesValue(state, 'fidelity_table_changed_rows', PAIR), 4);
      assert.equal(seriesValue(state, 'fidelity_table_match', PAIR), 0);
      assert.equal(seriesValue(state, 'fidelity_table_rows', { side: 'staging' }), 19_999);
      assert.ok((details.segments as { bisections: number }).bisections > 0, 'mismatching buckets were bisected');
      assert.equal(state.result?.summary, '9 of 20000 rows differ (missing 3, extra 2, changed 4)');
    }
    // Many differences: one ordered pass over both tables, page by page, still exact.
    await pg.exec('UPDATE orders_copy SET customer_id = customer_id + 1 WHERE id % 3 = 0 AND id NOT IN (123, 15000)', 'staging');
    const state = await runTable(databases, {
      table: 'orders',
      table_per_side: { staging: 'orders_copy' },
      key: ['id'],
      page_rows: 700,
      max_examples: 0,
    });
    const details = succeeded(state);
    assert.equal((details.segments as { fallback: boolean }).fallback, true);
    assert.equal(seriesValue(state, 'fidelity_table_changed_rows', PAIR), 4 + 6664);
    assert.equal(seriesValue(state, 'fidelity_table_missing_rows', PAIR), 3);
    assert.equal(seriesValue(state, 'fidelity_table_extra_rows', PAIR), 2);
  });

  test('composite keys: text-led keys use key quantiles, integer-led keys use buckets', async () => {
    const ddl =
      'CREATE TABLE lines (region text NOT NULL, order_id integer NOT NULL, line smallint NOT NULL, qty integer, PRIMARY KEY (region, order_id, line))';
    const data = `INSERT INTO lines SELECT (ARRAY['eu','us','ápac','日本'])[1 + i % 4], i / 3, i % 3, i FROM generate_series(1, 30000) AS i`;
    for (const database of [undefined, 'staging']) {
      await pg.exec(ddl, database);
      await pg.exec(data, database);
    }
    let state = await runTable(databases, { table: 'lines', key: ['region', 'order_id', 'line'] });
    assert.equal(succeeded(state).strategy, 'key-quantiles');
    assert.equal(state.result?.passed, true);
    await pg.exec(
      `DELETE FROM lines WHERE region = 'ápac' AND order_id = 1000 AND line = 2;
       UPDATE lines SET qty = NULL WHERE region = '日本' AND order_id = 9999 AND line = 2;
       INSERT INTO lines VALUES ('zz', 1, 1, 1), ('eu', 99999, 0, NULL)`,
      'staging',
    );
    state = await runTable(databases, { table: 'lines', key: ['region', 'order_id', 'line'], bucket_rows: 256 });
    assert.deepEqual(describeDifferences(state), ['changed:日本/9999/2:qty', 'extra:eu/99999/0', 'extra:zz/1/1', 'missing:ápac/1000/2']);
    state = await runTable(databases, { table: 'lines', key: ['order_id', 'line', 'region'], bucket_rows: 256 });
    assert.equal(succeeded(state).strategy, 'integer-buckets');
    assert.deepEqual(describeDifferences(state), ['changed:9999/2/日本:qty', 'extra:1/1/zz', 'extra:99999/0/eu', 'missing:1000/2/ápac']);
  });

  test('numeric scales, float tolerance, timestamps across zones and types, unicode', async () => {
    await pg.exec(
      `CREATE TABLE mixed (id integer PRIMARY KEY, amount numeric(12,2), ratio double precision, at timestamptz, label text);
       INSERT INTO mixed VALUES (1, 10.50, 0.1, '2026-03-01 12:00:00.000001+00', 'é'), (2, NULL, 1e-9, '2026-03-01 12:00:00.5+02', '😀'),
         (3, -0.01, 123456.789, NULL, ''), (4, 100, NULL, '1999-12-31 23:59:59+00', NULL)`,
    );
    // Other scale, a timestamp without time zone holding the same UTC instants, a float off by 1e-5.
    await pg.exec(
      `CREATE TABLE mixed (id bigint PRIMARY KEY, amount numeric(14,4), ratio double precision, at timestamp, label varchar(10));
       INSERT INTO mixed VALUES (1, 10.5, 0.10001, '2026-03-01 12:00:00.000001', 'é'), (2, NULL, 1e-9, '2026-03-01 10:00:00.5', '😀'),
         (3, -0.0100, 123456.789, NULL, ''), (4, 100.0000, NULL, '1999-12-31 23:59:59', NULL)`,
      'staging',
    );
    let state = await runTable(databases, { table: 'mixed', key: ['id'], tolerance: { absolute: 1e-4 } });
    assert.equal(succeeded(state).hash, 'md5', 'different column types: canonical row text');
    assert.deepEqual(describeDifferences(state), []);
    state = await runTable(databases, { table: 'mixed', key: ['id'] });
    assert.deepEqual(describeDifferences(state), ['changed:1:ratio'], 'without tolerance the float differs');
    await pg.exec(
      `UPDATE mixed SET at = at + interval '1 microsecond' WHERE id = 2; UPDATE mixed SET label = 'e' || chr(769) WHERE id = 1`,
      'staging',
    );
    state = await runTable(databases, { table: 'mixed', key: ['id'], column_tolerance: { ratio: { relative: 1e-3 } } });
    assert.deepEqual(describeDifferences(state), ['changed:1:label', 'changed:2:at'], 'a microsecond and a decomposed é are differences');
  });

  test('empty tables on both sides are inconclusive, never a pass; an empty candidate misses every row', async () => {
    await pg.exec('CREATE TABLE nothing (id integer PRIMARY KEY, v text)');
    await pg.exec('CREATE TABLE nothing (id integer PRIMARY KEY, v text)', 'staging');
    let state = await runTable(databases, { table: 'nothing', key: ['id'] });
    assert.equal(state.lastRun?.success, true, state.lastRun?.error);
    assert.equal(state.result?.passed, false);
    assert.match(state.result?.inconclusive ?? '', /has no rows on either side: nothing compared/);
    assert.deepEqual(state.result?.scores, []);
    await pg.exec(`INSERT INTO nothing VALUES (1, 'a'), (2, NULL)`);
    state = await runTable(databases, { table: 'nothing', key: ['id'] });
    assert.deepEqual(describeDifferences(state), ['missing:1', 'missing:2']);
    assert.equal(seriesValue(state, 'fidelity_table_difference_ratio', PAIR), 1);
  });

  test('filter min_age leaves out rows younger than the age', async () => {
    await pg.exec(
      `CREATE TABLE recent (id integer PRIMARY KEY, at timestamptz); INSERT INTO recent VALUES (1, now() - interval '2 hours'), (2, now() - interval '1 minute')`,
    );
    await pg.exec(
      `CREATE TABLE recent (id integer PRIMARY KEY, at timestamptz); INSERT INTO recent VALUES (1, now() - interval '2 hours')`,
      'staging',
    );
    let state = await runTable(databases, { table: 'recent', key: ['id'], columns: ['id'], filter: { column: 'at', min_age: '10m' } });
    assert.equal(state.result?.passed, true, state.lastRun?.error);
    state = await runTable(databases, { table: 'recent', key: ['id'], columns: ['id'] });
    assert.deepEqual(describeDifferences(state), ['missing:2']);
  });

  test('clear errors: key not unique, key column missing, incompatible types, table missing', async () => {
    await pg.exec(`CREATE TABLE dupes (id integer, v text); INSERT INTO dupes VALUES (1, 'a'), (2, 'b'), (2, 'c')`);
    await pg.exec(`CREATE TABLE dupes (id integer, v integer); INSERT INTO dupes VALUES (1, 1)`, 'staging');
    const failure = async (check: Record<string, unknown>) => {
      const state = await runTable(databases, check);
      assert.equal(state.lastRun?.success, false, 'the sample fails');
      assert.equal(state.result, undefined);
      return `${state.lastRun?.reason}: ${state.lastRun?.error}`;
    };
    assert.equal(
      await failure({ table: 'dupes', key: ['id'], columns: ['id'] }),
      'config: key (id) is not unique in table "dupes" on side "production": id=2 appears 2 times',
    );
    assert.equal(
      await failure({ table: 'orders', key: ['order_no'] }),
      'config: key column "order_no" does not exist in table "orders" on side "production"',
    );
    assert.equal(
      await failure({ table: 'dupes', table_per_side: { production: 'orders' }, key: ['id'], columns: ['note'] }),
      'config: column "note" does not exist in table "dupes" on side "staging"',
    );
    await pg.exec("DELETE FROM dupes WHERE v = 'c'");
    assert.equal(
      await failure({ table: 'dupes', key: ['id'] }),
      'config: column "v" has incompatible types: text on "production", integer on "staging"',
    );
    assert.equal(
      await failure({ table: 'orders', table_per_side: { staging: 'no_such_table' }, key: ['id'] }),
      `query: orders_table on staging/shop (127.0.0.1:${pg.port}): table "no_such_table" does not exist on side "staging" (database "shop")`,
    );
  });
});

describe('table checks across PostgreSQL and MariaDB', () => {
  let pg: DatabaseServer;
  let maria: DatabaseServer;
  let databases: Record<string, Record<string, string>>;

  before(async () => {
    [pg, maria] = await Promise.all([startPostgres(), startMariaDb()]);
    const [pgRole, mariaRole] = await Promise.all([
      createLeastPrivilegeRole(pg, { databases: ['fidelity'], kinds: ['table'] }),
      createLeastPrivilegeRole(maria, { databases: ['fidelity'], kinds: ['table'] }),
    ]);
    databases = { production: { shop: pgRole.url() }, staging: { shop: mariaRole.url() } };
    await pg.exec(PG_ORDERS);
    await pg.exec(pgOrdersData(5000));
    await maria.exec(`CREATE TABLE orders (
      id BIGINT PRIMARY KEY, customer_id INT NOT NULL, status VARCHAR(20) NOT NULL, total DECIMAL(12,2) NOT NULL,
      rate DOUBLE NULL, created_at DATETIME(6) NOT NULL, note TEXT NULL) DEFAULT CHARSET=utf8mb4`);
    // The same rows, generated by MariaDB itself (a recursive CTE instead of generate_series).
    await maria.exec(`SET SESSION max_recursive_iterations = 100000;
      INSERT INTO orders WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 5000)
      SELECT i, i % 97, ELT(1 + i % 3, 'new', 'paid', 'shipped'), ROUND((i * 7919 % 100000) / 100, 2),
        CASE WHEN i % 5 = 0 THEN NULL ELSE i / 8.0 END,
        TIMESTAMP'2026-01-01 00:00:00' + INTERVAL i SECOND + INTERVAL i MICROSECOND,
        CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN CONCAT('Grüße, 東京 ', i) ELSE CONCAT('note ', i) END FROM s`);
  });
  after(async () => {
    await Promise.all([pg?.destroy(), maria?.destroy()]);
  });

  test('the same data in PostgreSQL and MariaDB matches (md5 and sha256 row text)', async () => {
    for (const hash of ['auto', 'sha256'] as const) {
      const state = await runTable(databases, { table: 'orders', key: ['id'], hash, tolerance: { relative: 1e-12 } });
      const details = succeeded(state);
      assert.equal(details.hash, hash === 'auto' ? 'md5' : 'sha256');
      assert.deepEqual(describeDifferences(state), [], hash);
      assert.equal(seriesValue(state, 'fidelity_table_rows', { side: 'staging' }), 5000);
      // Equal checksums, not row-level tolerance, made it match: no bucket differed.
      assert.equal((details.segments as { mismatchedBuckets: number }).mismatchedBuckets, 0, hash);
    }
  });

  test('differences in MariaDB are named by key; text keys order bytewise on both engines', async () => {
    await maria.exec(`DELETE FROM orders WHERE id = 42; UPDATE orders SET note = 'Grüsse' WHERE id = 4001; UPDATE orders SET created_at = created_at + INTERVAL 1 MICROSECOND WHERE id = 99;
      INSERT INTO orders VALUES (6000, 1, 'new', 0.00, NULL, '2026-01-01 00:00:00', NULL)`);
    let state = await runTable(databases, {
      table: 'orders',
      key: ['id'],
      tolerance: { relative: 1e-12 },
      bucket_rows: 128,
      fetch_rows: 8,
    });
    assert.deepEqual(describeDifferences(state), ['changed:4001:note', 'changed:99:created_at', 'extra:6000', 'missing:42']);

    const ddl = (textType: string) => `CREATE TABLE tags (name ${textType} NOT NULL PRIMARY KEY, n INT)`;
    await pg.exec(ddl('text'));
    await maria.exec(`${ddl('VARCHAR(40)')} DEFAULT CHARSET=utf8mb4`);
    const values = ["('a', 1)", "('B', 2)", "('é', 3)", "('😀', 4)", "('Z', 5)", "('ab', 6)", "('', 7)", "('日本', 8)"].join(', ');
    await pg.exec(`INSERT INTO tags VALUES ${values}`);
    await maria.exec(`INSERT INTO tags VALUES ${values}`);
    state = await runTable(databases, { table: 'tags', key: ['name'], bucket_rows: 1 });
    assert.deepEqual(describeDifferences(state), []);
    await maria.exec(`UPDATE tags SET n = 0 WHERE name = 'é'; DELETE FROM tags WHERE name = 'B'`);
    state = await runTable(databases, { table: 'tags', key: ['name'], bucket_rows: 1, page_rows: 2 });
    assert.deepEqual(describeDifferences(state), ['changed:é:n', 'missing:B']);
  });

  test('each engine builds exactly the frozen canonical row text (compare/rowtext.ts)', async () => {
    await pg.exec(`CREATE TABLE texts (id integer PRIMARY KEY, i bigint, d numeric(12,4), f double precision, t text, ts timestamptz, dt date, tm time, u uuid, b bytea);
      INSERT INTO texts VALUES (1, -5, 1.5, 0.1, 'Grüße 😀', '2026-01-02 05:04:05.0006+02', '2026-01-02', '12:34:56.5', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '\\xdeadbeef'),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, 0, -0.01, 5.714285714285714, '', '1999-12-31 23:59:59+00', '0001-01-01', '00:00:00', NULL, '\\x')`);
    await maria.exec(`CREATE TABLE texts (id INT PRIMARY KEY, i BIGINT, d DECIMAL(12,4), f DOUBLE, t VARCHAR(20), ts DATETIME(6), dt DATE, tm TIME(6), u CHAR(36), b VARBINARY(16)) DEFAULT CHARSET=utf8mb4;
      INSERT INTO texts VALUES (1, -5, 1.5, 0.1, 'Grüße 😀', '2026-01-02 03:04:05.0006', '2026-01-02', '12:34:56.5', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', X'DEADBEEF'),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, 0, -0.01, 5.714285714285714, '', '1999-12-31 23:59:59', '0001-01-01', '00:00:00', NULL, X'')`);
    const classes: ValueClass[] = ['integer', 'integer', 'decimal', 'float', 'text', 'timestamp', 'date', 'time', 'uuid', 'bytes'];
    const names = ['id', 'i', 'd', 'f', 't', 'ts', 'dt', 'tm', 'u', 'b'];
    const build = (engine: 'postgres' | 'mysql', types: string[], collation = '') =>
      new TableSql({
        engine,
        table: { name: 'texts' },
        key: [{ name: 'id', valueClass: 'integer', engineType: types[0] ?? '', collation: '' }],
        values: names.slice(1).map((name, i) => ({
          name,
          valueClass: classes[i + 1] ?? 'text',
          engineType: types[i + 1] ?? '',
          collation: name === 't' ? collation : '',
        })),
        hash: 'md5',
      }).rowText();
    const pgTypes = [
      'integer',
      'bigint',
      'numeric(12,4)',
      'double precision',
      'text',
      'timestamp with time zone',
      'date',
      'time without time zone',
      'uuid',
      'bytea',
    ];
    const fromPg = await pg.query<{ r: string }>(`SELECT ${build('postgres', pgTypes)} AS r FROM texts ORDER BY id`);
    // Without catalog types (generic trimming) and with them (trimming chosen from the scale).
    const mariaTypes = [
      'int(11)',
      'bigint(20)',
      'decimal(12,4)',
      'double',
      'varchar(20)',
      'datetime(6)',
      'date',
      'time(6)',
      'char(36)',
      'varbinary(16)',
    ];
    const fromMaria = await maria.query<{ r: string }>(
      `SELECT ${build(
        'mysql',
        names.map(() => ''),
      )} AS r FROM texts ORDER BY id`,
    );
    const fromMariaTyped = await maria.query<{ r: string }>(
      `SELECT ${build('mysql', mariaTypes, 'utf8mb4_general_ci')} AS r FROM texts ORDER BY id`,
    );
    const expected = [
      rowText(classes, [
        '1',
        '-5',
        '1.5000',
        '0.1',
        'Grüße 😀',
        '2026-01-02 03:04:05.000600',
        '2026-01-02',
        '12:34:56.500000',
        'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
        'DEADBEEF',
      ]),
      rowText(classes, ['2', null, null, null, null, null, null, null, null, null]),
      rowText(classes, ['3', '0', '-0.0100', '5.714285714285714', '', '1999-12-31 23:59:59', '0001-01-01', '00:00:00', null, '']),
    ];
    assert.deepEqual(
      fromPg.map((row) => row.r),
      expected,
    );
    // mysql2 hands back a Buffer for a string built with binary pieces; its UTF-8 text is the row text.
    const texts = (rows: { r: string }[]) => rows.map((row) => (Buffer.isBuffer(row.r) ? row.r.toString('utf8') : row.r));
    assert.deepEqual(texts(fromMaria), expected);
    assert.deepEqual(texts(fromMariaTyped), expected);
  });

  test('json compares across engines row by row: key order and spacing are not differences, a changed value is', async () => {
    await pg.exec('CREATE TABLE docs (id integer PRIMARY KEY, body jsonb)');
    await maria.exec('CREATE TABLE docs (id INT PRIMARY KEY, body JSON)');
    await pg.exec(`INSERT INTO docs VALUES (1, '{"b": [1, 2], "a": {"y": null, "x": 1.5}}'), (2, NULL), (3, '"text"')`);
    await maria.exec(`INSERT INTO docs VALUES (1, '{"a":{"x":1.5,"y":null},"b":[1,2]}'), (2, NULL), (3, '"text"')`);
    let state = await runTable(databases, { table: 'docs', key: ['id'] });
    assert.equal(state.lastRun?.success, true, state.lastRun?.error);
    assert.equal(state.result?.summary, '3 rows identical');
    assert.equal(seriesValue(state, 'fidelity_table_rows', { side: 'staging' }), 3);

    await maria.exec(`UPDATE docs SET body = '{"a":{"x":2,"y":null},"b":[1,2]}' WHERE id = 1`);
    state = await runTable(databases, { table: 'docs', key: ['id'] });
    assert.equal(seriesValue(state, 'fidelity_table_changed_rows'), 1, state.result?.summary);
    assert.equal(seriesValue(state, 'fidelity_table_match'), 0);
  });
});
