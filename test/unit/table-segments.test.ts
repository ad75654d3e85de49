import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addBucketSum,
  bucketRange,
  ChunkCursor,
  integerGeometry,
  mismatchedBuckets,
  tooManyMismatches,
  totalRows,
  type BucketSums,
} from '../../src/compare/segments.js';

test('geometry: power-of-two widths from the key density, each level fanout times narrower', () => {
  // 10M rows on even keys 2..20M: density 1/2, so 1024 rows need 2048 keys.
  const geometry = integerGeometry(2n, 20_000_000n, 10_000_000, { bucketRows: 1024, fanout: 32, fetchRows: 64 });
  assert.equal(geometry.lo, 2n);
  assert.equal(geometry.end, 20_000_001n);
  assert.deepEqual(geometry.widths, [2048n, 64n]);
  assert.deepEqual(bucketRange(geometry, 0, 3n), { from: 2n + 3n * 2048n, to: 2n + 4n * 2048n });
  assert.deepEqual(bucketRange(geometry, 1, 97n), { from: 2n + 97n * 64n, to: 2n + 98n * 64n });
  // Every level divides the one above it, so children nest in their parent.
  for (let i = 1; i < geometry.widths.length; i += 1) assert.equal((geometry.widths[i - 1] ?? 0n) % (geometry.widths[i] ?? 1n), 0n);
});

test('geometry: a dense small table goes down to single keys; widths never exceed the span', () => {
  const geometry = integerGeometry(1n, 100n, 100, { bucketRows: 1024, fanout: 32, fetchRows: 1 });
  assert.deepEqual(geometry.widths, [128n, 4n, 1n]);
  const unknown = integerGeometry(-50n, 50n, 0, { bucketRows: 16, fanout: 4, fetchRows: 4 });
  assert.deepEqual(unknown.widths, [16n, 4n]);
});

test('checksums of both engines compare modulo 2^64 (signed PostgreSQL, unsigned MariaDB)', () => {
  const a: BucketSums = new Map();
  const b: BucketSums = new Map();
  addBucketSum(a, '0', '3', '-1');
  addBucketSum(b, '0', '3', '18446744073709551615');
  addBucketSum(a, '1', '2', '5');
  addBucketSum(b, '1', '2', '6');
  addBucketSum(a, '2', '1', '9');
  addBucketSum(b, '3', '1', '9');
  assert.deepEqual(
    mismatchedBuckets(a, b).map((m) => m.bucket),
    [1n, 2n, 3n],
  );
  assert.equal(totalRows(a), 6);
  // A bucket reported twice is folded: counts add, hashes xor.
  addBucketSum(a, '1', '1', '3');
  assert.deepEqual(a.get(1n), { rows: 3, hash: 6n });
});

test('chunk cursor: consecutive whole buckets, sized towards the target time (at most 2x per step)', () => {
  const geometry = integerGeometry(0n, 99_999n, 100_000, { bucketRows: 100, fanout: 4, fetchRows: 4 });
  const cursor = new ChunkCursor(geometry, 10, 100);
  const first = cursor.take();
  assert.deepEqual(first, { from: 0n, to: 10n * (geometry.widths[0] ?? 0n) });
  cursor.observe(10, 10); // ten times too fast: grows, but only 2x
  assert.equal(cursor.bucketsPerChunk, 20);
  cursor.observe(20, 1000); // five times too slow: halves
  assert.equal(cursor.bucketsPerChunk, 10);
  let covered = first?.to ?? 0n;
  for (let chunk = cursor.take(); chunk; chunk = cursor.take()) {
    assert.equal(chunk.from, covered, 'no gap, no overlap');
    covered = chunk.to;
  }
  assert.equal(covered, geometry.end, 'the last chunk stops at the end of the keys');
});

test('dense differences: more than the share (and more than a handful)', () => {
  assert.equal(tooManyMismatches(6, 10, 0.5), false);
  assert.equal(tooManyMismatches(9, 10, 0.5), true);
  assert.equal(tooManyMismatches(60, 100, 0.5), true);
  assert.equal(tooManyMismatches(40, 100, 0.5), false);
});
