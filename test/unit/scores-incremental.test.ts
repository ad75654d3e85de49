// The score state is updated per change from the outcomes of the checks that changed only: after
// any sequence of samples, failures, skips and reloads it equals the state computed from scratch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResultsStore } from '../../src/results/store.js';
import { ExamplesPrivacy } from '../../src/results/privacy.js';
import { CurrentScores } from '../../src/scoring/current.js';
import { gateConfigOf, outcomesOf } from '../../src/scoring/outcomes.js';
import { evaluateGate, scoresOf } from '../../src/scoring/gate.js';
import { kindDimension } from '../../src/checks/kinds.js';
import type { LoadedConfig } from '../../src/runtime/load.js';
import { configWith } from '../helpers/harness.js';

const URL = 'postgres://u@127.0.0.1:1/db';
const DATABASES = { production: { shop: URL }, staging: { shop: URL }, canary: { shop: URL } };
const DIMENSIONS = ['data', 'config', 'behavior', 'privacy'] as const;

/** A deterministic pseudo-random sequence (mulberry32), so that a failure can be replayed by its seed. */
function randomOf(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `count` checks, some disabled and some comparing the canary, as `variant` (a reload) decides. */
function configOf(count: number, variant: number): LoadedConfig {
  const checks = Array.from({ length: count }, (_, i) => ({
    name: `check_${i}`,
    kind: i % 3 === 0 ? 'schema' : 'query',
    database: 'shop',
    ...(i % 3 === 0 ? {} : { sql: 'SELECT 1' }),
    enabled: (i + variant) % 7 !== 0,
    ...((i + variant) % 4 === 0 ? { candidate: 'canary' } : {}),
  }));
  return configWith(DATABASES, checks);
}

function fromScratch(store: ResultsStore, config: LoadedConfig) {
  const scoresConfig = config.root.scores;
  const outcomes = outcomesOf(store.all(), kindDimension);
  const scores = scoresOf(outcomes, scoresConfig.weights);
  return { scores, gate: evaluateGate(outcomes, gateConfigOf(scoresConfig), undefined, scores), outcomes };
}

test('after random sequences of changes the incremental score state equals the state computed from scratch', () => {
  for (let seed = 1; seed <= 12; seed += 1) {
    const random = randomOf(seed);
    const count = 20 + Math.floor(random() * 60);
    let config = configOf(count, 0);
    const store = new ResultsStore();
    store.setChecks(config.checks, new ExamplesPrivacy(config.root, config.checks));
    const current = new CurrentScores(kindDimension);
    const record = { startedAt: 1, finishedAt: 2, durationMs: 1 };
    for (let step = 0; step < 300; step += 1) {
      const name = `check_${Math.floor(random() * count)}`;
      const action = random();
      if (action < 0.55) {
        const candidate = store.get(name)?.check.candidate ?? 'staging';
        const scores = DIMENSIONS.filter(() => random() < 0.4).map((dimension) => ({ dimension, candidate, value: random() }));
        store.begin(name);
        store.succeed(
          name,
          {
            passed: random() < 0.7,
            summary: `step ${step}`,
            series: [],
            scores,
            details: {},
            ...(random() < 0.15 ? { inconclusive: 'could not see the rows' } : {}),
          },
          record,
        );
      } else if (action < 0.75) {
        store.begin(name);
        store.fail(name, 'timeout', 'timed out', record);
      } else if (action < 0.95) {
        store.begin(name);
      } else {
        config = configOf(count, step);
        store.setChecks(config.checks, new ExamplesPrivacy(config.root, config.checks));
      }
      if (random() < 0.6) continue; // changes landing between two reads share one computation
      assert.deepEqual(current.of(store, config.root.scores), fromScratch(store, config), `seed ${seed}, step ${step}`);
    }
  }
});
