// The digest path of the query kind keeps every documented comparison rule (docs/checks/query.md):
// each case is compared both ways, by digests and by holding every row, and must give the same answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Column, ValueClass } from '../../src/core/columns.js';
import { compareByDigests, type SideRead } from '../../src/compare/digest-compare.js';
import { DigestList, digestText, leftovers, RowDigester } from '../../src/compare/row-digests.js';
import { compareRows, SideRows, type RowCompareOptions } from '../../src/compare/rows.js';

type Rows = Array<Array<string | null>>;

const col = (name: string, valueClass: ValueClass = 'text'): Column => ({ name, valueClass, engineType: valueClass });

function reader(columns: Column[], ...reads: Rows[]): { read: SideRead<{ columns: Column[] }>; count: () => number } {
  let count = 0;
  return {
    read: async (onRow) => {
      const rows = reads[Math.min(count, reads.length - 1)] ?? [];
      count += 1;
      // One row at a time, taking turns with the other side as two concurrent reads do.
      for (const row of rows) {
        onRow(row, columns);
        await Promise.resolve();
      }
      return { columns };
    },
    count: () => count,
  };
}

function held(columns: Column[], rows: Rows, ordered: boolean): SideRows {
  const side = new SideRows({ ordered, columns });
  for (const row of rows) side.add(row, columns);
  return side;
}

const defaults: RowCompareOptions = { ordered: false, key: [], ignoreColumns: [], tolerances: {}, maxExamples: 10 };

/**
 * Compares by digests twice, holding the pending rows (one read) and holding none (the left-over
 * rows read again), and checks both against holding every row. `reads` is the second way's.
 */
async function bothWays(
  columns: [Column[], Column[]],
  rows: [Rows, Rows],
  options: Partial<RowCompareOptions> = {},
): Promise<{ reads: number; comparison: ReturnType<typeof compareRows> }> {
  const all = { ...defaults, ...options };
  const expected = compareRows(held(columns[0], rows[0], all.ordered), held(columns[1], rows[1], all.ordered), all);
  let last = { reads: 0, comparison: expected };
  for (const limit of [1000, 0]) {
    const a = reader(columns[0], rows[0]);
    const b = reader(columns[1], rows[1]);
    const { comparison, reads } = await compareByDigests({ baseline: a.read, candidate: b.read }, all, limit);
    assert.deepEqual(comparison, expected, `pending rows limit ${limit}`);
    assert.equal(a.count(), reads);
    if (limit > 0) assert.equal(reads, 1, 'the pending rows were enough: one read');
    last = { reads, comparison };
  }
  return last;
}

const ORDERS = [col('id', 'integer'), col('status'), col('total', 'decimal'), col('note')];
const base: Rows = [
  ['1', 'paid', '10.50', null],
  ['2', 'open', '20.00', ''],
  ['3', 'paid', '0.01', 'x'],
  ['4', 'void', '7', 'y'],
];

test('pending rows: the differing rows of one read, in order or as multisets, until the limit', async () => {
  const first = reader(ORDERS, base);
  const changed = reader(
    ORDERS,
    base.map((row) => (row[0] === '4' ? ['4', 'void', '8', 'y'] : row)),
  );
  const { comparison, reads } = await compareByDigests({ baseline: first.read, candidate: changed.read }, { ...defaults, key: ['id'] }, 2);
  assert.deepEqual([reads, comparison.changedRows], [1, 1], 'two rows held at most: enough for sides in the same order');
  const reversed = reader(
    ORDERS,
    [...base].reverse().map((row) => (row[0] === '4' ? ['4', 'void', '8', 'y'] : row)),
  );
  const again = await compareByDigests({ baseline: reader(ORDERS, base).read, candidate: reversed.read }, { ...defaults, key: ['id'] }, 2);
  assert.deepEqual([again.reads, again.comparison.changedRows], [2, 1], 'in reverse order more rows wait: read again');
});

test('identical results are read once and match; canonical forms cancel (1.50 = 1.5)', async () => {
  const same = base.map((row) => (row[0] === '1' ? ['1', 'paid', '10.5', null] : row));
  const { reads, comparison } = await bothWays([ORDERS, ORDERS], [base, same]);
  assert.equal(reads, 1);
  assert.equal(comparison.match, true);
  assert.equal(comparison.baselineRows, 4);
});

test('keyed: missing, extra and changed rows by key, with examples, read twice', async () => {
  const candidate: Rows = [
    ['1', 'paid', '10.50', null],
    ['2', 'open', '21.00', ''],
    ['3', 'paid', '0.01', 'x'],
    ['5', 'new', '1', null],
  ];
  const { reads, comparison } = await bothWays([ORDERS, ORDERS], [base, candidate], { key: ['id'] });
  assert.equal(reads, 2);
  assert.deepEqual([comparison.missingRows, comparison.extraRows, comparison.changedRows], [1, 1, 1]);
  assert.deepEqual(comparison.examples.find((e) => e.type === 'changed')?.columns, ['total']);
});

test('NULL against the empty string is a difference', async () => {
  const candidate = base.map((row) => (row[0] === '1' ? ['1', 'paid', '10.50', ''] : row));
  const { comparison } = await bothWays([ORDERS, ORDERS], [base, candidate], { key: ['id'] });
  assert.equal(comparison.changedRows, 1);
  assert.deepEqual(comparison.examples[0]?.columns, ['note']);
});

test('multiset with duplicates: surplus copies are missing or extra; a changed row counts once', async () => {
  const baseline: Rows = [
    ['1', 'a', '1', null],
    ['1', 'a', '1', null],
    ['1', 'a', '1', null],
    ['2', 'b', '2', null],
  ];
  const candidate: Rows = [
    ['1', 'a', '1', null],
    ['2', 'b', '3', null],
    ['9', 'z', '1', null],
    ['9', 'z', '1', null],
  ];
  const { comparison } = await bothWays([ORDERS, ORDERS], [baseline, candidate]);
  assert.equal(comparison.mismatchedRows, 3);
});

test('tolerances: within the tolerance is equal, beyond it is changed; tolerances apply to the left-over rows', async () => {
  const candidate = base.map((row) => (row[0] === '2' ? ['2', 'open', '20.004', ''] : row[0] === '3' ? ['3', 'paid', '0.5', 'x'] : row));
  const { comparison } = await bothWays([ORDERS, ORDERS], [base, candidate], { tolerances: { total: { absolute: 0.01 } } });
  assert.equal(comparison.changedRows, 1);
  const relative = await bothWays([ORDERS, ORDERS], [base, candidate], { key: ['id'], tolerances: { '*': { relative: 0.001 } } });
  assert.equal(relative.comparison.changedRows, 1, 'integer and decimal columns take "*"');
});

test('ignore_columns: an ignored column never differs, whatever its order on the other side', async () => {
  const reordered = [col('note'), col('id', 'integer'), col('total', 'decimal'), col('status')];
  const candidate = base.map(([id, status, total, note]) => [`${note ?? ''}!`, id ?? null, total ?? null, status ?? null]);
  const { reads, comparison } = await bothWays([ORDERS, reordered], [base, candidate], { ignoreColumns: ['note'], key: ['id'] });
  assert.equal(reads, 1, 'same rows in another column order: same digests');
  assert.equal(comparison.match, true);
});

test('ordered: row i against row i; a shifted row differs, a longer side has extra rows', async () => {
  const swapped = [base[1], base[0], base[2], base[3], ['5', 'new', '1', null]] as Rows;
  const { comparison } = await bothWays([ORDERS, ORDERS], [base, swapped], { ordered: true });
  assert.deepEqual([comparison.changedRows, comparison.extraRows], [2, 1]);
  const unordered = await bothWays([ORDERS, ORDERS], [base, swapped]);
  assert.equal(unordered.comparison.mismatchedRows, 1, 'as multisets only the fifth row differs');
});

test('columns that do not compare are reported without reading again', async () => {
  const { reads, comparison } = await bothWays([ORDERS, ORDERS.slice(0, 3)], [base, base.map((row) => row.slice(0, 3))]);
  assert.equal(reads, 1);
  assert.deepEqual(comparison.columnProblems, ['column "note" missing on candidate']);
  assert.equal(comparison.mismatchedRows, 4);
});

test('data that changes between the reads is compared from one full read of each side, never a mix', async () => {
  const first: Rows = [['1', 'a', '1', null]];
  const later: Rows = [['1', 'a', '2', null]];
  const a = reader(ORDERS, first, later, later);
  const b = reader(ORDERS, [['1', 'a', '5', null]], [['1', 'a', '2', null]], [['1', 'a', '2', null]]);
  const { comparison, reads } = await compareByDigests({ baseline: a.read, candidate: b.read }, { ...defaults, key: ['id'] }, 0);
  assert.equal(reads, 3);
  assert.equal(comparison.match, true, 'the third reads agree');
});

test('digests: 53-bit integers, order of columns by name, NULL apart from "" and "null"', () => {
  const digester = new RowDigester([]);
  const cols = [col('a'), col('b')];
  const values = [digester.digest([null, 'x'], cols), digester.digest(['', 'x'], cols), digester.digest(['null', 'x'], cols)];
  assert.equal(new Set(values).size, 3);
  for (const value of values) assert.ok(Number.isSafeInteger(value) && value >= 0);
  assert.equal(digester.digest(['1', '2'], cols), new RowDigester([]).digest(['2', '1'], [col('b'), col('a')]));
  const seen = new Set<number>();
  for (let i = 0; i < 200_000; i += 1) seen.add(digestText(`["${i}","row"]`));
  assert.equal(seen.size, 200_000, 'no collision among 200k similar rows');
  const list = new DigestList();
  for (let i = 0; i < 4900; i += 1) list.push(i % 7);
  const other = new DigestList();
  for (let i = 0; i < 4900; i += 1) other.push((i + 3) % 7);
  assert.equal(leftovers(list.view(), other.view(), true).rows, 9800, 'in order every row differs');
  // (As multisets the lists are sorted in place: the order of arrival no longer matters.)
  assert.equal(leftovers(list.view(), other.view(), false).rows, 0, 'the same multiset in another order');
});
