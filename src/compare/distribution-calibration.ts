import type { ColumnVerdict } from './distribution-columns.js';
import type { Judged, Statistic } from './distribution.js';

/**
 * Self-calibration (docs/checks/distribution.md): the distances between two disjoint halves of the
 * baseline's sample are the column's own noise, which the sampling floor misses when rows come in
 * groups (orders of one customer). Pure.
 */

/** Distances that shrink as √(1/n + 1/m); PSI and JS (χ²-like) shrink as 1/n + 1/m itself. */
const ROOT_SCALED: ReadonlySet<Statistic> = new Set(['ks', 'length_ks', 'wasserstein', 'tv', 'shape_tv', 'null_share']);
const LINEAR_SCALED: ReadonlySet<Statistic> = new Set(['psi', 'js', 'shape_js']);

export interface CalibratedJudged extends Judged {
  /** The distance between the baseline's halves, rescaled to the sizes compared. */
  band: number;
}

/**
 * Each statistic's band: the root mean square, over the splits, of the distance between the two
 * halves, each rescaled from the halves' sizes (a, b) to the sizes compared (n, m). One split is a
 * single draw of the noise: several make the band an estimate of its scale, not of its luck.
 * `distinct` has no band (it is not a distance between shares).
 */
export function bandsOf(
  splits: readonly ColumnVerdict[],
  compared: { baseline: number; candidate: number },
): Partial<Record<Statistic, number>> {
  const scale = (x: number, y: number) => (x > 0 && y > 0 ? 1 / x + 1 / y : Infinity);
  const squares: Partial<Record<Statistic, number[]>> = {};
  for (const halves of splits) {
    const ratio = scale(compared.baseline, compared.candidate) / scale(halves.rows.baseline, halves.rows.candidate);
    if (!Number.isFinite(ratio)) continue;
    for (const [statistic, judged] of Object.entries(halves.statistics) as Array<[Statistic, Judged]>) {
      const rescaled = ROOT_SCALED.has(statistic)
        ? judged.distance * Math.sqrt(ratio)
        : LINEAR_SCALED.has(statistic)
          ? judged.distance * ratio
          : null;
      if (rescaled !== null) (squares[statistic] ??= []).push(rescaled * rescaled);
    }
  }
  const bands: Partial<Record<Statistic, number>> = {};
  for (const [statistic, values] of Object.entries(squares) as Array<[Statistic, number[]]>)
    bands[statistic] = Math.sqrt(values.reduce((sum, value) => sum + value, 0) / values.length);
  return bands;
}

/**
 * The verdict judged again against max(threshold, floor, factor × band) per statistic; a column no
 * longer drifted keeps no attribution.
 */
export function calibrated(verdict: ColumnVerdict, bands: Partial<Record<Statistic, number>>, factor: number): ColumnVerdict {
  const statistics: Partial<Record<Statistic, Judged | CalibratedJudged>> = {};
  for (const [statistic, judged] of Object.entries(verdict.statistics) as Array<[Statistic, Judged]>) {
    const band = bands[statistic];
    statistics[statistic] =
      band === undefined ? judged : { ...judged, band, drifted: judged.distance > Math.max(judged.threshold, judged.floor, factor * band) };
  }
  const drifted = Object.values(statistics).some((judged) => judged.drifted);
  return { ...verdict, statistics, drifted, attribution: drifted ? verdict.attribution : [] };
}
