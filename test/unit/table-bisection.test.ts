import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childBuckets, planLevel, type LevelState } from '../../src/compare/bisection.js';
import type { BucketMismatch, IntegerGeometry } from '../../src/compare/segments.js';

// Keys 1..100: level 0 buckets of 128 keys, then 4, then single keys.
const three: IntegerGeometry = { lo: 1n, end: 101n, widths: [128n, 4n, 1n] };
const one: IntegerGeometry = { lo: 1n, end: 101n, widths: [16n] };
const limits = { fetchRows: 10, fallbackShare: 0.5, levelZeroBuckets: 40 };

const differing = (bucket: bigint, baselineRows: number, candidateRows = baselineRows): BucketMismatch => ({
  bucket,
  baseline: { rows: baselineRows, hash: 1n },
  candidate: { rows: candidateRows, hash: 2n },
});
const state = (level: number, mismatched: BucketMismatch[], considered: number, parents: LevelState['parents'] = []): LevelState => ({
  level,
  mismatched,
  considered,
  parents,
});

const cases: { name: string; geometry: IntegerGeometry; state: LevelState; expected: ReturnType<typeof planLevel> }[] = [
  {
    name: 'small buckets are fetched, large ones bisected while a level remains below',
    geometry: three,
    state: state(1, [differing(2n, 3), differing(5n, 4, 50)], 64),
    expected: { action: 'split', fetch: [{ from: 9n, to: 13n }], page: [], bisect: [{ from: 21n, to: 25n }] },
  },
  {
    name: 'large buckets of the last level are paged through',
    geometry: three,
    state: state(2, [differing(7n, 11), differing(8n, 1)], 64),
    expected: { action: 'split', fetch: [{ from: 9n, to: 10n }], page: [{ from: 8n, to: 9n }], bisect: [] },
  },
  {
    name: 'dense at level 0 with levels below: bisect anyway (a pass in the database is cheaper)',
    geometry: { lo: 1n, end: 101n, widths: [4n, 1n] },
    state: state(
      0,
      Array.from({ length: 20 }, (_, i) => differing(BigInt(i), 40)),
      25,
    ),
    expected: {
      action: 'split',
      fetch: [],
      page: [],
      bisect: Array.from({ length: 20 }, (_, i) => ({ from: 1n + BigInt(i) * 4n, to: 5n + BigInt(i) * 4n })),
    },
  },
  {
    name: 'dense at level 0 with no level below: merge the whole tables',
    geometry: one,
    state: state(
      0,
      Array.from({ length: 20 }, (_, i) => differing(BigInt(i), 40)),
      25,
    ),
    expected: { action: 'merge-all' },
  },
  {
    name: 'dense below a few parents: page through those parents only',
    geometry: three,
    state: state(
      1,
      Array.from({ length: 30 }, (_, i) => differing(BigInt(i), 40)),
      32,
      [{ from: 1n, to: 129n }],
    ),
    expected: { action: 'page-parents' },
  },
  {
    name: 'dense below parents covering most of the table: merge the whole tables',
    geometry: three,
    state: state(
      1,
      Array.from({ length: 30 }, (_, i) => differing(BigInt(i), 40)),
      32,
      Array.from({ length: 20 }, () => ({ from: 1n, to: 129n })),
    ),
    expected: { action: 'merge-all' },
  },
  {
    name: 'a few differences among few buckets are never "dense" (at least 8 must differ)',
    geometry: one,
    state: state(0, [differing(0n, 40), differing(1n, 40)], 2),
    expected: {
      action: 'split',
      fetch: [],
      page: [
        { from: 1n, to: 17n },
        { from: 17n, to: 33n },
      ],
      bisect: [],
    },
  },
];

for (const { name, geometry, state: given, expected } of cases) {
  test(`bisection plan: ${name}`, () => {
    assert.deepEqual(planLevel(geometry, given, limits), expected);
  });
}

test('bisection plan: children compared after bisecting', () => {
  assert.equal(childBuckets(three, 0, 3), 3 * 32);
  assert.equal(childBuckets(three, 1, 2), 2 * 4);
});
