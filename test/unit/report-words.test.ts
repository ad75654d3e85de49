// The report's wording: plurals, units and detail keys in the docs' words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderValue } from '../../src/server/report-details.js';
import { formatBytes, formatNumber, formatRatio, formatSeconds, keyWords, plural } from '../../src/server/report-words.js';

test('counts take the right plural', () => {
  assert.equal(plural(1, 'check'), '1 check');
  assert.equal(plural(2, 'check'), '2 checks');
  assert.equal(plural(0, 'row'), '0 rows');
  assert.equal(plural(3, 'query'), '3 queries');
  assert.equal(plural(1, 'index'), '1 index');
  assert.equal(plural(12_345, 'row'), '12,345 rows');
});

test('durations, ratios and sizes read in the units people write', () => {
  const seconds: Array<[number, string]> = [
    [0, '0 s'],
    [0.0000421, '42 µs'],
    [0.003141484000007, '3.14 ms'],
    [0.25, '250 ms'],
    [1.5, '1.5 s'],
    [42.25, '42.3 s'],
    [754, '12 min 34 s'],
    [3600, '1 h'],
    [172862.342, '2 d'],
    [90000, '1 d 1 h'],
  ];
  for (const [value, text] of seconds) assert.equal(formatSeconds(value), text, String(value));
  assert.equal(formatRatio(0.9512), '95.1%');
  assert.equal(formatRatio(1), '100%');
  assert.equal(formatBytes(1), '1 byte');
  assert.equal(formatBytes(356), '356 bytes');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(5 * 1024 * 1024), '5 MiB');
});

test('a number takes the unit its key declares', () => {
  assert.equal(formatNumber('durationSeconds', 0.0227), '22.7 ms');
  assert.equal(formatNumber('lagSeconds', 171616.739), '1 d 23 h');
  assert.equal(formatNumber('max_age_seconds', 86400), '1 d');
  assert.equal(formatNumber('elapsedMs', 1500), '1.5 s');
  assert.equal(formatNumber('differenceRatio', 0.002), '0.2%');
  assert.equal(formatNumber('durationRatio', 1.7798), '1.78×');
  assert.equal(formatNumber('bytes', 2048), '2 KiB');
  assert.equal(formatNumber('rows', 1000), '1,000');
  assert.equal(formatNumber('pValue', 0.03508899280795186), '0.03509');
});

test('keys read in the words of the docs, never camelCase', () => {
  const cases: Array<[string, string]> = [
    ['mismatchedRows', 'mismatched rows'],
    ['durationSeconds', 'duration'],
    ['duration_seconds', 'duration'],
    ['differenceRatio', 'difference ratio'],
    ['keysCompared', 'keys compared'],
    ['oldestDriftSeconds', 'oldest drift'],
    ['baseUrl', 'base URL'],
    ['null_share', 'null share'],
    ['p95', '95th percentile'],
    ['ratio', 'ratio'],
    ['columnProblems', 'column problems'],
    ['pValue', 'p-value'],
    ['type_changed', 'type changed'],
    ['payments-mock', 'payments-mock'],
  ];
  for (const [key, words] of cases) assert.equal(keyWords(key), words, key);
});

test('per-side facts become one table with a row per side; booleans read yes/no', () => {
  const html = renderValue({
    sides: {
      production: { rows: 5, durationSeconds: 0.0031 },
      staging: { rows: 4, durationSeconds: 1.25 },
    },
    fresh: false,
  });
  assert.match(html, /<th scope="col">rows<\/th><th scope="col">duration<\/th>/);
  assert.match(html, /<th scope="row">production<\/th><td><span class="num">5<\/span><\/td><td><span class="num">3\.1 ms<\/span>/);
  assert.match(html, /<th scope="row">staging<\/th><td><span class="num">4<\/span><\/td><td><span class="num">1\.25 s<\/span>/);
  assert.match(html, /<th scope="row">fresh<\/th><td><span class="bool">no<\/span>/);
});
