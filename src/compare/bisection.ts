import { bucketRange, tooManyMismatches, type BucketMismatch, type IntegerGeometry } from './segments.js';

/**
 * What the `table` kind does with the differing buckets of one level of an integer key (pure).
 * Bisecting costs a pass over the bucket inside the database; fetching costs its rows over the
 * wire, about ten times more. So buckets are bisected until small, unless the children of a level
 * differ almost everywhere: then differences are dense there and the parents are merged directly
 * (all of the table in one ordered pass when they cover most of it).
 */

export interface KeyRange {
  from: bigint;
  /** Exclusive. */
  to: bigint;
}

export interface LevelState {
  level: number;
  /** Differing buckets of this level. */
  mismatched: BucketMismatch[];
  /** Buckets compared at this level: all of level 0, or the children of the parents bisected. */
  considered: number;
  /** The ranges bisected to reach this level (none at level 0). */
  parents: KeyRange[];
}

export interface BisectionLimits {
  /** A bucket with at most this many rows on each side is fetched whole. */
  fetchRows: number;
  /** Share of differing buckets above which merging beats bisecting. */
  fallbackShare: number;
  /** Non-empty buckets of level 0. */
  levelZeroBuckets: number;
}

export type LevelPlan =
  /** Differences are dense across the table: merge both tables in one ordered pass. */
  | { action: 'merge-all' }
  /** Differences are dense below the parents: merge the parents page by page. */
  | { action: 'page-parents' }
  /** Fetch the small buckets, page through the last level's large ones, bisect the rest. */
  | { action: 'split'; fetch: KeyRange[]; page: KeyRange[]; bisect: KeyRange[] };

export function planLevel(geometry: IntegerGeometry, state: LevelState, limits: BisectionLimits): LevelPlan {
  const dense = tooManyMismatches(state.mismatched.length, state.considered, limits.fallbackShare);
  // At level 0 bisection is still cheaper than merging unless there is no level below.
  if (dense && (state.level === 0 ? geometry.widths.length === 1 : true)) {
    if (state.level === 0 || state.parents.length >= limits.levelZeroBuckets * limits.fallbackShare) return { action: 'merge-all' };
    return { action: 'page-parents' };
  }
  const last = state.level >= geometry.widths.length - 1;
  const plan = { action: 'split' as const, fetch: [] as KeyRange[], page: [] as KeyRange[], bisect: [] as KeyRange[] };
  for (const bucket of state.mismatched) {
    const range = bucketRange(geometry, state.level, bucket.bucket);
    const small = bucket.baseline.rows <= limits.fetchRows && bucket.candidate.rows <= limits.fetchRows;
    if (small) plan.fetch.push(range);
    else if (last) plan.page.push(range);
    else plan.bisect.push(range);
  }
  return plan;
}

/** Buckets compared at the next level after bisecting `count` buckets of `level`. */
export function childBuckets(geometry: IntegerGeometry, level: number, count: number): number {
  return count * Number((geometry.widths[level] ?? 1n) / (geometry.widths[level + 1] ?? 1n));
}
