import {
  jensenShannon,
  judge,
  ksFromBins,
  noiseFloor,
  psi,
  shares,
  topContributions,
  totalVariation,
  wassersteinFromBins,
  type Judged,
  type Statistic,
  type Thresholds,
} from './distribution.js';
import { compareDistinct, type DistinctSide, type DistinctVerdict } from './distribution-distinct.js';

/**
 * One column's verdict from the two sides' profiles (pure): which distances it has, each judged
 * against its threshold and the noise floor of the two sample sizes, and the bins or values that
 * contribute most (docs/checks/distribution.md).
 */

/** numeric/temporal: binned values; categorical: values; text: values and lengths; length: lengths only. */
export type Family = 'numeric' | 'temporal' | 'categorical' | 'text' | 'length';

export interface Moments {
  mean: number | null;
  sd: number | null;
  min: number | null;
  max: number | null;
  p1: number | null;
  p50: number | null;
  p99: number | null;
}

/** Counts (and sums of the values) over the baseline's edges (bins 0..L+1, see compare/distribution.ts). */
export interface Histogram {
  edges: number[];
  baseline: number[];
  candidate: number[];
  baselineSums: number[];
  candidateSums: number[];
  moments: { baseline: Moments; candidate: Moments };
}

export interface Categories {
  /** The baseline's most frequent values (all of them when `complete`). */
  values: string[];
  complete: boolean;
  baseline: number[];
  candidate: number[];
  /** Non-null rows outside `values`: the baseline's "other"; the candidate's "new" (complete) or "other". */
  baselineRest: number;
  candidateRest: number;
  /** The candidate's most frequent values outside the list (shown as new when the list is complete). */
  candidateExtra: { value: string; count: number }[];
}

export interface ColumnSides {
  name: string;
  family: Family;
  rows: { baseline: number; candidate: number };
  nulls: { baseline: number; candidate: number };
  values?: Histogram;
  lengths?: Histogram;
  categories?: Categories;
  /** A masked or sensitive column's shapes (docs/checks/distribution.md, "Shapes"), counted like categories. */
  shapes?: Categories;
  /** Distinct counts of each side's sample (compared with what the row ratio predicts). */
  distinct?: { baseline: DistinctSide; candidate: DistinctSide };
}

export interface Attribution {
  /** The column (so the examples policy protects `value`, results/privacy.ts). */
  column: string;
  statistic: Statistic;
  /** A bin of the column's values or lengths: [from, to); `to` null for a point or the top bin. */
  from?: number | null;
  to?: number | null;
  /** A category: the value itself, through the examples policy. */
  value?: string | null;
  /** A shape of a masked or sensitive column (`Aa9@a.a`): shown as it is, it holds no value. */
  shape?: string;
  /** "other" (outside the baseline's list), "new" (unknown to the baseline), "null", "below", "above". */
  bucket?: string;
  baseline: number;
  candidate: number;
}

export interface ColumnVerdict {
  name: string;
  column: string;
  family: Family;
  drifted: boolean;
  statistics: Partial<Record<Statistic, Judged>>;
  nullShare: { baseline: number; candidate: number };
  rows: { baseline: number; candidate: number };
  moments?: Histogram['moments'];
  lengthMoments?: Histogram['moments'];
  /** Both distinct counts and the count the row ratio predicts on the smaller side. */
  distinct?: DistinctVerdict;
  attribution: Attribution[];
}

const ATTRIBUTION_LIMIT = 3;

function binLabels(edges: readonly number[]): Array<Pick<Attribution, 'from' | 'to' | 'bucket'>> {
  const last = edges.length - 1;
  return [
    { bucket: 'below', from: null, to: edges[0] ?? null },
    ...edges.slice(0, last).map((edge, i) => ({ from: edge, to: edges[i + 1] ?? null })),
    { from: edges[last] ?? null, to: null },
    { bucket: 'above', from: edges[last] ?? null, to: null },
  ];
}

function compareHistogram(
  column: string,
  histogram: Histogram,
  statistic: 'ks' | 'length_ks',
  thresholds: Thresholds,
  withWasserstein: boolean,
): { statistics: Partial<Record<Statistic, Judged>>; attribution: Attribution[] } {
  const p = shares(histogram.baseline);
  const q = shares(histogram.candidate);
  const n = histogram.baseline.reduce((sum, count) => sum + count, 0);
  const m = histogram.candidate.reduce((sum, count) => sum + count, 0);
  const judged: Partial<Record<Statistic, Judged>> = {
    [statistic]: judge(statistic, ksFromBins(p, q), thresholds, noiseFloor(statistic, n, m)),
  };
  if (withWasserstein) {
    const { baseline, candidate } = histogram.moments;
    const low = Math.min(baseline.min ?? Infinity, candidate.min ?? Infinity);
    const high = Math.max(baseline.max ?? -Infinity, candidate.max ?? -Infinity);
    const distance =
      Number.isFinite(low) && Number.isFinite(high)
        ? wassersteinFromBins(
            histogram.edges,
            { counts: histogram.baseline, sums: histogram.baselineSums },
            { counts: histogram.candidate, sums: histogram.candidateSums },
            low,
            high,
          )
        : 0;
    // A constant baseline (sd 0) is measured in the column's own unit.
    const sd = baseline.sd !== null && baseline.sd > 0 ? baseline.sd : 1;
    judged.wasserstein = judge('wasserstein', distance / sd, thresholds, noiseFloor('wasserstein', n, m));
  }
  const attribution = topContributions(binLabels(histogram.edges), p, q, ATTRIBUTION_LIMIT).map(({ label, baseline, candidate }) => ({
    column,
    statistic,
    ...label,
    baseline,
    candidate,
  }));
  return { statistics: judged, attribution };
}

/** What a categorical comparison is over: values (tv, js) or a masked column's shapes (shape_tv, shape_js). */
const OVER: Record<'values' | 'shapes', { tv: Statistic; js: Statistic; label: (text: string) => Pick<Attribution, 'value' | 'shape'> }> = {
  values: { tv: 'tv', js: 'js', label: (value) => ({ value }) },
  shapes: { tv: 'shape_tv', js: 'shape_js', label: (shape) => ({ shape }) },
};

function compareCategories(
  column: string,
  categories: Categories,
  thresholds: Thresholds,
  over: keyof typeof OVER = 'values',
): { statistics: Partial<Record<Statistic, Judged>>; attribution: Attribution[] } {
  const { tv, js, label: labelOf } = OVER[over];
  const baselineCounts = [...categories.baseline, categories.baselineRest];
  const candidateCounts = [...categories.candidate, categories.candidateRest];
  const p = shares(baselineCounts);
  const q = shares(candidateCounts);
  const n = baselineCounts.reduce((sum, count) => sum + count, 0);
  const m = candidateCounts.reduce((sum, count) => sum + count, 0);
  const rest = categories.complete ? 'new' : 'other';
  const labels: Array<Pick<Attribution, 'value' | 'shape' | 'bucket'>> = [
    ...categories.values.map((text) => labelOf(text)),
    { bucket: rest },
  ];
  const attribution: Attribution[] = topContributions(labels, p, q, ATTRIBUTION_LIMIT).map(({ label, baseline, candidate }) => ({
    column,
    statistic: tv,
    ...label,
    baseline,
    candidate,
  }));
  // The new values themselves, with their shares of the candidate.
  if (categories.complete && m > 0)
    for (const extra of categories.candidateExtra.slice(0, ATTRIBUTION_LIMIT))
      attribution.push({ column, statistic: tv, bucket: 'new', ...labelOf(extra.value), baseline: 0, candidate: extra.count / m });
  return {
    statistics: {
      [tv]: judge(tv, totalVariation(p, q), thresholds, noiseFloor(tv, n, m, p)),
      [js]: judge(js, jensenShannon(p, q), thresholds, noiseFloor(js, n, m, p)),
    },
    attribution,
  };
}

/** PSI over the column's whole profile, NULL included: bins, or categories with their rest. */
function psiOf(sides: ColumnSides): { baseline: number[]; candidate: number[] } | null {
  const shape = sides.values ?? (sides.categories ? undefined : sides.lengths);
  if (shape) return { baseline: [sides.nulls.baseline, ...shape.baseline], candidate: [sides.nulls.candidate, ...shape.candidate] };
  const categories = sides.categories;
  if (!categories) return null;
  return {
    baseline: [sides.nulls.baseline, ...categories.baseline, categories.baselineRest],
    candidate: [sides.nulls.candidate, ...categories.candidate, categories.candidateRest],
  };
}

export function compareColumn(sides: ColumnSides, thresholds: Thresholds): ColumnVerdict {
  const { name } = sides;
  const nullShare = {
    baseline: sides.rows.baseline > 0 ? sides.nulls.baseline / sides.rows.baseline : 0,
    candidate: sides.rows.candidate > 0 ? sides.nulls.candidate / sides.rows.candidate : 0,
  };
  const statistics: Partial<Record<Statistic, Judged>> = {};
  // Each part's attribution, with the statistics it explains (PSI: the part it is computed over).
  const parts: Array<{ explains: Statistic[]; attribution: Attribution[] }> = [];
  const add = (part: { statistics: Partial<Record<Statistic, Judged>>; attribution: Attribution[] }, psiHere: boolean) => {
    Object.assign(statistics, part.statistics);
    parts.push({
      explains: [...(Object.keys(part.statistics) as Statistic[]), ...(psiHere ? (['psi'] as const) : [])],
      attribution: part.attribution,
    });
  };
  if (sides.values) add(compareHistogram(name, sides.values, 'ks', thresholds, true), true);
  if (sides.categories) add(compareCategories(name, sides.categories, thresholds), !sides.values);
  if (sides.lengths) add(compareHistogram(name, sides.lengths, 'length_ks', thresholds, false), !sides.values && !sides.categories);
  if (sides.shapes) add(compareCategories(name, sides.shapes, thresholds, 'shapes'), false);
  const counts = psiOf(sides);
  if (counts) {
    const p = shares(counts.baseline);
    statistics.psi = judge(
      'psi',
      psi(counts.baseline, counts.candidate),
      thresholds,
      noiseFloor('psi', sides.rows.baseline, sides.rows.candidate, p),
    );
  }
  statistics.null_share = judge(
    'null_share',
    Math.abs(nullShare.candidate - nullShare.baseline),
    thresholds,
    noiseFloor('null_share', sides.rows.baseline, sides.rows.candidate),
  );
  const distinct = sides.distinct ? compareDistinct(sides.distinct.baseline, sides.distinct.candidate, thresholds) : null;
  if (distinct)
    statistics.distinct = { distance: distinct.distance, threshold: distinct.threshold, floor: distinct.floor, drifted: distinct.drifted };
  // Attribution of what drifted only: the bins or values behind each drifted distance.
  const attribution = parts
    .filter((part) => part.explains.some((statistic) => statistics[statistic]?.drifted))
    .flatMap((part) => part.attribution);
  if (statistics.null_share.drifted)
    attribution.unshift({
      column: name,
      statistic: 'null_share',
      bucket: 'null',
      baseline: nullShare.baseline,
      candidate: nullShare.candidate,
    });
  return {
    name,
    column: name,
    family: sides.family,
    drifted: Object.values(statistics).some((judged) => judged.drifted),
    statistics,
    nullShare,
    rows: sides.rows,
    moments: sides.values?.moments,
    lengthMoments: sides.lengths?.moments,
    ...(distinct ? { distinct } : {}),
    attribution,
  };
}
