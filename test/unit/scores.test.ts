// Score formulas as tables: dimension mean, clamping, weighted overall, inconclusive dimensions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScoreContribution } from '../../src/checks/check.js';
import { candidateScores, dimensionScores, overallScore, weightOf } from '../../src/scoring/scores.js';
import { ScoreHistory } from '../../src/scoring/history.js';

const c = (dimension: ScoreContribution['dimension'], value: number, candidate = 'staging'): ScoreContribution => ({
  dimension,
  candidate,
  value,
});

test('dimension score = mean of its contributions (clamped to 0..1, non-finite ignored)', () => {
  const cases: Array<{ name: string; input: ScoreContribution[]; expected: Array<[string, string, number, number]> }> = [
    { name: 'one match', input: [c('data', 1)], expected: [['data', 'staging', 1, 1]] },
    {
      name: 'one of four drifts',
      input: [c('data', 1), c('data', 1), c('data', 0), c('data', 1)],
      expected: [['data', 'staging', 0.75, 4]],
    },
    {
      name: 'partial values',
      input: [c('error_detection', 0.5), c('error_detection', 1)],
      expected: [['error_detection', 'staging', 0.75, 2]],
    },
    { name: 'clamped above 1 and below 0', input: [c('behavior', 1.7), c('behavior', -3)], expected: [['behavior', 'staging', 0.5, 2]] },
    {
      name: 'NaN and Infinity ignored',
      input: [c('config', Number.NaN), c('config', Number.POSITIVE_INFINITY), c('config', 0.4)],
      expected: [['config', 'staging', 0.4, 1]],
    },
    {
      name: 'candidates kept apart',
      input: [c('data', 1, 'staging'), c('data', 0, 'preview')],
      expected: [
        ['data', 'staging', 1, 1],
        ['data', 'preview', 0, 1],
      ],
    },
    { name: 'nothing in, nothing out', input: [], expected: [] },
  ];
  for (const { name, input, expected } of cases) {
    const got = dimensionScores(input).map((s) => [s.dimension, s.candidate, s.score, s.checks]);
    assert.deepEqual(got, expected, name);
  }
});

test('overall = weighted mean of the dimensions that have a score; none -> null', () => {
  const cases: Array<{ name: string; rows: Array<{ score: number | null; weight: number }>; expected: number | null }> = [
    {
      name: 'equal weights',
      rows: [
        { score: 1, weight: 1 },
        { score: 0.5, weight: 1 },
      ],
      expected: 0.75,
    },
    {
      name: 'weights 3:1',
      rows: [
        { score: 1, weight: 3 },
        { score: 0, weight: 1 },
      ],
      expected: 0.75,
    },
    {
      name: 'inconclusive dimension left out, not counted as 1',
      rows: [
        { score: 0.6, weight: 1 },
        { score: null, weight: 5 },
      ],
      expected: 0.6,
    },
    {
      name: 'weight 0 left out',
      rows: [
        { score: 0.2, weight: 0 },
        { score: 0.8, weight: 1 },
      ],
      expected: 0.8,
    },
    { name: 'no score at all', rows: [{ score: null, weight: 1 }], expected: null },
    { name: 'only zero weights', rows: [{ score: 0.9, weight: 0 }], expected: null },
  ];
  for (const { name, rows, expected } of cases) {
    const got = overallScore(rows);
    if (expected === null) assert.equal(got, null, name);
    else assert.ok(got !== null && Math.abs(got - expected) < 1e-12, `${name}: ${got} != ${expected}`);
  }
});

test('weights default to 1 and ignore invalid values', () => {
  assert.equal(weightOf({}, 'data'), 1);
  assert.equal(weightOf({ data: 2 }, 'data'), 2);
  assert.equal(weightOf({ data: 0 }, 'data'), 0);
  assert.equal(weightOf({ data: -1 }, 'data'), 1);
});

test('candidateScores: every dimension listed, missing ones null (inconclusive), candidates without results kept', () => {
  const [preview, staging] = candidateScores([c('data', 1), c('data', 0), c('privacy', 1)], { data: 3 }, ['preview']);
  assert.equal(preview?.candidate, 'preview');
  assert.equal(preview?.overall, null);
  assert.ok(preview?.dimensions.every((d) => d.score === null && d.checks === 0));
  assert.equal(staging?.candidate, 'staging');
  assert.deepEqual(
    staging?.dimensions.map((d) => [d.dimension, d.score]),
    [
      ['data', 0.5],
      ['config', null],
      ['behavior', null],
      ['freshness', null],
      ['error_detection', null],
      ['privacy', 1],
    ],
  );
  // (3 * 0.5 + 1 * 1) / 4
  assert.equal(staging?.overall, 0.625);
});

test('history: bounded, spans the whole uptime, collapses repeated values', () => {
  const history = new ScoreHistory(8);
  const at = (t: number, score: number) =>
    history.record(t, [{ candidate: 'staging', overall: score, dimensions: [{ dimension: 'data', score, checks: 1, weight: 1 }] }]);
  for (let t = 0; t < 100; t += 1) at(t, (t % 3) / 2);
  const points = history.points('staging', 'overall');
  assert.ok(points.length <= 8, `${points.length} points kept`);
  assert.equal(points[0]?.t, 0, 'the first point survives compaction');
  assert.equal(points.at(-1)?.t, 99, 'the last point is the newest');
  const flat = new ScoreHistory(8);
  for (let t = 0; t < 50; t += 1) flat.record(t, [{ candidate: 'staging', overall: 1, dimensions: [] }]);
  assert.deepEqual(
    flat.points('staging', 'overall').map((p) => p.t),
    [0, 49],
  );
  // Dimensions that never had a score have no series.
  assert.equal(flat.points('staging', 'data').length, 0);
});

test('history: at most maxSeries series, whatever the number of candidates', () => {
  const history = new ScoreHistory(8, 64);
  for (let t = 0; t < 20; t += 1)
    history.record(
      t,
      Array.from({ length: 500 }, (_, i) => ({ candidate: `candidate-${i}-`.padEnd(100, 'c'), overall: t % 2, dimensions: [] })),
    );
  const series = history.toJSON();
  assert.equal(series.length, 64);
  assert.ok(series.every((entry) => entry.points.length <= 8));
  // The first candidates seen keep their series; later ones are not charted.
  assert.equal(history.points(`candidate-0-`.padEnd(100, 'c'), 'overall').length > 0, true);
  assert.equal(history.points(`candidate-499-`.padEnd(100, 'c'), 'overall').length, 0);
});
