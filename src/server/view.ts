import type { Exporter } from '../exporter.js';
import type { CheckState } from '../results/store.js';
import { dimensionScores, type DimensionScore } from '../scoring/scores.js';
import { VERSION } from '../version.js';

/**
 * The read model behind /api/v1/results and the HTML page: plain JSON, built from memory.
 * Secrets print as "<secret>" by construction; URLs lose their credentials here.
 */

export type CheckStatus = 'pass' | 'fail' | 'error' | 'pending' | 'disabled';

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
  lastRun?: { startedAt: string; finishedAt: string; durationSeconds: number; success: boolean; reason?: string; error?: string };
  lastSuccessAt?: string;
  runs: { success: number; failure: number; skipped: number };
  details?: Record<string, unknown>;
  previous?: { passed: boolean; summary: string };
}

export interface ResultsView {
  exporter: { version: string; startedAt: string; configFile?: string; configReloadSuccessful: boolean };
  environments: Array<{ name: string; up?: boolean; databases: Array<{ name: string; up?: boolean }>; httpBaseUrl?: string }>;
  scores: DimensionScore[];
  checks: CheckView[];
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
  return state.result?.passed ? 'pass' : 'fail';
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
    details: state.result?.details,
    previous: state.previousResult && { passed: state.previousResult.passed, summary: state.previousResult.summary },
  };
}

export function resultsView(exporter: Exporter): ResultsView {
  const { root, file } = exporter.config;
  const states = exporter.store.all();
  return {
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
    checks: states.map(checkView),
  };
}
