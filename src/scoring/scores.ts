import type { Dimension, ScoreContribution } from '../checks/check.js';

/**
 * Score of each (dimension, candidate): the mean of the contributions of the checks that produced
 * a result in that dimension. A dimension without results has no score (it is inconclusive, never 1).
 */
export interface DimensionScore {
  dimension: Dimension;
  candidate: string;
  score: number;
  /** How many check results the score is made of. */
  checks: number;
}

export function dimensionScores(contributions: ReadonlyArray<ScoreContribution>): DimensionScore[] {
  const groups = new Map<string, { dimension: Dimension; candidate: string; sum: number; count: number }>();
  for (const contribution of contributions) {
    const id = `${contribution.dimension}\u0000${contribution.candidate}`;
    const group = groups.get(id) ?? { dimension: contribution.dimension, candidate: contribution.candidate, sum: 0, count: 0 };
    group.sum += Math.min(1, Math.max(0, contribution.value));
    group.count += 1;
    groups.set(id, group);
  }
  return [...groups.values()].map(({ dimension, candidate, sum, count }) => ({ dimension, candidate, score: sum / count, checks: count }));
}
