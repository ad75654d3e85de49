import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dialects } from '../../src/connectors/dialects/index.js';
import { endpointOf, engineOf } from '../../src/core/engines.js';
import { mysqlDialect } from '../../src/connectors/dialects/mysql.js';
import { postgresDialect } from '../../src/connectors/dialects/postgres.js';

const pg = postgresDialect;
const my = mysqlDialect;

test('the registry maps each engine name to the dialect of that name', () => {
  for (const [name, dialect] of Object.entries(dialects)) assert.equal(dialect.engine, name);
  assert.equal(dialects.postgres, pg);
  assert.equal(dialects.mysql, my);
});

test('identifiers: each dialect quotes with its own character and doubles it inside names', () => {
  assert.equal(pg.quote('we"ird'), '"we""ird"');
  assert.equal(pg.quote('back`tick'), '"back`tick"');
  assert.equal(my.quote('we`ird'), '`we``ird`');
  assert.equal(my.quote('dou"ble'), '`dou"ble`');
  assert.equal(pg.quoteTable({ schema: 'sales', name: 'orders' }), '"sales"."orders"');
  assert.equal(my.quoteTable({ name: 'orders' }), '`orders`');
  assert.equal(my.quoteTable({ schema: 'x`; DROP', name: 't' }), '`x``; DROP`.`t`');
});

test('placeholders: numbered and reusable on PostgreSQL, positional on MySQL/MariaDB', () => {
  assert.equal(pg.placeholder(3), '$3');
  assert.equal(pg.reusableParameters, true);
  assert.equal(my.placeholder(3), '?');
  assert.equal(my.reusableParameters, false);
});

test('read-only session: a read-only transaction with server-side statement and lock timeouts', () => {
  const [begin, ...rest] = pg.readOnlySession(2500.7, {});
  assert.equal(rest.length, 0, 'PostgreSQL sets everything in one round trip');
  assert.match(begin ?? '', /^BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; /);
  assert.match(begin ?? '', /SET LOCAL statement_timeout = 2500; SET LOCAL lock_timeout = 2500; /);
  assert.match(begin ?? '', /SET LOCAL TimeZone = 'UTC'/);

  const maria = my.readOnlySession(2500, { mariadb: true });
  assert.equal(
    maria[0],
    "SET SESSION time_zone = '+00:00', max_statement_time = 2.500, lock_wait_timeout = 3, innodb_lock_wait_timeout = 3",
  );
  assert.deepEqual(maria.slice(1), ['SET SESSION TRANSACTION READ ONLY', 'START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT']);
  assert.match(my.readOnlySession(2500, { mariadb: false })[0] ?? '', /max_execution_time = 2500,/);
});

test('plans: EXPLAIN in JSON only, never ANALYZE', () => {
  assert.equal(pg.explain('SELECT 1'), 'EXPLAIN (FORMAT JSON) SELECT 1');
  assert.equal(my.explain('SELECT 1'), 'EXPLAIN FORMAT=JSON SELECT 1');
  assert.equal(pg.planShape([{ Plan: { 'Node Type': 'Result' } }]).label, 'Result');
});

test('masking hash: salted SHA-256 of the canonical value text, NULL for empty values, salt as a parameter', () => {
  const email = { name: 'email', valueClass: 'text' as const, engineType: 'text', collation: 'utf8mb4_general_ci' };
  assert.equal(
    pg.saltedHash(email, '$1'),
    `CASE WHEN ("email"::text) = '' THEN NULL ELSE encode(sha256(convert_to($1, 'UTF8') || convert_to("email"::text, 'UTF8')), 'hex') END`,
  );
  assert.equal(
    my.saltedHash(email, '?'),
    "CASE WHEN `email` IS NULL OR CAST(`email` AS BINARY) = '' THEN NULL ELSE SHA2(CONCAT(CAST(? AS BINARY), CAST(`email` AS BINARY)), 256) END",
  );
  // Across engines the canonical text agrees: a boolean hashes "true"/"false" on both.
  const paid = { name: 'paid', valueClass: 'boolean' as const, engineType: 'boolean', collation: '' };
  assert.match(pg.saltedHash(paid, '$1'), /CASE "paid" WHEN true THEN 'true' WHEN false THEN 'false' END/);
  assert.match(my.saltedHash(paid, '?'), /CASE `paid` WHEN 0 THEN 'false' WHEN 1 THEN 'true' ELSE CAST\(`paid` AS CHAR\) END/);
});

test('table checksums: the engine-specific pieces', () => {
  assert.deepEqual(pg.table.tuning, ['SET LOCAL jit = off']);
  assert.deepEqual(my.table.tuning, []);
  assert.match(pg.table.checksumProblem(130008, 'staging') ?? '', /PostgreSQL 14 or later \(bit_xor\); side "staging" runs 13$/);
  assert.equal(pg.table.checksumProblem(150004, 'staging'), null);
  assert.equal(my.table.checksumProblem(0, 'staging'), null);
  assert.equal(
    pg.table.nativeRowHash?.([{ name: 'id', valueClass: 'integer', engineType: 'bigint', collation: '' }]),
    'hash_record_extended(ROW("id"), 0)',
  );
  assert.equal(my.table.nativeRowHash, undefined, 'MySQL/MariaDB have no record hash');
  assert.equal(pg.table.bytewise('"k"'), '"k" COLLATE "C"');
  assert.equal(my.table.bytewise('`k`'), 'CAST(`k` AS BINARY)');
  assert.equal(pg.table.textHash('t', 'md5'), "('x' || left(md5(t), 16))::bit(64)::bigint");
  assert.equal(my.table.textHash('t', 'sha256'), 'CAST(CONV(LEFT(SHA2(t, 256), 16), 16, 10) AS UNSIGNED)');
  assert.deepEqual(my.table.columns({ name: 'orders' }).params, [null, 'orders']);
  assert.deepEqual(pg.table.columns({ schema: 'sales', name: 'orders' }).params, ['"sales"."orders"']);
});

test('catalogue: the default schema and how each engine reports defaults and index columns', () => {
  assert.equal(pg.catalog.currentSchema, 'SELECT current_schema()');
  assert.equal(my.catalog.currentSchema, 'SELECT DATABASE()');
  assert.equal(my.catalog.columnDefault(['s', 't', 'c', 'int', 't', 'NULL', 'auto_increment']), 'auto_increment');
  assert.equal(my.catalog.columnDefault(['s', 't', 'c', 'int', 't', null, '']), null);
  assert.equal(pg.catalog.columnDefault(['s', 't', 'c', 'int', 't', 'nextval(x)']), 'nextval(x)');
  assert.deepEqual(my.catalog.indexEntry(['s', 't', 'i', 'f', 'BTREE', 'name', '10']), {
    predicate: null,
    include: false,
    column: 'name(10)',
  });
  assert.deepEqual(pg.catalog.indexEntry(['s', 't', 'i', 'f', 'btree', 'x > 0', 'include', 'note']), {
    predicate: 'x > 0',
    include: true,
    column: 'note',
  });
  assert.equal(pg.catalog.listsConstraintIndexes, false);
  assert.equal(my.catalog.listsConstraintIndexes, true);
});

test('check kinds never test an engine name: they ask the dialect', () => {
  const dir = join(import.meta.dirname, '../../src/checks');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    assert.doesNotMatch(source, /[!=]==?\s*'(postgres|mysql)'/, `${file} compares an engine name`);
  }
});

test('connection URLs: the registry finds the engine by scheme and the default port from its dialect', () => {
  assert.equal(engineOf('postgresql://u@h/db'), 'postgres');
  assert.equal(engineOf('MariaDB://u@h/db'), 'mysql');
  assert.equal(engineOf('sqlserver://u@h/db'), null);
  assert.equal(endpointOf('mariadb://u:p@h/db'), 'h:3306');
  assert.equal(endpointOf('postgres://u:p@h/db'), 'h:5432');
});
