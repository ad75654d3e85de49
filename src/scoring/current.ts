import type { ScoresConfig } from '../config/schema.js';
import type { CheckState, ResultsStore } from '../results/store.js';
import { evaluateGate, scoresOf, type CheckOutcome, type GateReport } from './gate.js';
import { gateConfigOf, outcomeOf, type DimensionOf } from './outcomes.js';
import type { CandidateScores } from './scores.js';

/** Scores and gate of one state of the results store, with the outcomes they were computed from. */
export interface ScoreState {
  readonly scores: CandidateScores[];
  readonly gate: GateReport;
  readonly outcomes: CheckOutcome[];
}

/**
 * The score state of the current results, computed once per change of the store (a landed sample,
 * a failure, a reload) and shared by every reader: /metrics, the score history, /gate and the
 * report. Between changes every reader gets the same object. A change computes again the outcome
 * of the checks whose state changed only; the scores and the gate are then summed up from all
 * outcomes in the same order as a computation from scratch, so they are identical to it.
 */
export class CurrentScores {
  /** How many times the state was computed (one per change of the store that someone read). */
  computations = 0;
  private cached: { store: ResultsStore; revision: number; config: ScoresConfig; state: ScoreState } | undefined;
  private readonly outcomes = new WeakMap<CheckState, { revision: number; check: CheckState['check']; outcome: CheckOutcome }>();

  constructor(private readonly dimensionOf: DimensionOf) {}

  /** The outcome of one check, computed again when its state changed (a revision) or its configuration did (a reload). */
  private outcomeOf(state: CheckState): CheckOutcome {
    let kept = this.outcomes.get(state);
    if (kept?.revision !== state.revision || kept.check !== state.check) {
      kept = { revision: state.revision, check: state.check, outcome: outcomeOf(state, this.dimensionOf) };
      this.outcomes.set(state, kept);
    }
    return kept.outcome;
  }

  of(store: ResultsStore, config: ScoresConfig): ScoreState {
    const cached = this.cached;
    if (cached?.store === store && cached.revision === store.revision && cached.config === config) return cached.state;
    this.computations += 1;
    const outcomes: CheckOutcome[] = [];
    for (const check of store.all()) if (check.check.enabled) outcomes.push(this.outcomeOf(check));
    const scores = scoresOf(outcomes, config.weights);
    const state = { scores, gate: evaluateGate(outcomes, gateConfigOf(config), undefined, scores), outcomes };
    this.cached = { store, revision: store.revision, config, state };
    return state;
  }
}

/** The gate of one candidate (GET /gate?candidate=), from the shared outcomes and scores. */
export function gateOfCandidate(state: ScoreState, config: ScoresConfig, candidate: string): GateReport {
  return evaluateGate(state.outcomes, gateConfigOf(config), candidate, state.scores);
}
