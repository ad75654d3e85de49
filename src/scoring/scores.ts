import { type ScoreContribution } from '../checks/check.js';
import { dimensions, type Dimension } from '../core/dimensions.js';

/**
 * Fidelity scores, all in 0..1 (1 = the candidate predicts the baseline faithfully). Pure functions.
 *
 * - A check result contributes `ScoreContribution`s: { dimension, candidate, value }. Each kind decides
 *   its value (a query check gives 1 when the result sets match and 0 when they do not; a fault check
 *   gives detected / injected; ...). Values outside 0..1 are clamped, non-finite values are ignored.
 * - dimension score(d, c) = mean of the values of the contributions for dimension d and candidate c.
 * - overall(c) = Σ w_d · score(d, c) / Σ w_d over the dimensions d that have a score for c and a
 *   weight w_d > 0 (weights from `scores.weights`, default 1 each).
 * - A dimension without contributions has no score: it is inconclusive, never 1. When no dimension
 *   has a score, the overall score is inconclusive too.
 */

export const OVERALL = 'overall';
export type ScoreName = Dimension | typeof OVERALL;

export interface DimensionScore {
  dimension: Dimension;
  candidate: string;
  score: number;
  /** How many contributions (check results) the score is made of. */
  checks: number;
}

export interface CandidateScores {
  candidate: string;
  /** Every dimension; `score` is null when it has no contribution (inconclusive). */
  dimensions: Array<{ dimension: Dimension; score: number | null; checks: number; weight: number }>;
  /** Weighted mean of the dimensions that have a score; null when none has. */
  overall: number | null;
}

export function clampScore(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return Math.min(1, Math.max(0, value));
}

export function dimensionScores(contributions: ReadonlyArray<ScoreContribution>): DimensionScore[] {
  const groups = new Map<string, { dimension: Dimension; candidate: string; sum: number; count: number }>();
  for (const contribution of contributions) {
    const value = clampScore(contribution.value);
    if (value === null) continue;
    const id = `${contribution.dimension}\u0000${contribution.candidate}`;
    const group = groups.get(id) ?? { dimension: contribution.dimension, candidate: contribution.candidate, sum: 0, count: 0 };
    group.sum += value;
    group.count += 1;
    groups.set(id, group);
  }
  return [...groups.values()].map(({ dimension, candidate, sum, count }) => ({ dimension, candidate, score: sum / count, checks: count }));
}

/** Weight of a dimension: `scores.weights[dimension]`, default 1. */
export function weightOf(weights: Readonly<Record<string, number>>, dimension: Dimension): number {
  const weight = weights[dimension];
  return weight === undefined || !Number.isFinite(weight) || weight < 0 ? 1 : weight;
}

/** Weighted mean of the scores that exist; null when no dimension with a positive weight has one. */
export function overallScore(scores: ReadonlyArray<{ score: number | null; weight: number }>): number | null {
  let weighted = 0;
  let total = 0;
  for (const { score, weight } of scores) {
    if (score === null || weight <= 0) continue;
    weighted += weight * score;
    total += weight;
  }
  return total > 0 ? weighted / total : null;
}

/**
 * Scores of every candidate: the ones named in `candidates` (so that a candidate whose checks have
 * no result yet still appears, inconclusive) and the ones that contributions mention.
 */
export function candidateScores(
  contributions: ReadonlyArray<ScoreContribution>,
  weights: Readonly<Record<string, number>> = {},
  candidates: Iterable<string> = [],
): CandidateScores[] {
  const byDimension = dimensionScores(contributions);
  const names = new Set<string>(candidates);
  for (const score of byDimension) names.add(score.candidate);
  return [...names].sort().map((candidate) => {
    const rows = dimensions.map((dimension) => {
      const found = byDimension.find((s) => s.candidate === candidate && s.dimension === dimension);
      return { dimension, score: found?.score ?? null, checks: found?.checks ?? 0, weight: weightOf(weights, dimension) };
    });
    return { candidate, dimensions: rows, overall: overallScore(rows) };
  });
}
