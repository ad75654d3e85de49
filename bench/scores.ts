import { kindDimension } from '../src/checks/kinds.js';
// Cost of scores + gate once per change of the results, and memory of the score history and the events store.
// Prints figures; asserts nothing. Run: npx tsx bench/scores.ts
import type { CheckResult } from '../src/checks/check.js';
import type { Dimension } from '../src/core/dimensions.js';
import { dimensions } from '../src/core/dimensions.js';
import { rootSchema, scoresSchema } from '../src/config/schema.js';
import { EventStore } from '../src/events/store.js';
import { ExamplesPrivacy } from '../src/results/privacy.js';
import { ResultsStore } from '../src/results/store.js';
import { ScoreHistory } from '../src/scoring/history.js';
import { CurrentScores } from '../src/scoring/current.js';

const config = scoresSchema.parse({ thresholds: { overall: 0.9 } });

function storeWith(checks: number, candidates: number): ResultsStore {
  const store = new ResultsStore();
  const list = Array.from({ length: checks }, (_, i) => ({
    name: `check_${i}`,
    kind: 'query',
    enabled: true,
    baseline: 'production',
    candidate: `env_${i % candidates}`,
    timeout: 1000,
  }));
  store.setChecks(list, new ExamplesPrivacy(rootSchema.parse({ environments: { production: {} } }), list));
  for (const [i, check] of list.entries()) {
    const dimension: Dimension = dimensions[i % dimensions.length] ?? 'data';
    const result: CheckResult = {
      passed: i % 7 !== 0,
      summary: 's',
      series: [],
      scores: [{ dimension, candidate: check.candidate, value: i % 7 === 0 ? 0 : 1 }],
      details: {},
    };
    if (i % 50 === 0) store.fail(check.name, 'connect', 'refused', { startedAt: 0, finishedAt: 1, durationMs: 1 });
    else store.succeed(check.name, result, { startedAt: 0, finishedAt: 1, durationMs: 1 });
  }
  return store;
}

function time(label: string, runs: number, work: () => void): void {
  work();
  const start = performance.now();
  for (let i = 0; i < runs; i += 1) work();
  const perRun = (performance.now() - start) / runs;
  console.log(`${label.padEnd(48)} ${perRun.toFixed(3)} ms per change of the results`);
}

for (const [checks, candidates] of [
  [100, 1],
  [1000, 1],
  [1000, 10],
  [5000, 5],
] as const) {
  const store = storeWith(checks, candidates);
  time(`scores + gate, ${checks} checks, ${candidates} candidates`, 50, () => new CurrentScores(kindDimension).of(store, config));
}

const heap = () => {
  global.gc?.();
  return process.memoryUsage().heapUsed;
};
const { scores } = new CurrentScores(kindDimension).of(storeWith(1000, 10), config);
const before = heap();
const history = new ScoreHistory();
for (let t = 0; t < 100_000; t += 1)
  history.record(
    t * 10_000,
    scores.map((s) => ({ ...s, overall: (t % 10) / 10 })),
  );
const points = history.toJSON().reduce((n, s) => n + s.points.length, 0);
// Heap deltas this small drown in the collector's noise; the points kept are the bound that matters.
console.log(
  `history after 100000 samples (≈11.6 days at 10 s), 10 candidates: ${points} points kept (${history.toJSON().length} series × ≤${history.capacity}), ${(JSON.stringify(history.toJSON()).length / 1e3).toFixed(0)} kB as JSON, heap delta ${((heap() - before) / 1e6).toFixed(1)} MB`,
);

const events = new EventStore({ maxReleases: 1000, maxOpenProvisionings: 100 });
const envs = new Set(['staging']);
const beforeEvents = heap();
for (let i = 0; i < 200_000; i += 1) {
  events.apply({ type: 'staging_verdict', release: `release-${i}`, verdict: 'pass' }, envs);
  events.apply({ type: 'provisioning_started', environment: 'staging', run: `run-${i}` }, envs);
}
console.log(
  `events store after 400000 events: ${events.rememberedReleases} releases, ${events.provisioning.get('staging')?.open.size} open runs, heap +${((heap() - beforeEvents) / 1e6).toFixed(1)} MB`,
);
