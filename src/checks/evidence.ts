import type { KindResult } from './check.js';

/**
 * "Nothing found to compare" is never a silent pass. When `why` is set (no relations, no tables,
 * zero rows where the configuration implies some), the result says so: it does not pass, it
 * carries no score, and its comparison series (vacuous zeros and ones) are left out, so the gate
 * and the dashboards treat the check as inconclusive.
 */
export function unlessNothingCompared(result: KindResult, why: string | undefined): KindResult {
  if (why === undefined) return result;
  return { ...result, passed: false, inconclusive: why, summary: why, series: [], scores: [] };
}
