import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareLatency, mannWhitneyU, median, normalCdf, quantile, ratioOfMedians } from '../../src/compare/stats.js';

test('quantile interpolates linearly and median handles even and odd lengths', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(quantile([10, 20, 30, 40, 50], 0.99), 49.6);
  assert.equal(quantile([7], 0.99), 7);
  assert.ok(Number.isNaN(median([])));
});

test('ratio of medians is candidate over baseline, with the zero cases defined', () => {
  assert.equal(ratioOfMedians([10, 10, 10], [30, 30, 30]), 3);
  assert.equal(ratioOfMedians([0], [0]), 1);
  assert.equal(ratioOfMedians([0], [1]), Number.POSITIVE_INFINITY);
});

test('normal CDF matches known values', () => {
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.96) - 0.975) < 1e-4);
  assert.ok(Math.abs(normalCdf(-1.96) - 0.025) < 1e-4);
});

test('Mann-Whitney U matches a textbook example', () => {
  const result = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
  assert.ok(result);
  // Classic example: U for the first sample is 17, the second 3.
  assert.equal(result.u, 17);
  // Normal approximation with continuity correction: z = (3 - 10 + 0.5)/sqrt(20*10/12) = -1.5922..., p = 0.1113
  assert.ok(Math.abs(result.pValue - 0.1113) < 0.001, `p=${result.pValue}`);
  assert.ok(result.effect < 0.5, 'candidate tends to be smaller');
});

test('Mann-Whitney U applies the tie correction', () => {
  const result = mannWhitneyU([1, 1, 2, 2, 3], [2, 3, 3, 4, 4]);
  assert.ok(result);
  // Ties: groups of 2,3,3,2 -> sum(t^3-t) = 6+24+24+6 = 60; var = 25/12 * (11 - 60/90) = 21.527...
  // Baseline rank sum 18 -> U1 = 3, U2 = 22; deviation 9.5 -> corrected 9 -> z = 9/sqrt(21.527) = 1.9397
  assert.equal(result.u, 3);
  assert.ok(Math.abs(result.z - 1.9397) < 0.001, `z=${result.z}`);
});

test('all values tied gives no test; an empty side gives none either', () => {
  assert.equal(mannWhitneyU([5, 5], [5, 5]), null);
  assert.equal(mannWhitneyU([], [1]), null);
});

const options = { minSamples: 8, alpha: 0.05, tolerance: 1.2 };

test('too few samples is inconclusive, with the reason', () => {
  const result = compareLatency([1, 2, 3], [3, 4, 5], options);
  assert.equal(result.verdict, 'inconclusive');
  assert.equal(result.pValue, null);
  assert.match(result.reason ?? '', /needs 8 samples per side, has 3 and 3/);
});

test('a 3x slower candidate is slower; equal distributions are the same; a faster one is faster', () => {
  const base = [20, 21, 19, 22, 20, 21, 20, 19, 22, 20];
  const slow = base.map((value) => value * 3);
  assert.equal(compareLatency(base, slow, options).verdict, 'slower');
  assert.ok(Math.abs(compareLatency(base, slow, options).ratio - 3) < 1e-9);
  assert.equal(compareLatency(base, [...base].reverse(), options).verdict, 'same');
  assert.equal(compareLatency(slow, base, options).verdict, 'faster');
});

test('a significant but tiny shift within the tolerance stays "same"', () => {
  const base = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109];
  const shifted = base.map((value) => value + 10); // ratio ~1.1 < 1.2
  assert.equal(compareLatency(base, shifted, options).verdict, 'same');
});
