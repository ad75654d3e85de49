import type { ScoresConfig } from '../config/schema.js';
import type { ResultsStore } from '../results/store.js';
import { evaluateGate, scoresOf, type CheckOutcome, type GateReport } from './gate.js';
import { gateConfigOf, outcomesOf, type DimensionOf } from './outcomes.js';
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
 * report. Between changes every reader gets the same object.
 */
export class CurrentScores {
  /** How many times the state was computed (one per change of the store that someone read). */
  computations = 0;
  private cached: { store: ResultsStore; revision: number; config: ScoresConfig; state: ScoreState } | undefined;

  constructor(private readonly dimensionOf: DimensionOf) {}

  of(store: ResultsStore, config: ScoresConfig): ScoreState {
    const cached = this.cached;
    if (cached?.store === store && cached.revision === store.revision && cached.config === config) return cached.state;
    this.computations += 1;
    const outcomes = outcomesOf(store.all(), this.dimensionOf);
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
