/**
 * Distances between two distributions of one column, as effect sizes (never p-values), from the
 * binned or categorical profiles both databases compute (docs/checks/distribution.md). Pure.
 *
 * Bins of a numeric column follow the baseline's edges E[0..L-1] (its quantiles, min and max
 * included): bin 0 holds values below E[0], bin i (1..L-1) values in [E[i-1], E[i]), bin L values
 * equal to E[L-1] (the baseline's maximum) and bin L+1 values above it. NULL is counted apart.
 *
 * Every distance is finite: an empty bin or a new category counts as half a row in PSI (the only
 * distance with a logarithm of a ratio); the others are bounded by construction.
 */

export const statistics = ['ks', 'wasserstein', 'psi', 'tv', 'js', 'null_share', 'length_ks', 'distinct', 'shape_tv', 'shape_js'] as const;
export type Statistic = (typeof statistics)[number];
export type Thresholds = Record<Statistic, number>;

/** Defaults: a column drifts when one of its distances exceeds its threshold (and the noise floor). */
export const defaultThresholds: Thresholds = {
  ks: 0.1,
  wasserstein: 0.25,
  psi: 0.25,
  tv: 0.1,
  js: 0.02,
  null_share: 0.05,
  length_ks: 0.1,
  distinct: 0.5,
  shape_tv: 0.1,
  shape_js: 0.02,
};

/** PSI bands as usually read: below 0.1 no shift, 0.1 to 0.25 moderate, 0.25 and above drift. */
export function psiBand(value: number): 'none' | 'moderate' | 'drift' {
  return value < 0.1 ? 'none' : value < 0.25 ? 'moderate' : 'drift';
}

export function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (total > 0 ? count / total : 0));
}

/** Largest gap between the two cumulative distributions over ordered bins, 0..1. */
export function ksFromBins(p: readonly number[], q: readonly number[]): number {
  let cp = 0;
  let cq = 0;
  let largest = 0;
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    cp += p[i] ?? 0;
    cq += q[i] ?? 0;
    largest = Math.max(largest, Math.abs(cp - cq));
  }
  return Math.min(1, largest);
}

/**
 * Wasserstein-1 distance (the area between the two CDFs) from counts and sums of values per bin
 * over the baseline's edges; `low`/`high` bound the outer bins (the smaller minimum and the larger
 * maximum of the two sides). Within a bin [a, b) the area under a CDF is exact from the bin's count
 * and sum: (b − a)·C(a) + (b·count − sum)/n. The result is exact when the CDFs do not cross inside
 * a bin (a shift, a stretch) and a lower bound otherwise.
 */
export function wassersteinFromBins(
  edges: readonly number[],
  baseline: { counts: readonly number[]; sums: readonly number[] },
  candidate: { counts: readonly number[]; sums: readonly number[] },
  low: number,
  high: number,
): number {
  const n = baseline.counts.reduce((sum, count) => sum + count, 0);
  const m = candidate.counts.reduce((sum, count) => sum + count, 0);
  if (n === 0 || m === 0) return 0;
  const last = edges.length - 1;
  const first = edges[0] ?? 0;
  const top = edges[last] ?? 0;
  // Bin i spans [from(i), to(i)); bin L is the point E[L-1] (no width), bin L+1 (E[L-1], high].
  const from = (i: number) => (i === 0 ? Math.min(low, first) : (edges[i - 1] ?? top));
  const to = (i: number) => (i === 0 ? first : i <= last ? (edges[i] ?? top) : i === last + 1 ? top : Math.max(high, top));
  let cp = 0;
  let cq = 0;
  let area = 0;
  for (let i = 0; i < last + 3; i++) {
    const a = i === last + 2 ? top : from(i);
    const b = to(i);
    const p = (baseline.counts[i] ?? 0) / n;
    const q = (candidate.counts[i] ?? 0) / m;
    const underP = (b - a) * cp + (b * p - (baseline.sums[i] ?? 0) / n);
    const underQ = (b - a) * cq + (b * q - (candidate.sums[i] ?? 0) / m);
    if (b > a) area += Math.abs(underP - underQ);
    cp += p;
    cq += q;
  }
  return area;
}

/** Half the sum of absolute share differences, 0..1. */
export function totalVariation(p: readonly number[], q: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < Math.max(p.length, q.length); i++) sum += Math.abs((p[i] ?? 0) - (q[i] ?? 0));
  return Math.min(1, sum / 2);
}

/** Jensen-Shannon divergence in base 2, 0..1; 0·log 0 is 0, so empty categories are finite. */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    const a = p[i] ?? 0;
    const b = q[i] ?? 0;
    const m = (a + b) / 2;
    if (a > 0) sum += a * Math.log2(a / m);
    if (b > 0) sum += b * Math.log2(b / m);
  }
  return Math.min(1, Math.max(0, sum / 2));
}

/**
 * Population stability index over counts. A bin empty on one side counts as half a row there (a
 * new category, a value range the baseline never had), so the index stays finite; bins empty on
 * both sides add nothing.
 */
export function psi(baselineCounts: readonly number[], candidateCounts: readonly number[]): number {
  const n = baselineCounts.reduce((sum, count) => sum + count, 0);
  const m = candidateCounts.reduce((sum, count) => sum + count, 0);
  if (n === 0 || m === 0) return 0;
  let sum = 0;
  for (let i = 0; i < Math.max(baselineCounts.length, candidateCounts.length); i++) {
    const a = baselineCounts[i] ?? 0;
    const b = candidateCounts[i] ?? 0;
    if (a === 0 && b === 0) continue;
    const p = Math.max(a, 0.5) / n;
    const q = Math.max(b, 0.5) / m;
    sum += (q - p) * Math.log(q / p);
  }
  return sum;
}

/** Exact two-sample KS distance over raw values (tests and the docs' tolerance). */
export function ksExact(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort((l, r) => l - r);
  const y = [...b].sort((l, r) => l - r);
  let i = 0;
  let j = 0;
  let largest = 0;
  while (i < x.length && j < y.length) {
    const value = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && (x[i] as number) <= value) i++;
    while (j < y.length && (y[j] as number) <= value) j++;
    largest = Math.max(largest, Math.abs(i / x.length - j / y.length));
  }
  return largest;
}

/** Exact Wasserstein-1 distance over raw values: the area between the two empirical CDFs. */
export function wassersteinExact(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort((l, r) => l - r);
  const y = [...b].sort((l, r) => l - r);
  const points = [...new Set([...x, ...y])].sort((l, r) => l - r);
  let i = 0;
  let j = 0;
  let area = 0;
  for (let k = 0; k < points.length - 1; k++) {
    const value = points[k] as number;
    while (i < x.length && (x[i] as number) <= value) i++;
    while (j < y.length && (y[j] as number) <= value) j++;
    area += Math.abs(i / x.length - j / y.length) * ((points[k + 1] as number) - value);
  }
  return area;
}

export function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, values.length);
  return { mean, sd: Math.sqrt(variance) };
}

/**
 * How large each distance gets from sampling alone at n baseline and m candidate rows, so that a
 * small staging does not drift for being small. KS: the two-sample critical value at α = 0.001
 * (1.95·√((n+m)/nm)); the others: expectation plus four standard deviations of the statistic
 * between two samples of one distribution with the baseline's shares (approximations, documented).
 */
export function noiseFloor(statistic: Statistic, n: number, m: number, baselineShares: readonly number[] = []): number {
  if (n <= 0 || m <= 0) return 1;
  const scale = 1 / n + 1 / m;
  const cells = Math.max(1, baselineShares.filter((share) => share > 0).length);
  const freedom = Math.max(1, cells - 1);
  switch (statistic) {
    case 'ks':
    case 'length_ks':
      return 1.95 * Math.sqrt(scale);
    case 'wasserstein':
      // In baseline standard deviations; the mean gap of two samples alone is about √scale.
      return 3 * Math.sqrt(scale);
    case 'null_share':
      return 4 * Math.sqrt(0.25 * scale);
    case 'tv':
    case 'shape_tv': {
      const sigmas = baselineShares.map((share) => Math.sqrt(share * (1 - share) * scale));
      const sum = sigmas.reduce((total, sigma) => total + sigma, 0);
      const squares = sigmas.reduce((total, sigma) => total + sigma * sigma, 0);
      return 0.5 * (Math.sqrt(2 / Math.PI) * sum + 4 * Math.sqrt((1 - 2 / Math.PI) * squares));
    }
    case 'psi':
      return scale * (freedom + 4 * Math.sqrt(2 * freedom));
    case 'js':
    case 'shape_js':
      return (scale * (freedom + 4 * Math.sqrt(2 * freedom))) / (8 * Math.LN2);
    case 'distinct':
      // Here n is the expected distinct count: four Poisson standard deviations of a count, relative.
      return 4 / Math.sqrt(n);
  }
}

export interface Judged {
  /** Not `value`: under an object naming a column, `value` is a row value for the examples policy. */
  distance: number;
  /** The configured threshold. */
  threshold: number;
  /** The sampling noise floor at these sample sizes. */
  floor: number;
  /** value > max(threshold, floor). */
  drifted: boolean;
}

export function judge(statistic: Statistic, value: number, thresholds: Thresholds, floor: number): Judged {
  const threshold = thresholds[statistic];
  const finite = Number.isFinite(value) ? value : 1;
  return { distance: finite, threshold, floor, drifted: finite > Math.max(threshold, floor) };
}

export interface Contribution<Label> {
  label: Label;
  baseline: number;
  candidate: number;
}

/** The `limit` bins or categories whose shares differ most (the attribution of a distance). */
export function topContributions<Label>(
  labels: readonly Label[],
  p: readonly number[],
  q: readonly number[],
  limit: number,
): Contribution<Label>[] {
  return labels
    .map((label, i) => ({ label, baseline: p[i] ?? 0, candidate: q[i] ?? 0 }))
    .filter((entry) => entry.baseline !== entry.candidate)
    .sort((a, b) => Math.abs(b.candidate - b.baseline) - Math.abs(a.candidate - a.baseline))
    .slice(0, limit);
}

/** Strictly increasing edges from quantiles (repeated quantiles of discrete data collapse). */
export function strictEdges(quantiles: readonly number[]): number[] {
  const edges: number[] = [];
  for (const value of quantiles)
    if (Number.isFinite(value) && (edges.length === 0 || value > (edges[edges.length - 1] as number))) edges.push(value);
  return edges;
}
