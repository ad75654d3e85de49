import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CanonicalValue } from '../../src/compare/canonical.js';
import type { ValueClass } from '../../src/core/columns.js';
import {
  compareKeys,
  compareKeyValue,
  DuplicateKeyError,
  KeyedMerge,
  lowerBound,
  type KeyedRow,
  type MergePlan,
} from '../../src/compare/merge.js';

const plan = (overrides: Partial<MergePlan> = {}): MergePlan => ({
  keyNames: ['id'],
  keyClasses: ['integer'],
  valueNames: ['a', 'b'],
  tolerances: [undefined, { absolute: 0.01 }],
  maxExamples: 100,
  ...overrides,
});

const row = (id: number | string, a: CanonicalValue, b: CanonicalValue): KeyedRow => ({ key: [String(id)], values: [a, b] });

test('key order: numbers by value, text bytewise in UTF-8, NULL last', () => {
  const sorted = (valueClass: ValueClass, values: CanonicalValue[]) => [...values].sort((x, y) => compareKeyValue(valueClass, x, y));
  assert.deepEqual(sorted('integer', ['10', '-3', '9', '0', '-20']), ['-20', '-3', '0', '9', '10']);
  assert.deepEqual(sorted('decimal', ['1.5', '1.25', '-0.5', '10', '2']), ['-0.5', '1.25', '1.5', '2', '10']);
  // Code point order, as PostgreSQL COLLATE "C" and MariaDB utf8mb4_bin: "B" < "a" < "é" < "日" < "😀" (UTF-16 order would put "😀" before U+FF5E).
  assert.deepEqual(sorted('text', ['😀', 'é', 'a', 'B', '日', '\uff5e', '']), ['', 'B', 'a', 'é', '日', '\uff5e', '😀']);
  assert.deepEqual(sorted('timestamp', ['2026-01-01 00:00:00.5', '2026-01-01 00:00:00', '2025-12-31 23:59:59.999999']), [
    '2025-12-31 23:59:59.999999',
    '2026-01-01 00:00:00',
    '2026-01-01 00:00:00.5',
  ]);
  assert.equal(compareKeyValue('integer', null, '1'), 1);
  assert.equal(compareKeys(['text', 'integer'], ['a', '2'], ['a', '10']), -1);
});

test('merge names missing, extra and changed keys with both values of the differing columns; tolerance applies per column', () => {
  const merge = new KeyedMerge(plan());
  merge.merge(
    [row(1, 'x', '1.00'), row(2, 'y', '2'), row(4, 'z', '4'), row(5, null, '5')],
    [row(1, 'x', '1.005'), row(3, 'y', '3'), row(4, 'Z', '4.5'), row(5, '', '5'), row(6, 'n', null)],
  );
  assert.deepEqual(merge.counts, { matched: 1, missing: 1, extra: 2, changed: 2 });
  assert.equal(merge.differences, 5);
  assert.deepEqual(merge.examples, [
    { type: 'missing', key: { id: '2' } },
    { type: 'extra', key: { id: '3' } },
    { type: 'changed', key: { id: '4' }, columns: ['a', 'b'], baseline: { a: 'z', b: '4' }, candidate: { a: 'Z', b: '4.5' } },
    { type: 'changed', key: { id: '5' }, columns: ['a'], baseline: { a: null }, candidate: { a: '' } },
    { type: 'extra', key: { id: '6' } },
  ]);
});

test('paged merge: rows beyond the bound wait for the next pages, results equal a whole merge', () => {
  const baseline = Array.from({ length: 50 }, (_, i) => row(i * 2, 'v', '1'));
  const candidate = Array.from({ length: 50 }, (_, i) => row(i * 2 + (i % 10 === 0 ? 1 : 0), i === 7 ? 'w' : 'v', '1'));
  const whole = new KeyedMerge(plan());
  whole.merge(baseline, candidate);

  const paged = new KeyedMerge(plan());
  let a: KeyedRow[] = [];
  let b: KeyedRow[] = [];
  for (let page = 0; page < 50; page += 7) {
    a.push(...baseline.slice(page, page + 7));
    b.push(...candidate.slice(page, page + 4), ...candidate.slice(page + 4, page + 7));
    const last = (rows: KeyedRow[]) => rows[rows.length - 1]?.key;
    const done = page + 7 >= 50;
    const bound = done ? undefined : lowerBound(['integer'], last(a), last(b));
    ({ baseline: a, candidate: b } = paged.merge(a, b, bound));
  }
  assert.equal(a.length + b.length, 0);
  assert.deepEqual(paged.counts, whole.counts);
  assert.deepEqual(paged.examples, whole.examples);
  assert.deepEqual(whole.counts, { matched: 44, missing: 5, extra: 5, changed: 1 });
});

test('a repeated key is an error naming the side and the key', () => {
  const merge = new KeyedMerge(plan());
  assert.throws(
    () => merge.merge([row(1, 'a', '1'), row(1, 'b', '1')], []),
    (error: unknown) => {
      assert.ok(error instanceof DuplicateKeyError);
      assert.equal(error.side, 'baseline');
      assert.deepEqual(error.key, { id: '1' });
      return true;
    },
  );
});

test('examples stop at maxExamples while counts go on', () => {
  const merge = new KeyedMerge(plan({ maxExamples: 2 }));
  merge.merge([row(1, 'a', '1'), row(2, 'a', '1'), row(3, 'a', '1')], []);
  assert.equal(merge.counts.missing, 3);
  assert.equal(merge.examples.length, 2);
});
