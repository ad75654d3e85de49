import { kindDimension } from '../checks/kinds.js';
import type { CheckResult, ScoreContribution } from '../checks/check.js';
import type { LoadedConfig } from '../runtime/load.js';
import type { Sides } from '../connectors/sides.js';
import type { CheckState, ResultsStore } from '../results/store.js';
import type { GateReport } from '../scoring/gate.js';
import type { HistoryPoint, ScoreHistory } from '../scoring/history.js';
import { CurrentScores, type ScoreState } from '../scoring/current.js';
import { dimensionScores, type CandidateScores, type DimensionScore, type ScoreName } from '../scoring/scores.js';
import { VERSION } from '../version.js';
import { redact, redactDetails } from './redact.js';

/**
 * The read model behind /api/v1/results and the HTML page: plain JSON, built from memory.
 * Secrets print as "<secret>" by construction; URLs lose their credentials here.
 */

export type CheckStatus = 'pass' | 'fail' | 'inconclusive' | 'error' | 'pending' | 'disabled';

export interface CheckView {
  name: string;
  kind: string;
  description?: string;
  baseline: string;
  candidate: string;
  schedule?: string;
  everySeconds?: number;
  timeoutSeconds: number;
  status: CheckStatus;
  running: boolean;
  summary?: string;
  /** Why the last sample found nothing to compare (status `inconclusive`). */
  inconclusive?: string;
  lastRun?: { startedAt: string; finishedAt: string; durationSeconds: number; success: boolean; reason?: string; error?: string };
  lastSuccessAt?: string;
  runs: { success: number; failure: number; skipped: number };
  details?: Record<string, unknown>;
  scores: ScoreContribution[];
  previous?: { passed: boolean; summary: string };
  /** What changed since the previous sample, one line each. */
  changes: string[];
}

export interface ResultsView {
  /** When this view was built. */
  generatedAt?: string;
  exporter: { version: string; startedAt: string; configFile?: string; configReloadSuccessful: boolean };
  environments: Array<{ name: string; up?: boolean; databases: Array<{ name: string; up?: boolean }>; httpBaseUrl?: string }>;
  scores: DimensionScore[];
  /** Every candidate with every dimension (null = inconclusive) and the overall score. */
  candidates: CandidateScores[];
  gate: GateReport;
  history: Array<{ candidate: string; dimension: ScoreName; points: HistoryPoint[] }>;
  checks: CheckView[];
}

/** What the read model is built from: the running exporter, or a one-shot run. */
export interface ViewSource {
  readonly config: LoadedConfig;
  readonly store: ResultsStore;
  readonly sides: Pick<Sides, 'health' | 'sideUp'>;
  readonly startedAt: number;
  readonly reload: { successful: boolean };
  readonly history?: ScoreHistory;
  /** The shared score state of the results (the exporter's); without it, computed here. */
  scoreState?(): ScoreState;
}

export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export function statusOf(state: CheckState): CheckStatus {
  if (!state.check.enabled) return 'disabled';
  if (!state.lastRun) return 'pending';
  if (!state.lastRun.success) return 'error';
  if (state.result?.inconclusive) return 'inconclusive';
  return state.result?.passed ? 'pass' : 'fail';
}

const MAX_CHANGES = 12;

function scalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Detail keys that measure time: they change at every sample and are not a change of outcome. */
const TIMING_KEY = /[dD]uration|[sS]econds|[lL]atency|[eE]lapsed|[tT]iming|(^|_)ms$|[a-z]Ms$|(^|_)age|Age|(^|_)lag|Lag|[sS]lower|[fF]aster/;

/** A summary with its measured times and speed ratios blanked ("1.2 s", "340ms", "1.3x slower"). */
function withoutTimings(summary: string): string {
  return summary.replace(/\d+(\.\d+)?\s*(ms|µs|s|sec|seconds?|minutes?|min|h|hours?|x)\b/g, '#');
}

/**
 * What changed between two results of a check: verdict, summary, scores, top-level detail values.
 * Changes of timings alone (durations, latencies, ages) are not listed: they are noise, not outcome.
 */
export function changesBetween(previous: CheckResult | undefined, current: CheckResult | undefined, failedNow: boolean): string[] {
  if (!previous) return [];
  if (!current)
    return failedNow
      ? [`the last sample failed; the previous result (${previous.passed ? 'faithful' : 'drift'}: ${previous.summary}) is no longer served`]
      : [];
  const changes: string[] = [];
  if (previous.passed !== current.passed)
    changes.push(`verdict: ${previous.passed ? 'faithful' : 'drift'} → ${current.passed ? 'faithful' : 'drift'}`);
  if (withoutTimings(previous.summary) !== withoutTimings(current.summary))
    changes.push(`summary: ${previous.summary} → ${current.summary}`);
  for (const score of current.scores) {
    const before = previous.scores.find((p) => p.dimension === score.dimension && p.candidate === score.candidate);
    if (before && before.value !== score.value)
      changes.push(`${score.dimension} score: ${before.value.toFixed(3)} → ${score.value.toFixed(3)}`);
  }
  const before = redact(previous.details) as Record<string, unknown>;
  const after = redact(current.details) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (TIMING_KEY.test(key)) continue;
    const [a, b] = [before[key], after[key]];
    if (scalar(a) && scalar(b) && a !== b) changes.push(`${key}: ${String(a)} → ${String(b)}`);
    else if (!scalar(a) || !scalar(b)) {
      if (JSON.stringify(a) !== JSON.stringify(b) && (a === undefined || b === undefined))
        changes.push(`${key}: ${a === undefined ? 'added' : 'removed'}`);
    }
  }
  if (changes.length > MAX_CHANGES) return [...changes.slice(0, MAX_CHANGES), `… ${changes.length - MAX_CHANGES} more`];
  return changes;
}

function checkView(state: CheckState): CheckView {
  const { check } = state;
  return {
    name: check.name,
    kind: check.kind,
    description: check.description,
    baseline: check.baseline,
    candidate: check.candidate,
    schedule: check.schedule,
    everySeconds: check.every === undefined ? undefined : check.every / 1000,
    timeoutSeconds: check.timeout / 1000,
    status: statusOf(state),
    running: state.running,
    summary: state.result?.summary ?? state.lastRun?.error,
    inconclusive: state.result?.inconclusive,
    lastRun: state.lastRun && {
      startedAt: iso(state.lastRun.startedAt),
      finishedAt: iso(state.lastRun.finishedAt),
      durationSeconds: state.lastRun.durationMs / 1000,
      success: state.lastRun.success,
      reason: state.lastRun.reason,
      error: state.lastRun.error,
    },
    lastSuccessAt: state.lastSuccessAt === undefined ? undefined : iso(state.lastSuccessAt),
    runs: { ...state.runs, skipped: state.skipped },
    details: redactDetails(state.result?.details),
    scores: state.result?.scores ?? [],
    previous: state.previousResult && { passed: state.previousResult.passed, summary: state.previousResult.summary },
    changes: changesBetween(state.previousResult, state.result, state.lastRun?.success === false),
  };
}

export function resultsView(exporter: ViewSource): ResultsView {
  const { root, file } = exporter.config;
  const states = exporter.store.all();
  const current = exporter.scoreState?.() ?? new CurrentScores(kindDimension).of(exporter.store, root.scores);
  return {
    generatedAt: iso(Date.now()),
    exporter: {
      version: VERSION,
      startedAt: iso(exporter.startedAt),
      configFile: file,
      configReloadSuccessful: exporter.reload.successful,
    },
    environments: Object.entries(root.environments).map(([name, environment]) => {
      const health = exporter.sides.health.get(name);
      const up = exporter.sides.sideUp(name);
      return {
        name,
        up: up === undefined ? undefined : up === 1,
        databases: Object.keys(environment.databases).map((database) => ({ name: database, up: health?.get(database) })),
        httpBaseUrl: environment.http ? withoutCredentials(environment.http.base_url) : undefined,
      };
    }),
    scores: dimensionScores(states.flatMap((state) => state.result?.scores ?? [])),
    candidates: current.scores,
    gate: current.gate,
    history: exporter.history?.toJSON() ?? [],
    checks: states.map(checkView),
  };
}
