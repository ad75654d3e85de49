import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newestInstant } from '../../src/checks/freshness.js';
import type { Column, ValueClass } from '../../src/core/columns.js';
import { loadConfigObject } from '../../src/runtime/load.js';

const column = (valueClass: ValueClass, engineType: string = valueClass): Column => ({ name: 'newest', valueClass, engineType });

test('newestInstant reads timestamps, dates and Unix seconds as UTC instants', () => {
  const cases: Array<[string | null, Column, number | null]> = [
    ['2026-11-21 16:00:00+00', column('timestamp', 'timestamp with time zone'), Date.UTC(2026, 10, 21, 16)],
    ['2026-11-21 18:00:00+02', column('timestamp'), Date.UTC(2026, 10, 21, 16)],
    ['2026-11-21 16:00:00.123456', column('timestamp', 'DATETIME'), Date.UTC(2026, 10, 21, 16, 0, 0, 123)],
    ['2026-11-21', column('date'), Date.UTC(2026, 10, 21)],
    ['1795276800', column('integer'), 1_795_276_800_000],
    ['1795276800.5', column('decimal'), 1_795_276_800_500],
    ['2026-11-21 16:00:00', column('text'), Date.UTC(2026, 10, 21, 16)],
    [null, column('timestamp'), null],
  ];
  for (const [raw, type, expected] of cases) assert.equal(newestInstant(raw, type), expected, String(raw));
});

test('newestInstant refuses values that are not points in time', () => {
  assert.throws(() => newestInstant('yesterday', column('text')), /column newest \(text\) is not a timestamp, date or Unix seconds/);
  assert.throws(() => newestInstant('infinity', column('timestamp')), /is not a timestamp/);
  assert.throws(() => newestInstant('NaN', column('float')), /is not a number of Unix seconds/);
});

test('freshness config: max_age defaults to 24h, durations parse, writes are refused at load', () => {
  const load = (check: Record<string, unknown>) =>
    loadConfigObject(
      {
        environments: {
          production: { databases: { shop: { url: 'postgres://u@127.0.0.1:1/p' } } },
          staging: { databases: { shop: { url: 'postgres://u@127.0.0.1:1/s' } } },
        },
        checks: [{ name: 'fresh', kind: 'freshness', database: 'shop', sql: 'SELECT max(created_at) FROM orders', ...check }],
      },
      { env: {} },
    );
  assert.equal((load({}).checks[0] as unknown as { max_age: number }).max_age, 24 * 3600 * 1000);
  assert.equal((load({ max_age: '2d', max_lag: '90m' }).checks[0] as unknown as { max_lag: number }).max_lag, 90 * 60 * 1000);
  assert.throws(() => load({ sql: 'DELETE FROM orders' }), /checks\[0\]\.sql: only read-only statements can be sampled/);
  assert.throws(() => load({ max_age: 'soon' }), /checks\[0\]\.max_age: invalid duration "soon"/);
  assert.throws(
    () => load({ database: 'billing' }),
    /checks\[0\]\.database: database "billing" is not defined in environments "production" and "staging"/,
  );
});
