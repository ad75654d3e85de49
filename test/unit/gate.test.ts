// The gate as tables: thresholds, inconclusive, privacy violations, weights, upper bounds, mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dimension } from '../../src/core/dimensions.js';
import { scoresSchema } from '../../src/config/schema.js';
import { evaluateGate, type CheckOutcome, type GateConfig, type Verdict } from '../../src/scoring/gate.js';
import { gateConfigOf } from '../../src/scoring/outcomes.js';

const defaults = gateConfigOf(scoresSchema.parse(undefined));

function result(name: string, dimension: Dimension, value: number, candidate = 'staging'): CheckOutcome {
  return {
    name,
    kind: 'k',
    candidate,
    dimensions: [dimension],
    state: 'result',
    passed: value === 1,
    summary: `${name} ${value}`,
    contributions: [{ dimension, candidate, value }],
  };
}
function errored(name: string, dimension: Dimension, candidate = 'staging'): CheckOutcome {
  return {
    name,
    kind: 'k',
    candidate,
    dimensions: [dimension],
    state: 'error',
    summary: 'connection refused',
    reason: 'connect',
    contributions: [],
  };
}
const many = (n: number, dimension: Dimension, value: number) =>
  Array.from({ length: n }, (_, i) => result(`${dimension}_${value}_${i}`, dimension, value));

test('seed defaults: data 0.95, error_detection 0.8, privacy violations fail, no overall threshold', () => {
  assert.equal(defaults.thresholds.data, 0.95);
  assert.equal(defaults.thresholds.error_detection, 0.8);
  assert.equal(defaults.thresholds.overall, undefined);
  assert.equal(defaults.fail_on_privacy_violation, true);
  assert.equal(defaults.inconclusive, 'inconclusive');
});

test('verdicts', () => {
  const cases: Array<{ name: string; outcomes: CheckOutcome[]; config?: Partial<GateConfig>; verdict: Verdict; failing?: string[] }> = [
    { name: 'all data faithful', outcomes: many(3, 'data', 1), verdict: 'pass' },
    {
      name: 'one of three data checks drifts: 0.667 < 0.95',
      outcomes: [...many(2, 'data', 1), result('orders', 'data', 0)],
      verdict: 'fail',
      failing: ['orders'],
    },
    { name: '19 of 20 faithful: exactly 0.95 passes', outcomes: [...many(19, 'data', 1), result('orders', 'data', 0)], verdict: 'pass' },
    { name: 'error detection 0.75 < 0.8', outcomes: [result('probes', 'error_detection', 0.75)], verdict: 'fail' },
    { name: 'error detection 0.8 passes', outcomes: [result('probes', 'error_detection', 0.8)], verdict: 'pass' },
    {
      name: 'a failing check of a dimension without a threshold makes the gate inconclusive, never a pass',
      outcomes: [result('cfg', 'config', 0.1)],
      verdict: 'inconclusive',
      failing: ['cfg'],
    },
    {
      name: 'the payments mock: its only check fails at 48.9 %, behavior has no threshold: inconclusive',
      outcomes: [...many(3, 'data', 1), result('payments_flow', 'behavior', 0.489)],
      verdict: 'inconclusive',
      failing: ['payments_flow'],
    },
    {
      name: 'a sample that failed in a dimension without a threshold: inconclusive',
      outcomes: [result('a', 'data', 1), errored('checkout', 'behavior')],
      verdict: 'inconclusive',
    },
    {
      name: 'a threshold, even 0, is the explicit way to accept a dimension whose checks fail',
      outcomes: [result('cfg', 'config', 0.1)],
      config: { thresholds: { config: 0 } },
      verdict: 'pass',
    },
    {
      name: 'a failing check in a dimension without a threshold still lets a gated failure fail',
      outcomes: [result('cfg', 'config', 0.1), result('orders', 'data', 0)],
      verdict: 'fail',
    },
    { name: 'a passing check of a dimension without a threshold passes', outcomes: [result('cfg', 'config', 1)], verdict: 'pass' },
    { name: 'no outcomes at all: inconclusive', outcomes: [], verdict: 'inconclusive' },
    { name: 'the only check errored: inconclusive', outcomes: [errored('orders', 'data')], verdict: 'inconclusive', failing: ['orders'] },
    {
      name: 'one of two errored, the other passes: inconclusive',
      outcomes: [result('a', 'data', 1), errored('b', 'data')],
      verdict: 'inconclusive',
    },
    {
      name: 'one errored but the rest cannot reach the threshold even if it scored 1: fail',
      outcomes: [result('a', 'data', 0), result('b', 'data', 0), errored('c', 'data')],
      verdict: 'fail',
    },
    {
      name: 'a privacy violation fails outright (mean above any threshold)',
      outcomes: [...many(9, 'privacy', 1), result('users_masking', 'privacy', 0.9)],
      verdict: 'fail',
      failing: ['users_masking'],
    },
    {
      name: 'privacy violation tolerated when configured',
      outcomes: [...many(9, 'privacy', 1), result('users_masking', 'privacy', 0.9)],
      config: { fail_on_privacy_violation: false },
      verdict: 'pass',
    },
    {
      name: 'privacy threshold applies when the rule is off',
      outcomes: [result('m', 'privacy', 0.5)],
      config: { fail_on_privacy_violation: false, thresholds: { privacy: 0.9 } },
      verdict: 'fail',
    },
    {
      name: 'overall threshold fails',
      outcomes: [result('cfg', 'config', 0.5), result('flow', 'behavior', 0.7)],
      config: { thresholds: { overall: 0.9 } },
      verdict: 'fail',
    },
    {
      name: 'weights lift the overall above its threshold',
      outcomes: [result('cfg', 'config', 0.5), result('flow', 'behavior', 1)],
      config: { thresholds: { overall: 0.9, config: 0 }, weights: { config: 1, behavior: 9 } },
      verdict: 'pass',
    },
    {
      name: 'weights sink the overall below its threshold',
      outcomes: [result('cfg', 'config', 0.5), result('flow', 'behavior', 1)],
      config: { thresholds: { overall: 0.9 }, weights: { config: 9, behavior: 1 } },
      verdict: 'fail',
    },
    { name: 'inconclusive mapped to fail', outcomes: [errored('orders', 'data')], config: { inconclusive: 'fail' }, verdict: 'fail' },
    { name: 'inconclusive mapped to pass', outcomes: [errored('orders', 'data')], config: { inconclusive: 'pass' }, verdict: 'pass' },
    {
      name: 'failing check listed even when the score passes',
      outcomes: [...many(19, 'data', 1), result('orders', 'data', 0)],
      verdict: 'pass',
      failing: ['orders'],
    },
  ];
  for (const { name, outcomes, config, verdict, failing } of cases) {
    const merged: GateConfig = { ...defaults, ...config, thresholds: { ...defaults.thresholds, ...config?.thresholds } };
    const report = evaluateGate(outcomes, merged);
    assert.equal(report.verdict, verdict, `${name}: ${JSON.stringify(report.candidates[0]?.reasons)}`);
    if (failing) {
      const listed = report.candidates.flatMap((c) =>
        c.rows.filter((r) => r.dimension !== 'overall').flatMap((r) => r.failingChecks.map((f) => f.check)),
      );
      assert.deepEqual([...new Set(listed)].sort(), [...failing].sort(), `${name}: failing checks`);
    }
  }
});

test('rows: every dimension and overall with score, threshold and status; no data vs inconclusive', () => {
  const report = evaluateGate([result('a', 'data', 1), errored('f', 'error_detection')], defaults);
  const rows = Object.fromEntries(report.candidates[0]?.rows.map((r) => [r.dimension, r]) ?? []);
  assert.deepEqual(Object.keys(rows), ['data', 'config', 'behavior', 'freshness', 'error_detection', 'privacy', 'overall']);
  assert.equal(rows.data?.status, 'pass');
  assert.equal(rows.data?.threshold, 0.95);
  assert.equal(rows.config?.status, 'no_data');
  assert.equal(rows.config?.score, null);
  assert.equal(rows.error_detection?.status, 'inconclusive', 'a dimension without results is inconclusive, never 1');
  assert.equal(rows.error_detection?.score, null);
  assert.equal(rows.error_detection?.failingChecks[0]?.reason, 'connect');
  assert.equal(rows.overall?.score, 1);
  assert.equal(report.verdict, 'inconclusive');
  assert.match(report.candidates[0]?.reasons.join('\n') ?? '', /error_detection: 1 of 1 checks have no current result/);
});

test('candidates: each gated on its own; the report takes the worst; one can be asked for', () => {
  const outcomes = [result('a', 'data', 1, 'staging'), result('b', 'data', 0, 'preview')];
  const all = evaluateGate(outcomes, defaults);
  assert.deepEqual(
    all.candidates.map((c) => [c.candidate, c.verdict]),
    [
      ['preview', 'fail'],
      ['staging', 'pass'],
    ],
  );
  assert.equal(all.verdict, 'fail');
  assert.equal(evaluateGate(outcomes, defaults, 'staging').verdict, 'pass');
  assert.equal(evaluateGate(outcomes, defaults, 'nobody').verdict, 'inconclusive');
});

test('a kind feeding several dimensions plugs in without changes', () => {
  const flow: CheckOutcome = {
    name: 'checkout',
    kind: 'flow',
    candidate: 'staging',
    dimensions: ['behavior', 'error_detection'],
    state: 'result',
    passed: false,
    contributions: [
      { dimension: 'behavior', candidate: 'staging', value: 1 },
      { dimension: 'error_detection', candidate: 'staging', value: 0.5 },
    ],
  };
  const report = evaluateGate([flow], defaults);
  const rows = Object.fromEntries(report.candidates[0]?.rows.map((r) => [r.dimension, r]) ?? []);
  assert.equal(rows.behavior?.score, 1);
  assert.equal(rows.error_detection?.status, 'fail');
  assert.equal(report.verdict, 'fail');
});

test('a check that found nothing to compare is inconclusive: never a pass, listed with its reason', () => {
  const empty: CheckOutcome = {
    name: 'shop_links',
    kind: 'integrity',
    candidate: 'staging',
    dimensions: ['data'],
    state: 'inconclusive',
    passed: false,
    summary: 'no relations found to check',
    contributions: [],
  };
  const report = evaluateGate([...many(3, 'data', 1), empty], defaults);
  assert.equal(report.verdict, 'inconclusive');
  const data = report.candidates[0]?.rows.find((row) => row.dimension === 'data');
  assert.equal(data?.status, 'inconclusive');
  assert.equal(data?.withoutResult, 1);
  assert.deepEqual(data?.failingChecks, [
    { check: 'shop_links', kind: 'integrity', status: 'inconclusive', summary: 'no relations found to check' },
  ]);
  assert.deepEqual(report.candidates[0]?.reasons, ['data: nothing to compare for shop_links (no relations found to check)']);
  // Alone, it gives the dimension no score: inconclusive too, never 1.
  assert.equal(evaluateGate([empty], defaults).verdict, 'inconclusive');
  // Drift already proven still fails.
  assert.equal(evaluateGate([result('a', 'data', 0), result('b', 'data', 0), empty], defaults).verdict, 'fail');
});

test('outcomesOf: a stored inconclusive result is an inconclusive outcome without contributions', async () => {
  const { outcomesOf } = await import('../../src/scoring/outcomes.js');
  const check = { name: 'shop_links', kind: 'integrity', enabled: true, baseline: 'production', candidate: 'staging', timeout: 1000 };
  const result = {
    passed: false,
    inconclusive: 'no relations found to check',
    summary: 'no relations found to check',
    series: [],
    scores: [{ dimension: 'data' as const, candidate: 'staging', value: 1 }],
    details: {},
  };
  const [outcome] = outcomesOf(
    [
      {
        check,
        running: false,
        result,
        runs: { success: 1, failure: 0 },
        errors: {},
        skipped: 0,
        memory: new Map(),
        revision: 0,
        lastRun: { startedAt: 0, finishedAt: 1, durationMs: 1, success: true },
      },
    ],
    () => 'data',
  );
  assert.equal(outcome?.state, 'inconclusive');
  assert.deepEqual(outcome?.contributions, []);
  assert.equal(outcome?.summary, 'no relations found to check');
});
