import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ColumnProfile, compareCoverage, lengthBucket, valueShape, type CoverageOptions } from '../../src/compare/coverage.js';

const options: CoverageOptions = { mode: 'auto', maxDistinct: 100, minShare: 0, maxMissing: 10, hideValues: false };

function profile(values: Array<string | null>): ColumnProfile {
  const result = new ColumnProfile();
  for (const value of values) result.add(value);
  return result;
}

test('length buckets are powers of two', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 7, 8, 15, 16, 127, 128, 5000].map(lengthBucket), [
    '0',
    '1',
    '2-3',
    '2-3',
    '4-7',
    '4-7',
    '8-15',
    '8-15',
    '16-31',
    '64-127',
    '128+',
    '128+',
  ]);
});

test('value shapes: null, empty, length bucket and character classes', () => {
  assert.equal(valueShape(null), 'null');
  assert.equal(valueShape(''), 'empty');
  assert.equal(valueShape('books'), 'len 4-7: lower');
  assert.equal(valueShape('SKU-0017'), 'len 8-15: upper digit punct');
  assert.equal(valueShape('anna.schmidt17@gmail.com'), 'len 16-31: lower digit punct');
  assert.equal(valueShape('Zoë Ørsted'), 'len 8-15: upper lower space');
  assert.equal(valueShape('東京'), 'len 2-3: other');
  assert.equal(valueShape('🚀'), 'len 1: punct', 'length counts code points, emoji are symbols');
});

test('values: identical sides cover everything', () => {
  const values = ['books', 'games', 'books', null];
  const result = compareCoverage(profile(values), profile(values), options);
  assert.equal(result.mode, 'values');
  assert.equal(result.ratio, 1);
  assert.equal(result.rowsRatio, 1);
  assert.equal(result.baselineDistinct, 3, 'NULL is a value of its own');
  assert.deepEqual(result.topMissing, []);
});

test('values: a missing category lowers the ratio and is listed, most frequent first', () => {
  const baseline = profile(['books', 'books', 'games', 'garden', 'garden', 'garden', 'kitchen', null]);
  const candidate = profile(['books', 'games']);
  const result = compareCoverage(baseline, candidate, options);
  assert.equal(result.baselineDistinct, 5);
  assert.equal(result.covered, 2);
  assert.equal(result.missing, 3);
  assert.equal(result.ratio, 2 / 5);
  assert.equal(result.rowsRatio, 3 / 8);
  assert.deepEqual(result.topMissing, [
    { value: 'garden', shape: 'len 4-7: lower', rows: 3 },
    { value: 'kitchen', shape: 'len 4-7: lower', rows: 1 },
    { value: null, shape: 'null', rows: 1 },
  ]);
  assert.deepEqual(compareCoverage(baseline, candidate, { ...options, maxMissing: 1 }).topMissing.length, 1);
});

test('masked columns: missing entries carry shapes, never values', () => {
  const result = compareCoverage(profile(['secret-a', 'secret-b']), profile(['secret-a']), { ...options, hideValues: true });
  assert.equal(result.missing, 1);
  assert.deepEqual(result.topMissing, [{ shape: 'len 8-15: lower punct', rows: 1 }]);
  assert.doesNotMatch(JSON.stringify(result), /secret-b/);
});

test('auto mode switches to shapes above max_distinct; shapes mode compares shapes', () => {
  const baseline = profile([...Array.from({ length: 50 }, (_, i) => `user${i}@shop.com`), '', null]);
  const candidate = profile(Array.from({ length: 50 }, (_, i) => `masked${i}@example.com`));
  const result = compareCoverage(baseline, candidate, { ...options, maxDistinct: 10 });
  assert.equal(result.mode, 'shapes');
  // Baseline shapes: len 8-15 and 16-31 emails, empty, null; the candidate only has 16-31 emails.
  assert.deepEqual(result.topMissing.map((entry) => entry.shape).sort(), ['empty', 'len 8-15: lower digit punct', 'null']);
  assert.ok(
    result.topMissing.every((entry) => entry.value === undefined),
    'shape mode never shows values',
  );
  assert.equal(compareCoverage(baseline, candidate, { ...options, mode: 'values' }).ratio, 0);
  assert.equal(compareCoverage(profile(['a']), profile(['b']), { ...options, mode: 'shapes' }).ratio, 1);
});

test('min_share ignores rare baseline values; an empty baseline is fully covered', () => {
  const baseline = profile([...Array(99).fill('common'), 'rare']);
  const result = compareCoverage(baseline, profile(['common']), { ...options, minShare: 0.05 });
  assert.equal(result.baselineDistinct, 1);
  assert.equal(result.ratio, 1);
  assert.equal(compareCoverage(new ColumnProfile(), profile(['x']), options).ratio, 1);
});
