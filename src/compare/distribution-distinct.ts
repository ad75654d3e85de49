import { judge, noiseFloor, type Judged, type Thresholds } from './distribution.js';

/**
 * Distinct counts judged against what the row ratio predicts (docs/checks/distribution.md). Pure.
 *
 * If the smaller side were a uniform subset of the larger one, keeping a share r of its rows, a
 * value seen c times on the larger side would appear on the smaller one with probability
 * 1 − (1 − r)^c. The expected distinct count is the sum over the larger side's values; the counts of
 * its most frequent values are known (categories), the rest are taken as equally frequent.
 */

export interface DistinctSide {
  /** Distinct non-null values of the side's sample. */
  distinct: number;
  /** Non-null rows of the side's sample. */
  rows: number;
  /** Counts of its most frequent values, when profiled (categories); empty otherwise. */
  top: readonly number[];
}

export interface DistinctVerdict extends Judged {
  baseline: number;
  candidate: number;
  /** The side predicted from the other (the smaller one) and the count predicted there. */
  predicted: 'baseline' | 'candidate';
  expected: number;
}

/** Distinct values expected in a uniform subset keeping `ratio` (0..1) of the rows of `whole`. */
export function expectedDistinct(whole: DistinctSide, ratio: number): number {
  if (whole.distinct <= 0 || whole.rows <= 0) return 0;
  if (ratio >= 1) return whole.distinct;
  const kept = (count: number) => 1 - (1 - ratio) ** count;
  const top = whole.top.slice(0, whole.distinct);
  const listedRows = top.reduce((sum, count) => sum + count, 0);
  const restValues = whole.distinct - top.length;
  const restRows = Math.max(restValues, whole.rows - listedRows);
  const listed = top.reduce((sum, count) => sum + kept(count), 0);
  return listed + (restValues > 0 ? restValues * kept(restRows / restValues) : 0);
}

/**
 * |observed / expected − 1| on the smaller side, judged against `thresholds.distinct` and a floor
 * of four Poisson standard deviations of a count around the expectation (4/√expected).
 */
export function compareDistinct(baseline: DistinctSide, candidate: DistinctSide, thresholds: Thresholds): DistinctVerdict | null {
  if (baseline.rows <= 0 || candidate.rows <= 0) return null;
  const predicted = candidate.rows <= baseline.rows ? 'candidate' : 'baseline';
  const [whole, part] = predicted === 'candidate' ? [baseline, candidate] : [candidate, baseline];
  const expected = expectedDistinct(whole, part.rows / whole.rows);
  if (expected <= 0) return null;
  const departure = Math.abs(part.distinct / expected - 1);
  return {
    ...judge('distinct', departure, thresholds, noiseFloor('distinct', expected, expected)),
    baseline: baseline.distinct,
    candidate: candidate.distinct,
    predicted,
    expected,
  };
}
