import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';

const environments = {
  production: { databases: { shop: { url: 'postgres://u:p@127.0.0.1:1/db' } } },
  staging: { databases: { shop: { url: 'mysql://u:p@127.0.0.1:1/db' } } },
};

function problems(check: Record<string, unknown>): string {
  try {
    loadConfigObject(
      { environments, checks: [{ name: 'orders_table', kind: 'table', database: 'shop', table: 'orders', key: ['id'], ...check }] },
      { env: {} },
    );
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

test('a table check with defaults loads', () => {
  const loaded = loadConfigObject(
    { environments, checks: [{ name: 'orders_table', kind: 'table', database: 'shop', table: 'sales.orders', key: ['id'] }] },
    { env: {} },
  );
  const check = loaded.checks[0] as unknown as Record<string, unknown>;
  assert.equal(check.hash, 'auto');
  assert.equal(check.segment_time, 1000);
  assert.equal(check.bucket_rows, 1024);
  assert.deepEqual(check.ignore_columns, []);
});

test('bad table checks fail at load with the path of the problem', () => {
  assert.match(problems({ key: [] }), /checks\[0\]\.key: at least one key column is required/);
  assert.match(problems({ table: 'a.b.c' }), /checks\[0\]\.table: must be a table name/);
  assert.match(problems({ ignore_columns: ['id'] }), /checks\[0\]\.key\[0\]: key column "id" cannot be ignored/);
  assert.match(
    problems({ table_per_side: { qa: 'orders' } }),
    /checks\[0\]\.table_per_side\.qa: "qa" is neither the baseline nor the candidate/,
  );
  assert.match(problems({ hash: 'crc32' }), /checks\[0\]\.hash/);
  assert.match(problems({ filter: { column: 'created_at', min_age: 'soon' } }), /checks\[0\]\.filter\.min_age: invalid duration "soon"/);
  assert.match(
    problems({ database: 'billing' }),
    /checks\[0\]\.database: database "billing" is not defined in environments "production" and "staging"/,
  );
});
