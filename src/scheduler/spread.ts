import { hash32 } from './shard.js';

/**
 * When each check samples first after a start: spread evenly over its window (its interval or the
 * period of its cron schedule, at most `defaults.start_spread`) instead of all in the same second,
 * so that start-up costs what steady state costs. Checks that share a window length are spaced
 * window/n apart, ordered by a hash of their names: the same configuration always gives the same
 * offsets (restarts and shard replicas behave predictably) and the order of checks in the file does
 * not matter.
 */

export interface SpreadCheck {
  name: string;
  /** The window the check's first sample may fall in, already capped by start_spread. */
  windowMs: number;
}

/** Milliseconds from the start to the first sample of each check. */
export function firstSampleDelays(checks: readonly SpreadCheck[]): Map<string, number> {
  const byWindow = new Map<number, SpreadCheck[]>();
  for (const check of checks) {
    const window = Math.max(0, Math.floor(check.windowMs));
    byWindow.set(window, [...(byWindow.get(window) ?? []), check]);
  }
  const delays = new Map<string, number>();
  for (const [window, group] of byWindow) {
    const ordered = group
      .map((check) => ({ name: check.name, rank: hash32(`start\u0000${check.name}`) }))
      .sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : 1));
    ordered.forEach((check, index) => delays.set(check.name, Math.floor((window * index) / ordered.length)));
  }
  return delays;
}

/** The spread window of a check: its interval (or cron period), capped by start_spread. */
export function spreadWindow(periodMs: number, startSpreadMs: number): number {
  return Math.max(0, Math.min(periodMs, startSpreadMs));
}
