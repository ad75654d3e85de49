import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog, parseTableName, quoteIdent, quoteTable, TableSql, type SideColumn } from '../../src/connectors/table-sql.js';
import { type Engine } from '../../src/core/engines.js';

const column = (name: string, valueClass: SideColumn['valueClass'], engineType = '', collation = ''): SideColumn => ({
  name,
  valueClass,
  engineType,
  collation,
});

function sql(engine: Engine, overrides: Partial<ConstructorParameters<typeof TableSql>[0]> = {}) {
  return new TableSql({
    engine,
    table: { name: 'orders' },
    key: [column('id', 'integer', 'bigint')],
    values: [column('total', 'decimal', 'numeric(12,2)'), column('note', 'text', 'text')],
    hash: 'md5',
    ...overrides,
  });
}

test('identifiers are quoted per engine, embedded quotes doubled', () => {
  assert.equal(quoteIdent('postgres', 'we"ird'), '"we""ird"');
  assert.equal(quoteIdent('mysql', 'we`ird'), '`we``ird`');
  assert.equal(quoteTable('postgres', parseTableName('sales.orders')), '"sales"."orders"');
  assert.equal(quoteTable('mysql', parseTableName('orders')), '`orders`');
  const hostile = sql('postgres', { table: { name: 'x"; DROP TABLE y; --' }, key: [column('i"d', 'integer')] });
  assert.match(hostile.keyBounds().sql, /FROM "x""; DROP TABLE y; --"/);
  assert.match(hostile.keyBounds().sql, /min\("i""d"\)/);
});

test('key values travel as parameters in the engine placeholder syntax', () => {
  const text = [column('region', 'text', 'text'), column('n', 'integer', 'integer')];
  const pg = sql('postgres', { key: text }).rows({ range: { from: "a'b", to: 'z' } }, ['q', '5'], 100);
  assert.deepEqual(pg.params, ["a'b", 'z', 'q', '5']);
  assert.match(pg.sql, /"region" COLLATE "C" >= \$1 AND "region" COLLATE "C" < \$2/);
  assert.match(pg.sql, /\("region" COLLATE "C", "n"\) > \(\$3, \$4\)/);
  assert.match(pg.sql, /ORDER BY "region" COLLATE "C", "n" LIMIT 100$/);
  const my = sql('mysql', { key: text }).rows({}, ['q', '5']);
  assert.deepEqual(my.params, ['q', 'q', '5']);
  assert.match(my.sql, /\(\(CAST\(`region` AS BINARY\) > \?\) OR \(CAST\(`region` AS BINARY\) = \? AND `n` > \?\)\)/);
});

test('text keys already in a bytewise collation are used as they are (index-friendly)', () => {
  const pg = sql('postgres', { key: [column('code', 'text', 'text')], defaultCollation: 'C' });
  assert.equal(pg.keyExpr(column('code', 'text', 'text')), '"code"');
  const my = sql('mysql', { key: [column('code', 'text', 'varchar(10)', 'utf8mb4_bin')] });
  assert.equal(my.keyExpr(column('code', 'text', 'varchar(10)', 'utf8mb4_bin')), '`code`');
});

test('row hash: native record hash on PostgreSQL, md5 / sha256 of the canonical text on both engines', () => {
  assert.equal(
    sql('postgres', { hash: 'native', values: [column('doc', 'json', 'json')] }).rowHash(),
    'hash_record_extended(ROW("id", "doc"::jsonb), 0)',
  );
  assert.match(
    sql('postgres').rowHash(),
    /^\('x' \|\| left\(md5\(concat_ws\(chr\(31\), coalesce\("id"::text, chr\(30\)\), coalesce\(trim_scale\("total"::numeric\)::text, chr\(30\)\)/,
  );
  assert.match(sql('postgres', { hash: 'sha256' }).rowHash(), /sha256\(convert_to\(/);
  assert.match(
    sql('mysql').rowHash(),
    /^CAST\(CONV\(LEFT\(MD5\(CONCAT_WS\(_utf8mb4 X'1F', COALESCE\(CAST\(`id` AS CHAR\), _utf8mb4 X'1E'\)/,
  );
  assert.match(sql('mysql', { hash: 'sha256' }).rowHash(), /SHA2\(CONCAT_WS/);
  assert.throws(() => sql('mysql', { hash: 'native' }).rowHash(), /PostgreSQL only/);
});

test('integer checksums: PostgreSQL aggregates each bucket over its own index range; MariaDB a UNION ALL of ranges', () => {
  const one = sql('postgres').integerChecksums(-10n, 64n, [
    { from: -10n, to: 118n },
    { from: 630n, to: 650n },
  ]);
  assert.match(
    one.sql,
    /^SELECT g\.b, s\.n, s\.h FROM \(SELECT generate_series\(0::bigint, 1::bigint\) AS b UNION ALL SELECT generate_series\(10::bigint, 10::bigint\) AS b\) AS g CROSS JOIN LATERAL/,
  );
  assert.match(one.sql, /WHERE "id" >= \(-10\) \+ g\.b \* 64 AND "id" < \(-10\) \+ \(g\.b \+ 1\) \* 64\) AS s WHERE s\.n > 0$/);
  const two = sql('mysql').integerChecksums(0n, 8n, [
    { from: 0n, to: 8n },
    { from: 64n, to: 72n },
  ]);
  assert.equal(two.sql.split(' UNION ALL ').length, 2);
  assert.match(two.sql, /\(`id` - \(0\)\) DIV 8/);
  assert.match(two.sql, /WHERE \(`id` >= 64 AND `id` < 72\) GROUP BY 1\)$/);
});

test('filter: rows later than the cutoff are left out; NULLs are kept; the cutoff is never free text', () => {
  const filtered = sql('postgres', { filter: { column: 'created_at', cutoff: '2026-11-23 10:00:00.000' } });
  assert.match(filtered.keyBounds().sql, /AND \("created_at" <= '2026-11-23 10:00:00.000' OR "created_at" IS NULL\)/);
  const hostile = sql('postgres', { filter: { column: 'created_at', cutoff: "x' OR 1=1 --" } });
  assert.throws(() => hostile.keyBounds(), /invalid filter cutoff/);
});

test('catalog statements take the table as a parameter', () => {
  assert.deepEqual(catalog.columns('postgres', { schema: 'sales', name: 'orders' }).params, ['"sales"."orders"']);
  assert.deepEqual(catalog.columns('mysql', { name: 'orders' }).params, [null, 'orders']);
  assert.match(catalog.probe('mysql', { name: 'orders' }, ['id', 'note']).sql, /^SELECT `id`, `note` FROM `orders` WHERE 1 = 0$/);
});
