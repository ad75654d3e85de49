import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareColumn } from '../../src/compare/distribution-columns.js';
import {
  defaultThresholds,
  jensenShannon,
  ksExact,
  ksFromBins,
  noiseFloor,
  psi,
  psiBand,
  strictEdges,
  totalVariation,
  wassersteinExact,
  wassersteinFromBins,
} from '../../src/compare/distribution.js';

/** The pure distances of the distribution kind, on small hand-checked tables. */

describe('distances between distributions', () => {
  test('KS over bins is the largest cumulative gap', () => {
    assert.equal(ksFromBins([0.5, 0.5], [0.5, 0.5]), 0);
    assert.ok(Math.abs(ksFromBins([0.25, 0.25, 0.25, 0.25], [0.5, 0.25, 0.25, 0]) - 0.25) < 1e-12);
    assert.equal(ksFromBins([1, 0], [0, 1]), 1);
  });

  test('exact KS and Wasserstein over raw values', () => {
    assert.equal(ksExact([1, 2, 3, 4], [1, 2, 3, 4]), 0);
    assert.equal(ksExact([1, 2], [3, 4]), 1);
    assert.equal(wassersteinExact([0, 0], [1, 1]), 1);
    assert.ok(Math.abs(wassersteinExact([0, 1, 2, 3], [1, 2, 3, 4]) - 1) < 1e-12);
  });

  test('Wasserstein from bins: a shift of a uniform distribution by one bin width', () => {
    // Baseline uniform on [0, 4) (edges 0..4), candidate uniform on [1, 5): W = 1.
    const edges = [0, 1, 2, 3, 4];
    const p = { counts: [0, 100, 100, 100, 100, 0, 0], sums: [0, 50, 150, 250, 350, 0, 0] };
    const q = { counts: [0, 0, 100, 100, 100, 0, 100], sums: [0, 0, 150, 250, 350, 0, 450] };
    assert.ok(Math.abs(wassersteinFromBins(edges, p, q, 0, 5) - 1) < 1e-9);
    assert.equal(wassersteinFromBins(edges, p, p, 0, 4), 0);
    // Exact from the sums, whatever the values' spread inside a bin: all of bin 1 at 0.9 instead of 0.5.
    const q2 = { counts: p.counts, sums: [0, 90, 150, 250, 350, 0, 0] };
    assert.ok(Math.abs(wassersteinFromBins(edges, p, q2, 0, 4) - 0.1) < 1e-9);
  });

  test('TV and Jensen-Shannon (base 2) lie in 0..1 and are 1 for disjoint supports', () => {
    assert.equal(totalVariation([0.5, 0.5, 0], [0, 0, 1]), 1);
    assert.ok(Math.abs(jensenShannon([1, 0], [0, 1]) - 1) < 1e-12);
    assert.equal(jensenShannon([0.3, 0.7], [0.3, 0.7]), 0);
    assert.ok(Math.abs(totalVariation([0.5, 0.5], [0.7, 0.3]) - 0.2) < 1e-12);
  });

  test('PSI stays finite for an empty bin or a new category, and its bands', () => {
    const value = psi([100, 100, 0], [90, 90, 20]);
    assert.ok(Number.isFinite(value) && value > 0.25, String(value));
    assert.equal(psi([10, 0], [10, 0]), 0);
    assert.equal(psi([], []), 0);
    assert.deepEqual([psiBand(0.05), psiBand(0.1), psiBand(0.3)], ['none', 'moderate', 'drift']);
  });

  test('the noise floor shrinks with the sample sizes', () => {
    const small = noiseFloor('ks', 1000, 100);
    const large = noiseFloor('ks', 1_000_000, 100_000);
    assert.ok(small > 0.1 && large < 0.01, `${small} ${large}`);
    assert.equal(noiseFloor('tv', 0, 10), 1);
    for (const statistic of ['wasserstein', 'psi', 'tv', 'js', 'null_share'] as const)
      assert.ok(noiseFloor(statistic, 100_000, 10_000, [0.25, 0.25, 0.5]) < defaultThresholds[statistic], statistic);
  });

  test('repeated quantiles collapse into strictly increasing edges', () => {
    assert.deepEqual(strictEdges([1, 1, 2, 2, 2, 5]), [1, 2, 5]);
  });
});

describe('one column judged', () => {
  const moments = { mean: 2, sd: 1, min: 0, max: 4, p1: 0, p50: 2, p99: 4 };
  test('a numeric column shifted right drifts, attributed to the bins that gained', () => {
    const verdict = compareColumn(
      {
        name: 'total',
        family: 'numeric',
        rows: { baseline: 4000, candidate: 4000 },
        nulls: { baseline: 0, candidate: 0 },
        values: {
          edges: [0, 1, 2, 3, 4],
          baseline: [0, 1000, 1000, 1000, 1000, 0, 0],
          candidate: [0, 0, 1000, 1000, 1000, 0, 1000],
          baselineSums: [0, 500, 1500, 2500, 3500, 0, 0],
          candidateSums: [0, 0, 1500, 2500, 3500, 0, 4500],
          moments: { baseline: moments, candidate: { ...moments, max: 5 } },
        },
      },
      defaultThresholds,
    );
    assert.equal(verdict.drifted, true);
    assert.equal(verdict.statistics.ks?.drifted, true);
    assert.ok(Math.abs((verdict.statistics.wasserstein?.distance ?? 0) - 1) < 1e-9);
    assert.ok(verdict.attribution.some((entry) => entry.bucket === 'above' && entry.candidate === 0.25));
  });

  test('a new category drifts and is named', () => {
    const verdict = compareColumn(
      {
        name: 'status',
        family: 'categorical',
        rows: { baseline: 1000, candidate: 1000 },
        nulls: { baseline: 0, candidate: 0 },
        categories: {
          values: ['a', 'b'],
          complete: true,
          baseline: [500, 500],
          candidate: [400, 400],
          baselineRest: 0,
          candidateRest: 200,
          candidateExtra: [{ value: 'c', count: 200 }],
        },
      },
      defaultThresholds,
    );
    assert.equal(verdict.drifted, true);
    assert.ok(Math.abs((verdict.statistics.tv?.distance ?? 0) - 0.2) < 1e-12);
    assert.ok(Number.isFinite(verdict.statistics.psi?.distance));
    assert.ok(verdict.attribution.some((entry) => entry.bucket === 'new' && entry.value === 'c'));
  });

  test('identical profiles hold', () => {
    const verdict = compareColumn(
      {
        name: 'status',
        family: 'categorical',
        rows: { baseline: 1000, candidate: 100 },
        nulls: { baseline: 20, candidate: 2 },
        categories: {
          values: ['a', 'b'],
          complete: true,
          baseline: [490, 490],
          candidate: [49, 49],
          baselineRest: 0,
          candidateRest: 0,
          candidateExtra: [],
        },
      },
      defaultThresholds,
    );
    assert.equal(verdict.drifted, false);
    assert.equal(verdict.attribution.length, 0);
  });
});
