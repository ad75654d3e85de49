import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bandsOf, calibrated } from '../../src/compare/distribution-calibration.js';
import type { ColumnVerdict } from '../../src/compare/distribution-columns.js';
import { compareDistinct, expectedDistinct } from '../../src/compare/distribution-distinct.js';
import {
  defaultThresholds,
  jensenShannon,
  ksExact,
  meanAndSd,
  noiseFloor,
  psi,
  shares,
  totalVariation,
  wassersteinExact,
  type Statistic,
} from '../../src/compare/distribution.js';
import { generator } from '../helpers/random.js';

/**
 * The noise floors of docs/checks/distribution.md against simulation: two samples of one
 * distribution exceed a floor in (far) fewer than 1 % of trials, and the floor is not so loose that
 * it hides everything (the 99th percentile of the statistic reaches a fifth of it). And distinct
 * counts against the subset model.
 */

const TRIALS = 200;
const N = 3000;
const M = 300;

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function categorical(random: () => number, cumulative: readonly number[]): number {
  const pick = random();
  const index = cumulative.findIndex((edge) => pick < edge);
  return index < 0 ? cumulative.length - 1 : index;
}

function counts(values: readonly number[], cells: number): number[] {
  const out = new Array<number>(cells).fill(0);
  for (const value of values) out[value] = (out[value] ?? 0) + 1;
  return out;
}

/** How often `statistic` of two samples of one law exceeds its floor, and its 99th percentile. */
function simulate(trial: (random: () => number) => { value: number; floor: number }) {
  const random = generator(2026);
  const values: number[] = [];
  let above = 0;
  let floor = 0;
  for (let i = 0; i < TRIALS; i++) {
    const result = trial(random);
    values.push(result.value);
    floor = result.floor;
    if (result.value > result.floor) above++;
  }
  values.sort((a, b) => a - b);
  return { above, floor, p99: values[Math.floor(0.99 * (TRIALS - 1))] as number };
}

function assertCalibrated(statistic: Statistic, outcome: ReturnType<typeof simulate>): void {
  const seen = `${statistic}: floor ${outcome.floor}, p99 ${outcome.p99}, above ${outcome.above}/${TRIALS}`;
  assert.ok(outcome.above <= TRIALS / 100, seen);
  assert.ok(outcome.p99 > outcome.floor / 5, seen);
}

describe('noise floors against simulation', () => {
  test('KS and Wasserstein (in baseline standard deviations) of two samples of a normal and a log-normal law', () => {
    for (const law of [(random: () => number) => normal(random), (random: () => number) => Math.exp(0.8 * normal(random))]) {
      const sampleOf = (random: () => number, size: number) => Array.from({ length: size }, () => law(random));
      assertCalibrated(
        'ks',
        simulate((random) => ({ value: ksExact(sampleOf(random, N), sampleOf(random, M)), floor: noiseFloor('ks', N, M) })),
      );
      assertCalibrated(
        'wasserstein',
        simulate((random) => {
          const a = sampleOf(random, N);
          return { value: wassersteinExact(a, sampleOf(random, M)) / meanAndSd(a).sd, floor: noiseFloor('wasserstein', N, M) };
        }),
      );
    }
  });

  test('TV, JS and PSI of two samples of one categorical law; the null share of two samples', () => {
    const law = [0.4, 0.25, 0.15, 0.1, 0.05, 0.03, 0.02];
    const cumulative = law.map((_, i) => law.slice(0, i + 1).reduce((sum, share) => sum + share, 0));
    const pair = (random: () => number) => ({
      a: counts(
        Array.from({ length: N }, () => categorical(random, cumulative)),
        law.length,
      ),
      b: counts(
        Array.from({ length: M }, () => categorical(random, cumulative)),
        law.length,
      ),
    });
    const distances: Array<[Statistic, (a: number[], b: number[]) => number]> = [
      ['tv', (a, b) => totalVariation(shares(a), shares(b))],
      ['js', (a, b) => jensenShannon(shares(a), shares(b))],
      ['psi', (a, b) => psi(a, b)],
      ['null_share', (a, b) => Math.abs((a[0] ?? 0) / N - (b[0] ?? 0) / M)],
    ];
    for (const [statistic, distance] of distances)
      assertCalibrated(
        statistic,
        simulate((random) => {
          const { a, b } = pair(random);
          return { value: distance(a, b), floor: noiseFloor(statistic, N, M, shares(a)) };
        }),
      );
  });

  test('floors stay below the default thresholds at a production-sized sample', () => {
    for (const statistic of ['ks', 'wasserstein', 'psi', 'tv', 'js', 'null_share'] as const)
      assert.ok(noiseFloor(statistic, 1_000_000, 100_000, [0.4, 0.3, 0.2, 0.1]) < defaultThresholds[statistic], statistic);
  });
});

describe('distinct counts against the row ratio', () => {
  test('a subset keeping r of the rows keeps a value seen c times with probability 1 − (1 − r)^c', () => {
    // 100 values seen 10 times each, a 10 % subset: 100 · (1 − 0.9^10) ≈ 65.1.
    assert.ok(Math.abs(expectedDistinct({ distinct: 100, rows: 1000, top: [] }, 0.1) - 65.13) < 0.01);
    // Known counts of the most frequent values: 900 rows of one value, 100 values seen once.
    const skewed = expectedDistinct({ distinct: 101, rows: 1000, top: [900] }, 0.1);
    assert.ok(Math.abs(skewed - (1 + 100 * 0.1)) < 0.01, String(skewed));
    assert.equal(expectedDistinct({ distinct: 7, rows: 70, top: [] }, 1), 7);
    assert.equal(expectedDistinct({ distinct: 0, rows: 0, top: [] }, 0.5), 0);
  });

  test('a faithful subset holds, a collapse drifts, and the smaller side is the one predicted', () => {
    const baseline = { distinct: 10_000, rows: 10_000, top: [] };
    const faithful = compareDistinct(baseline, { distinct: 1000, rows: 1000, top: [] }, defaultThresholds);
    assert.equal(faithful?.drifted, false);
    assert.equal(faithful?.predicted, 'candidate');
    const collapsed = compareDistinct(baseline, { distinct: 100, rows: 1000, top: [] }, defaultThresholds);
    assert.ok(collapsed?.drifted && Math.abs(collapsed.distance - 0.9) < 0.01, JSON.stringify(collapsed));
    // A larger candidate: the baseline is predicted from it.
    const larger = compareDistinct({ distinct: 50, rows: 1000, top: [] }, { distinct: 5000, rows: 10_000, top: [] }, defaultThresholds);
    assert.equal(larger?.predicted, 'baseline');
    assert.equal(larger?.drifted, true);
    // Few expected values: the Poisson floor keeps a count of 3 instead of 5 from drifting.
    const few = compareDistinct({ distinct: 5, rows: 5000, top: [] }, { distinct: 3, rows: 500, top: [] }, defaultThresholds);
    assert.equal(few?.drifted, false, JSON.stringify(few));
    assert.equal(compareDistinct(baseline, { distinct: 0, rows: 0, top: [] }, defaultThresholds), null);
  });
});

describe('self-calibration', () => {
  const verdictWith = (statistics: Record<string, { distance: number }>, rows: { baseline: number; candidate: number }) =>
    ({
      name: 'x',
      column: 'x',
      family: 'numeric',
      drifted: true,
      statistics: Object.fromEntries(
        Object.entries(statistics).map(([statistic, { distance }]) => [
          statistic,
          { distance, threshold: 0.1, floor: 0.01, drifted: distance > 0.1 },
        ]),
      ),
      nullShare: { baseline: 0, candidate: 0 },
      rows,
      attribution: [{ column: 'x', statistic: 'ks', baseline: 0.5, candidate: 0.2 }],
    }) as ColumnVerdict;

  test('bands are the halves’ distances rescaled to the sizes compared: √ for KS-like, linear for PSI and JS', () => {
    // Halves of 5,000 and 5,000 rows (s = 0.0004) against 10,000 and 1,000 (s = 0.0011): ratio 2.75.
    const halves = verdictWith(
      { ks: { distance: 0.02 }, psi: { distance: 0.01 }, distinct: { distance: 0.3 } },
      { baseline: 5000, candidate: 5000 },
    );
    const bands = bandsOf([halves], { baseline: 10_000, candidate: 1000 });
    assert.ok(Math.abs((bands.ks ?? 0) - 0.02 * Math.sqrt(2.75)) < 1e-9);
    assert.ok(Math.abs((bands.psi ?? 0) - 0.01 * 2.75) < 1e-9);
    assert.equal(bands.distinct, undefined);
    // Several splits: the root mean square.
    const other = verdictWith({ ks: { distance: 0.04 } }, { baseline: 5000, candidate: 5000 });
    const both = bandsOf([halves, other], { baseline: 5000, candidate: 5000 });
    assert.ok(Math.abs((both.ks ?? 0) - Math.sqrt((0.02 ** 2 + 0.04 ** 2) / 2)) < 1e-9);
  });

  test('a distance within factor × band no longer drifts; one beyond it still does', () => {
    const verdict = verdictWith({ ks: { distance: 0.15 }, tv: { distance: 0.5 } }, { baseline: 10_000, candidate: 1000 });
    const noisy = calibrated(verdict, { ks: 0.06 }, 3);
    assert.equal(noisy.statistics.ks?.drifted, false);
    assert.equal(noisy.drifted, true, 'tv has no band and still drifts');
    const quiet = calibrated(verdictWith({ ks: { distance: 0.15 } }, verdict.rows), { ks: 0.06 }, 3);
    assert.deepEqual([quiet.drifted, quiet.attribution], [false, []]);
    const shifted = calibrated(verdictWith({ ks: { distance: 0.4 } }, verdict.rows), { ks: 0.06 }, 3);
    assert.equal(shifted.drifted, true);
    assert.equal((shifted.statistics.ks as { band?: number }).band, 0.06);
  });
});
