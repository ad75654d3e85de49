/**
 * Small, dependency-free statistics for latency comparison: medians, quantiles, ratio of medians
 * and the Mann-Whitney U rank test (normal approximation with tie correction).
 */

/** Linear-interpolation quantile (the R-7 / NumPy default); NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** candidate median / baseline median; 1 when both are 0, Infinity when only the baseline is 0. */
export function ratioOfMedians(baseline: readonly number[], candidate: readonly number[]): number {
  const base = median(baseline);
  const cand = median(candidate);
  if (Number.isNaN(base) || Number.isNaN(cand)) return Number.NaN;
  if (base === 0) return cand === 0 ? 1 : Number.POSITIVE_INFINITY;
  return cand / base;
}

/** Standard normal cumulative distribution (Abramowitz-Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export interface MannWhitneyResult {
  /** U of the first sample (baseline): count of pairs where baseline > candidate, ties counting 1/2. */
  u: number;
  /** Standardised statistic with continuity correction; positive when the candidate tends to be larger. */
  z: number;
  /** Two-sided p-value. */
  pValue: number;
  /** P(candidate > baseline) + P(tie)/2: 0.5 means no shift, 1 means the candidate is always larger. */
  effect: number;
}

/**
 * Mann-Whitney U test (two-sided) with the normal approximation, tie-corrected variance and a
 * continuity correction. Returns null when either sample is empty or all values are tied.
 */
export function mannWhitneyU(baseline: readonly number[], candidate: readonly number[]): MannWhitneyResult | null {
  const n1 = baseline.length;
  const n2 = candidate.length;
  if (n1 === 0 || n2 === 0) return null;
  const all = [...baseline.map((value) => ({ value, group: 0 })), ...candidate.map((value) => ({ value, group: 1 }))].sort(
    (a, b) => a.value - b.value,
  );
  const n = n1 + n2;
  let rankSumBaseline = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && (all[j + 1] as { value: number }).value === (all[i] as { value: number }).value) j++;
    const averageRank = (i + j) / 2 + 1; // ranks are 1-based
    const tied = j - i + 1;
    if (tied > 1) tieTerm += tied ** 3 - tied;
    for (let k = i; k <= j; k++) if ((all[k] as { group: number }).group === 0) rankSumBaseline += averageRank;
    i = j + 1;
  }
  const u1 = rankSumBaseline - (n1 * (n1 + 1)) / 2;
  const meanU = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return null;
  const u2 = n1 * n2 - u1;
  // z > 0 when the candidate ranks higher (u2 above its mean).
  const deviation = u2 - meanU;
  const corrected = Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5);
  const z = corrected / Math.sqrt(variance);
  const pValue = Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  return { u: u1, z, pValue, effect: u2 / (n1 * n2) };
}

export type LatencyVerdict = 'slower' | 'faster' | 'same' | 'inconclusive';

export interface LatencyComparison {
  verdict: LatencyVerdict;
  ratio: number;
  baselineMedian: number;
  candidateMedian: number;
  baselineSamples: number;
  candidateSamples: number;
  pValue: number | null;
  /** Why the verdict is inconclusive, when it is. */
  reason?: string;
}

export interface LatencyOptions {
  /** Fewer samples than this on either side: inconclusive. */
  minSamples: number;
  /** Significance level of the rank test. */
  alpha: number;
  /** A significant shift counts only when the ratio of medians leaves [1/tolerance, tolerance]. */
  tolerance: number;
}

/** Ratio of medians plus the rank test, turned into a verdict that refuses to guess on few samples. */
export function compareLatency(baseline: readonly number[], candidate: readonly number[], options: LatencyOptions): LatencyComparison {
  const base = {
    ratio: ratioOfMedians(baseline, candidate),
    baselineMedian: median(baseline),
    candidateMedian: median(candidate),
    baselineSamples: baseline.length,
    candidateSamples: candidate.length,
  };
  if (baseline.length < options.minSamples || candidate.length < options.minSamples) {
    return {
      ...base,
      verdict: 'inconclusive',
      pValue: null,
      reason: `needs ${options.minSamples} samples per side, has ${baseline.length} and ${candidate.length}`,
    };
  }
  const test = mannWhitneyU(baseline, candidate);
  if (!test) return { ...base, verdict: 'same', pValue: 1 };
  const significant = test.pValue < options.alpha;
  let verdict: LatencyVerdict = 'same';
  if (significant && base.ratio > options.tolerance) verdict = 'slower';
  else if (significant && base.ratio < 1 / options.tolerance) verdict = 'faster';
  return { ...base, verdict, pValue: test.pValue };
}
