import type { Dimension } from '../core/dimensions.js';
import type { ScoresConfig } from '../config/schema.js';
import type { CheckState } from '../results/store.js';
import type { CheckOutcome, GateConfig } from './gate.js';

/** The dimension a kind feeds, as the map of kinds states it (checks/kinds.ts `kindDimension`). */
export type DimensionOf = (kind: string) => Dimension | undefined;

/** The gate's view of the results store: one outcome per enabled check. */
export function outcomesOf(states: readonly CheckState[], dimensionOf: DimensionOf): CheckOutcome[] {
  return states.filter((state) => state.check.enabled).map((state) => outcomeOf(state, dimensionOf));
}

/** The gate's view of one check's state. */
export function outcomeOf(state: CheckState, dimensionOf: DimensionOf): CheckOutcome {
  const contributions = state.result?.inconclusive ? [] : (state.result?.scores ?? []);
  const feeds = new Set<Dimension>();
  const kindDimension = dimensionOf(state.check.kind);
  if (kindDimension) feeds.add(kindDimension);
  // A kind may feed more than its own dimension; the last contributions (or the ones before a
  // failed sample) tell which.
  for (const c of [...contributions, ...(state.previousResult?.scores ?? [])])
    if (c.candidate === state.check.candidate) feeds.add(c.dimension);
  const sampled: CheckOutcome['state'] = state.result
    ? state.result.inconclusive
      ? 'inconclusive'
      : 'result'
    : state.lastRun
      ? 'error'
      : 'pending';
  return {
    name: state.check.name,
    kind: state.check.kind,
    candidate: state.check.candidate,
    dimensions: [...feeds],
    state: sampled,
    passed: state.result?.passed,
    summary: state.result?.inconclusive ?? state.result?.summary ?? state.lastRun?.error,
    reason: state.result ? undefined : state.lastRun?.reason,
    contributions,
  } satisfies CheckOutcome;
}

export function gateConfigOf(scores: ScoresConfig): GateConfig {
  return {
    thresholds: scores.thresholds,
    weights: scores.weights,
    fail_on_privacy_violation: scores.fail_on_privacy_violation,
    inconclusive: scores.inconclusive,
  };
}
