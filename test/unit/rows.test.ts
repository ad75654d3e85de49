import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Column } from '../../src/core/columns.js';
import { compareRows, SideRows, withinTolerance, type RowCompareOptions } from '../../src/compare/rows.js';

const columns: Column[] = [
  { name: 'id', valueClass: 'integer', engineType: 'bigint' },
  { name: 'status', valueClass: 'text', engineType: 'text' },
  { name: 'total', valueClass: 'decimal', engineType: 'numeric' },
];

function side(rows: Array<Array<string | null>>, cols: Column[] = columns, ordered = false): SideRows {
  const result = new SideRows({ columns: cols, ordered });
  for (const row of rows) result.add(row, cols);
  return result;
}

const options = (overrides: Partial<RowCompareOptions> = {}): RowCompareOptions => ({
  ordered: false,
  key: [],
  ignoreColumns: [],
  tolerances: {},
  maxExamples: 10,
  ...overrides,
});

const base = [
  ['1', 'paid', '10.00'],
  ['2', 'new', '20.50'],
  ['3', 'paid', '30.00'],
];

test('identical multisets match regardless of order and decimal scale', () => {
  const result = compareRows(
    side(base),
    side([
      ['3', 'paid', '30'],
      ['1', 'paid', '10.0'],
      ['2', 'new', '20.5'],
    ]),
    options(),
  );
  assert.equal(result.match, true);
  assert.equal(result.mismatchedRows, 0);
});

test('one changed row counts once, with the differing column named', () => {
  const result = compareRows(
    side(base),
    side([
      ['1', 'paid', '10.00'],
      ['2', 'new', '21.50'],
      ['3', 'paid', '30.00'],
    ]),
    options(),
  );
  assert.equal(result.match, false);
  assert.equal(result.mismatchedRows, 1);
  assert.equal(result.changedRows, 1);
  assert.deepEqual(result.examples[0]?.columns, ['total']);
});

test('a missing row is reported as missing', () => {
  const result = compareRows(side(base), side(base.slice(0, 2)), options());
  assert.deepEqual([result.missingRows, result.extraRows, result.changedRows, result.mismatchedRows], [1, 0, 0, 1]);
  assert.equal(result.examples[0]?.type, 'missing');
});

test('duplicates matter in a multiset', () => {
  const result = compareRows(side(base), side([...base, base[0] ?? []]), options());
  assert.deepEqual([result.extraRows, result.mismatchedRows], [1, 1]);
});

test('with a key, a deleted and an inserted row are two differences named by key', () => {
  const result = compareRows(
    side(base),
    side([
      ['1', 'paid', '10.00'],
      ['2', 'new', '20.50'],
      ['4', 'paid', '30.00'],
    ]),
    options({ key: ['id'] }),
  );
  assert.deepEqual([result.missingRows, result.extraRows, result.changedRows], [1, 1, 0]);
  assert.equal(result.examples.find((e) => e.type === 'missing')?.baseline?.id, '3');
  assert.equal(result.examples.find((e) => e.type === 'extra')?.candidate?.id, '4');
});

test('tolerances: relative and absolute, per column or for every numeric column', () => {
  const candidate = side([
    ['1', 'paid', '10.01'],
    ['2', 'new', '20.50'],
    ['3', 'paid', '30.00'],
  ]);
  assert.equal(compareRows(side(base), candidate, options()).match, false);
  assert.equal(compareRows(side(base), candidate, options({ tolerances: { total: { absolute: 0.01 } } })).match, true);
  assert.equal(compareRows(side(base), candidate, options({ tolerances: { '*': { relative: 0.001 } } })).match, true);
  assert.equal(compareRows(side(base), candidate, options({ tolerances: { '*': { relative: 0.0001 } } })).match, false);
});

test('ignored columns are left out', () => {
  const candidate = side([
    ['1', 'x', '10.00'],
    ['2', 'y', '20.50'],
    ['3', 'z', '30.00'],
  ]);
  assert.equal(compareRows(side(base), candidate, options({ ignoreColumns: ['status'] })).match, true);
});

test('ordered comparison notices a different order', () => {
  assert.equal(compareRows(side(base), side([...base].reverse()), options()).match, true);
  const ordered = compareRows(side(base, columns, true), side([...base].reverse(), columns, true), options({ ordered: true }));
  assert.equal(ordered.match, false);
  assert.equal(ordered.changedRows, 2);
  assert.equal(compareRows(side(base, columns, true), side(base, columns, true), options({ ordered: true })).match, true);
});

test('NULL differs from the empty string', () => {
  const result = compareRows(side([['1', null, '1']]), side([['1', '', '1']]), options());
  assert.equal(result.match, false);
});

test('different columns are reported and rows not compared', () => {
  const other: Column[] = [columns[0] as Column, { name: 'state', valueClass: 'text', engineType: 'text' }, columns[2] as Column];
  const result = compareRows(side(base), side(base, other), options());
  assert.equal(result.match, false);
  assert.deepEqual(result.columnProblems, ['column "status" missing on candidate', 'column "state" only on candidate']);
});

test('columns are matched by name, not position', () => {
  const swapped: Column[] = [columns[0] as Column, columns[2] as Column, columns[1] as Column];
  const rows = base.map(([id, status, total]) => [id ?? null, total ?? null, status ?? null]);
  assert.equal(compareRows(side(base), side(rows, swapped), options()).match, true);
});

test('examples are capped', () => {
  const many = Array.from({ length: 50 }, (_, i) => [String(i), 'x', '1']);
  const result = compareRows(side(many), side([]), options({ maxExamples: 3 }));
  assert.equal(result.missingRows, 50);
  assert.equal(result.examples.length, 3);
});

test('withinTolerance handles NULLs and non-numbers', () => {
  assert.equal(withinTolerance(null, null, undefined), true);
  assert.equal(withinTolerance(null, '1', { absolute: 5 }), false);
  assert.equal(withinTolerance('abc', 'abd', { absolute: 5 }), false);
});
