import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantilePosition } from '../../src/connectors/dialects/dialect.js';
import { mysqlDialect } from '../../src/connectors/dialects/mysql.js';
import { postgresDialect } from '../../src/connectors/dialects/postgres.js';

/** The distribution kind's SQL per engine, frozen as text (docs/checks/distribution.md). */

test('PostgreSQL samples row by row with BERNOULLI, repeatable by seed; a whole table has no sample clause', () => {
  const { distribution } = postgresDialect;
  assert.deepEqual(distribution.sampled('"orders"', 0.05, 7, ['"id"']), {
    from: '"orders" TABLESAMPLE BERNOULLI (5) REPEATABLE (7)',
    where: '',
  });
  assert.deepEqual(distribution.sampled('"orders"', 1, 7, ['"id"']), { from: '"orders"', where: '' });
  assert.equal(distribution.bucket('x', [1, 2.5, 10]), 'width_bucket(x, ARRAY[1, 2.5, 10]::float8[])');
  assert.equal(distribution.asNumber('"created_at"', 'timestamp'), `date_part('epoch', "created_at")`);
  // Bin edges of a large table come from whole pages: cheap, and any sample makes a valid grid.
  assert.deepEqual(distribution.edgeSampled('"orders"', 0.02, 7, ['"id"']), {
    from: '"orders" TABLESAMPLE SYSTEM (2) REPEATABLE (7)',
    where: '',
  });
  assert.equal(distribution.computedOnce('SELECT x FROM t'), 'SELECT x FROM t OFFSET 0');
  assert.equal(distribution.textLength('"note"'), 'char_length(("note")::text)');
});

test('MySQL/MariaDB samples by a CRC32 of the seed and key below the fraction of 2^32, never by LIMIT', () => {
  const { distribution } = mysqlDialect;
  assert.deepEqual(distribution.sampled('`orders`', 0.25, 7, ['`id`']), {
    from: '`orders`',
    where: "CRC32(CONCAT_WS(_utf8mb4 X'1F', 7, `id`)) < 1073741824",
  });
  assert.equal(distribution.bucket('x', [1, 2.5, 10]), 'INTERVAL(x, 1, 2.5, 10)');
  assert.equal(distribution.asNumber('`created_at`', 'timestamp'), "TIMESTAMPDIFF(MICROSECOND, '1970-01-01', `created_at`) / 1e6");
  assert.equal(distribution.asNumber('`total`', 'decimal'), '(`total`) + 0e0');
  // No derived table: MariaDB would materialise it.
  assert.equal(distribution.computedOnce('SELECT x FROM t'), null);
});

test('discrete quantile positions match percentile_disc', () => {
  // 10 rows: p 0 is the first row, p 0.5 the fifth, p 1 the last.
  assert.deepEqual(
    [0, 0.1, 0.5, 0.55, 1].map((p) => quantilePosition(p, 10)),
    [1, 1, 5, 6, 10],
  );
});

test("a query's result is sampled by a 32-bit hash of (seed, columns) below p·2^32: MD5's first bits, CRC32 on MySQL/MariaDB", () => {
  assert.equal(
    postgresDialect.distribution.hashSampled(0.25, 7, ['"id"']),
    `('x' || substr(md5(concat_ws(E'\\x1f', 7, "id")), 1, 8))::bit(32)::bigint < 1073741824`,
  );
  assert.equal(mysqlDialect.distribution.hashSampled(0.25, 7, ['`id`']), "CRC32(CONCAT_WS(_utf8mb4 X'1F', 7, `id`)) < 1073741824");
});

test('a shape is computed by regular expressions: other runs as #, then A-Z, a-z and 0-9 runs, cut; MariaDB in a binary collation', () => {
  assert.equal(
    postgresDialect.distribution.shape('v'),
    "left(regexp_replace(regexp_replace(regexp_replace(regexp_replace(v, '[^A-Za-z0-9@._+/:, -]+', '#', 'g'), '[A-Z]+', 'A', 'g'), '[a-z]+', 'a', 'g'), '[0-9]+', '9', 'g'), 24)",
  );
  assert.equal(
    mysqlDialect.distribution.shape('v'),
    "LEFT(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(REGEXP_REPLACE(CONVERT(v USING utf8mb4) COLLATE utf8mb4_bin, '[^A-Za-z0-9@._+/:, -]+', '#'), '[A-Z]+', 'A'), '[a-z]+', 'a'), '[0-9]+', '9'), 24)",
  );
});
