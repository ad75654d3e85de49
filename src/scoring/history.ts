import type { CandidateScores, ScoreName } from './scores.js';
import { OVERALL } from './scores.js';

/**
 * Scores over the exporter's uptime, for the report's charts. Memory is bounded: each series keeps
 * at most `capacity` points; when full, every other point of the older half is dropped, so the series
 * still spans the whole uptime at a coarser resolution for the past and full resolution lately.
 */

export interface HistoryPoint {
  /** Unix time in milliseconds. */
  t: number;
  /** null while the score was inconclusive. */
  score: number | null;
}

export class ScoreHistory {
  private readonly series = new Map<string, HistoryPoint[]>();

  constructor(
    readonly capacity = 240,
    readonly maxSeries = 64,
  ) {
    if (capacity < 4) throw new RangeError('history capacity must be at least 4');
  }

  private static id(candidate: string, dimension: ScoreName): string {
    return `${candidate}\u0000${dimension}`;
  }

  /** Records the current scores; a point equal to the previous one of its series only moves time on. */
  record(t: number, scores: readonly CandidateScores[]): void {
    for (const candidate of scores) {
      this.add(candidate.candidate, OVERALL, { t, score: candidate.overall });
      for (const row of candidate.dimensions) {
        // Dimensions that never had a score stay out of the charts.
        if (row.score === null && !this.series.has(ScoreHistory.id(candidate.candidate, row.dimension))) continue;
        this.add(candidate.candidate, row.dimension, { t, score: row.score });
      }
    }
  }

  private add(candidate: string, dimension: ScoreName, point: HistoryPoint): void {
    const id = ScoreHistory.id(candidate, dimension);
    let points = this.series.get(id);
    if (!points) {
      if (this.series.size >= this.maxSeries) return;
      points = [];
      this.series.set(id, points);
    }
    const last = points.at(-1);
    const beforeLast = points.at(-2);
    // Three equal values in a row: move the middle one's time instead of adding a point.
    if (last && beforeLast && last.score === point.score && beforeLast.score === point.score) {
      last.t = point.t;
      return;
    }
    points.push(point);
    if (points.length > this.capacity) {
      const half = Math.floor(points.length / 2);
      const older = points.slice(0, half).filter((_, index) => index % 2 === 0);
      points.splice(0, half, ...older);
    }
  }

  points(candidate: string, dimension: ScoreName): readonly HistoryPoint[] {
    return this.series.get(ScoreHistory.id(candidate, dimension)) ?? [];
  }

  /** Every series as plain JSON (for the read model). */
  toJSON(): Array<{ candidate: string; dimension: ScoreName; points: HistoryPoint[] }> {
    return [...this.series.entries()].map(([id, points]) => {
      const [candidate = '', dimension = OVERALL] = id.split('\u0000') as [string, ScoreName];
      return { candidate, dimension, points: points.map((p) => ({ ...p })) };
    });
  }
}
