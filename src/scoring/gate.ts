import { type ScoreContribution } from '../checks/check.js';
import { dimensions, type Dimension } from '../core/dimensions.js';
import { candidateScores, clampScore, overallScore, OVERALL, type CandidateScores, type ScoreName } from './scores.js';

/**
 * The deployment gate, a pure function of the checks' last outcomes and the `scores` config.
 *
 * Per candidate and dimension d with threshold t_d (from `scores.thresholds`):
 * - no score and at least one enabled check feeds d          -> inconclusive
 * - the score cannot reach t_d even if every check of d still without a result scored 1 -> fail
 * - some check of d has no current result (sample failed, not run yet, or it found nothing to
 *   compare: an inconclusive result)                                                -> inconclusive
 * - score < t_d                                               -> fail
 * - otherwise                                                 -> pass
 * - no threshold, and some check of d failed or its sample failed -> inconclusive (a failing check
 *   never hides behind a dimension without a threshold; a threshold, even 0, is the way to accept it)
 * The overall score is gated the same way against `thresholds.overall`. Privacy violations (a
 * privacy contribution below 1) fail the gate outright while `fail_on_privacy_violation` is on.
 * A candidate without any score is inconclusive. Verdict: fail if any gated row fails, else
 * inconclusive if any gated row is inconclusive, else pass; `inconclusive` in the config may map an
 * inconclusive verdict to pass or fail.
 */

export type Verdict = 'pass' | 'fail' | 'inconclusive';
export type RowStatus = Verdict | 'no_data';

export interface GateConfig {
  thresholds: Partial<Record<ScoreName, number | undefined>>;
  weights: Readonly<Record<string, number>>;
  fail_on_privacy_violation: boolean;
  inconclusive: Verdict;
}

/** What the gate needs to know about one enabled check. */
export interface CheckOutcome {
  name: string;
  kind: string;
  candidate: string;
  /** Dimensions the check feeds: its kind's and those of its last contributions. */
  dimensions: readonly Dimension[];
  /**
   * `result`: the last sample succeeded; `inconclusive`: it succeeded but found nothing to compare
   * (no score); `error`: it failed; `pending`: never sampled.
   */
  state: 'result' | 'inconclusive' | 'error' | 'pending';
  passed?: boolean;
  summary?: string;
  reason?: string;
  contributions: readonly ScoreContribution[];
}

export interface FailingCheck {
  check: string;
  kind: string;
  status: 'fail' | 'inconclusive' | 'error' | 'pending';
  summary?: string;
  reason?: string;
}

export interface GateRow {
  dimension: ScoreName;
  score: number | null;
  threshold: number | null;
  /** Whether the row takes part in the verdict (a threshold, or the privacy violation rule). */
  gated: boolean;
  weight?: number;
  status: RowStatus;
  /** Checks feeding the dimension; `withoutResult` of them have no current result. */
  checks: number;
  withoutResult: number;
  failingChecks: FailingCheck[];
}

export interface CandidateGate {
  candidate: string;
  verdict: Verdict;
  /** The verdict before `inconclusive` mapping. */
  evaluated: Verdict;
  /** One line per reason the gate did not pass. */
  reasons: string[];
  rows: GateRow[];
}

export interface GateReport {
  verdict: Verdict;
  candidates: CandidateGate[];
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function failingCheck(outcome: CheckOutcome): FailingCheck | undefined {
  if (outcome.state === 'error')
    return { check: outcome.name, kind: outcome.kind, status: 'error', summary: outcome.summary, reason: outcome.reason };
  if (outcome.state === 'inconclusive')
    return { check: outcome.name, kind: outcome.kind, status: 'inconclusive', summary: outcome.summary };
  if (outcome.state === 'pending') return { check: outcome.name, kind: outcome.kind, status: 'pending' };
  if (outcome.passed === false) return { check: outcome.name, kind: outcome.kind, status: 'fail', summary: outcome.summary };
  return undefined;
}

function worst(verdicts: Iterable<Verdict>): Verdict {
  let result: Verdict = 'pass';
  for (const verdict of verdicts) {
    if (verdict === 'fail') return 'fail';
    if (verdict === 'inconclusive') result = 'inconclusive';
  }
  return result;
}

/**
 * A failing check never hides behind a dimension without a threshold: a check of such a dimension
 * that failed (or whose sample failed) makes the row, and so the candidate, at best inconclusive.
 */
function holdUngatedFailures(rows: GateRow[], reasons: string[], config: GateConfig): Set<GateRow> {
  const held = new Set<GateRow>();
  for (const row of rows) {
    if (row.dimension === OVERALL || row.threshold !== null || row.status === 'fail') continue;
    // `fail_on_privacy_violation: false` is the operator's explicit word that privacy failures may pass.
    if (row.dimension === 'privacy' && !config.fail_on_privacy_violation) continue;
    const failed = row.failingChecks.filter((check) => check.status === 'fail' || check.status === 'error');
    if (failed.length === 0) continue;
    row.gated = true;
    row.status = 'inconclusive';
    held.add(row);
    const names = failed.map((check) => `${check.check} (${check.status === 'fail' ? 'failed' : 'sample failed'})`).join(', ');
    reasons.push(
      `${row.dimension}: ${names}; the dimension has no threshold (set scores.thresholds.${row.dimension} to gate on its score)`,
    );
  }
  return held;
}

/**
 * The overall row: gated like a dimension, its best case the weighted mean of the dimensions' best
 * cases (the checks without a result reporting 1).
 */
function overallRow(
  mine: readonly CheckOutcome[],
  rows: readonly GateRow[],
  upperBounds: ReadonlyArray<{ score: number | null; weight: number }>,
  overall: number | null,
  overallThreshold: number | null,
  reasons: string[],
): GateRow {
  const anyMissing = rows.some((row) => row.withoutResult > 0 && (row.weight ?? 1) > 0);
  let overallStatus: RowStatus;
  if (overall === null) {
    overallStatus = 'inconclusive';
    reasons.push(mine.length === 0 ? 'no enabled check compares this candidate' : 'no check has produced a score yet');
  } else {
    const best = overallScore(upperBounds) ?? overall;
    if (overallThreshold !== null && best < overallThreshold) overallStatus = 'fail';
    else if (anyMissing) overallStatus = 'inconclusive';
    else if (overallThreshold !== null && overall < overallThreshold) overallStatus = 'fail';
    else overallStatus = 'pass';
    if (overallThreshold !== null && overallStatus === 'fail')
      reasons.push(`overall: score ${percent(overall)} is below the threshold ${percent(overallThreshold)}`);
    else if (overallThreshold !== null && overallStatus === 'inconclusive') reasons.push('overall: some checks have no current result');
  }
  return {
    dimension: OVERALL,
    score: overall,
    threshold: overallThreshold,
    gated: overallThreshold !== null,
    status: overallStatus,
    checks: mine.length,
    withoutResult: mine.filter((o) => o.state !== 'result').length,
    failingChecks: mine.map(failingCheck).filter((f): f is FailingCheck => f !== undefined),
  };
}

function candidateGate(
  candidate: string,
  outcomes: readonly CheckOutcome[],
  config: GateConfig,
  scores: CandidateScores | undefined,
): CandidateGate {
  const mine = outcomes.filter((o) => o.candidate === candidate);
  const reasons: string[] = [];
  const rows: GateRow[] = [];
  const upperBounds: Array<{ score: number | null; weight: number }> = [];

  for (const dimension of dimensions) {
    const scored = scores?.dimensions.find((d) => d.dimension === dimension);
    const score = scored?.score ?? null;
    const weight = scored?.weight ?? 1;
    const feeding = mine.filter((o) => o.dimensions.includes(dimension));
    const withoutResult = feeding.filter((o) => o.state !== 'result').length;
    const threshold = config.thresholds[dimension] ?? null;
    const failingChecks = feeding.map(failingCheck).filter((f): f is FailingCheck => f !== undefined);

    // The best the dimension could score once the checks without a result report 1.
    const count = scored?.checks ?? 0;
    const upper = count + withoutResult === 0 ? null : ((score ?? 0) * count + withoutResult) / (count + withoutResult);
    upperBounds.push({ score: upper, weight });

    let status: RowStatus;
    if (score === null) status = feeding.length > 0 ? 'inconclusive' : 'no_data';
    else if (threshold !== null && upper !== null && upper < threshold) status = 'fail';
    else if (withoutResult > 0) status = 'inconclusive';
    else if (threshold !== null && score < threshold) status = 'fail';
    else status = 'pass';

    const violations =
      dimension === 'privacy'
        ? mine.filter(
            (o) =>
              o.state === 'result' &&
              o.contributions.some((c) => c.dimension === 'privacy' && c.candidate === candidate && (clampScore(c.value) ?? 1) < 1),
          )
        : [];
    if (config.fail_on_privacy_violation && violations.length > 0) {
      status = 'fail';
      reasons.push(`privacy: violations found by ${violations.map((v) => v.name).join(', ')}`);
    } else if (threshold !== null && status === 'fail' && score !== null) {
      reasons.push(`${dimension}: score ${percent(score)} is below the threshold ${percent(threshold)}`);
    } else if (threshold !== null && status === 'inconclusive') {
      const empty = feeding.filter((o) => o.state === 'inconclusive');
      if (empty.length < withoutResult)
        reasons.push(`${dimension}: ${withoutResult - empty.length} of ${feeding.length} checks have no current result`);
      if (empty.length > 0)
        reasons.push(`${dimension}: nothing to compare for ${empty.map((o) => `${o.name} (${o.summary ?? 'inconclusive'})`).join(', ')}`);
    }
    const gated = threshold !== null || (dimension === 'privacy' && config.fail_on_privacy_violation);
    rows.push({ dimension, score, threshold, gated, weight, status, checks: feeding.length, withoutResult, failingChecks });
  }

  const overall = scores?.overall ?? null;
  rows.push(overallRow(mine, rows, upperBounds, overall, config.thresholds[OVERALL] ?? null, reasons));

  const held = holdUngatedFailures(rows, reasons, config);
  // The privacy rule gates on violations only: a privacy dimension without a threshold and with
  // checks still running does not make the gate inconclusive.
  const gatedRows = rows.filter(
    (row) =>
      held.has(row) || row.threshold !== null || (row.dimension === 'privacy' && row.status === 'fail' && config.fail_on_privacy_violation),
  );
  let evaluated = worst(gatedRows.map((row) => (row.status === 'no_data' ? 'pass' : row.status)));
  // Nothing to judge by is never a pass.
  if (evaluated === 'pass' && overall === null) evaluated = 'inconclusive';
  const verdict = evaluated === 'inconclusive' ? config.inconclusive : evaluated;
  return { candidate, verdict, evaluated, reasons, rows };
}

/** Scores of the outcomes' current results, per candidate (scoring/scores.ts). */
export function scoresOf(outcomes: readonly CheckOutcome[], weights: Readonly<Record<string, number>>): CandidateScores[] {
  const contributions = outcomes.flatMap((o) => (o.state === 'result' ? o.contributions : []));
  return candidateScores(
    contributions,
    weights,
    outcomes.map((o) => o.candidate),
  );
}

/**
 * The gate for every candidate that an enabled check compares (or only `only`, when given), on the
 * scores already computed from the same outcomes (computed here when not given).
 * The report's verdict is the worst of the candidates'.
 */
export function evaluateGate(
  outcomes: readonly CheckOutcome[],
  config: GateConfig,
  only?: string,
  scores: readonly CandidateScores[] = scoresOf(outcomes, config.weights),
): GateReport {
  const names = new Set(outcomes.map((o) => o.candidate));
  for (const outcome of outcomes) for (const c of outcome.contributions) names.add(c.candidate);
  const selected = only === undefined ? [...names].sort() : [only];
  const byCandidate = new Map(scores.map((score) => [score.candidate, score]));
  const candidates = selected.map((candidate) => candidateGate(candidate, outcomes, config, byCandidate.get(candidate)));
  const verdict = candidates.length === 0 ? config.inconclusive : worst(candidates.map((c) => c.verdict));
  return { verdict, candidates };
}
