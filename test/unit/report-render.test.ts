// Pure pieces of the audit report and the run outputs: redaction, generic details rendering,
// the SVG chart, what changed between samples, XML escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CheckResult } from '../../src/checks/check.js';
import { Secret } from '../../src/config/secret.js';
import { escapeXml } from '../../src/cli/run.js';
import { sparkline } from '../../src/server/html.js';
import { renderValue } from '../../src/server/report-details.js';
import { redact } from '../../src/server/redact.js';
import { changesBetween } from '../../src/server/view.js';

test('redaction: secrets by origin and value, credential values, URL credentials, flagged objects; field names play no part', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['Secret instance', { url: new Secret('postgres://u:p@h/db') }, { url: '<secret>' }],
    ['a configured secret value, wherever it is', { echo: `said ${new Secret('s3cr3t-value-42').reveal()}` }, { echo: 'said <secret>' }],
    [
      'the password of a secret URL',
      { error: `auth failed for ${new URL(new Secret('postgres://app:Pw-0815-long@db/shop').reveal()).password}` },
      { error: 'auth failed for <secret>' },
    ],
    [
      'credential values',
      { header: 'Bearer abcdefghijkl', pem: '-----BEGIN RSA PRIVATE KEY-----\nMII' },
      { header: '<redacted>', pem: '<redacted>' },
    ],
    [
      "the exporter's own field names are not secrets",
      { violations: { token: 3, email: 1 }, password_changes: 2, api_key_count: 1 },
      { violations: { token: 3, email: 1 }, password_changes: 2, api_key_count: 1 },
    ],
    [
      'a row its kind judged secret',
      { differences: [{ key: 'database.password', secret: true, differs: true, baseline: 'a', candidate: 'b' }] },
      { differences: [{ key: 'database.password', secret: true, differs: true, baseline: '<redacted>', candidate: '<redacted>' }] },
    ],
    [
      'ordinary row',
      { differences: [{ key: 'pool.size', baseline: 5, candidate: 10 }] },
      { differences: [{ key: 'pool.size', baseline: 5, candidate: 10 }] },
    ],
    [
      'URL credentials',
      { target: 'mysql://root:pw@10.0.0.1:3306/x and https://a:b@c/' },
      { target: 'mysql://<redacted>@10.0.0.1:3306/x and https://<redacted>@c/' },
    ],
    [
      'flagged object',
      { violations: [{ sensitive: true, column: 'email', value: 'ann@example.com', row: 4 }] },
      { violations: [{ sensitive: true, column: 'email', value: '<redacted>', row: 4 }] },
    ],
  ];
  for (const [name, input, expected] of cases) assert.deepEqual(redact(input), expected, name);
});

test('details render generically: records as tables, lists of records as one table, both sides inline', () => {
  const html = renderValue({
    examples: [{ type: 'changed', baseline: { sku: 'A', price: '1' }, candidate: { sku: 'A', price: '2' }, columns: ['price'] }],
    paths: ['$.a', '$.b'],
    steps: [
      { step: 'login', status: 200 },
      { step: 'pay', status: 500, error: 'boom' },
    ],
    nothing: [],
    duration: 0.0302437389999999,
  });
  assert.match(html, /<span class="kv changed">price=2<\/span>/);
  assert.match(html, /<span class="kv">sku=A<\/span>/);
  assert.match(html, /<th scope="col">step<\/th><th scope="col">status<\/th><th scope="col">error<\/th>/, 'union of the keys as columns');
  assert.match(html, /<td class="muted">—<\/td>/, 'a missing key is a dash');
  assert.match(html, /<span class="item">\$\.a<\/span> <span class="item">\$\.b<\/span>/);
  assert.match(html, /<span class="muted">none<\/span>/);
  assert.match(
    html,
    /<th scope="row">duration<\/th><td><span class="num">0\.03024<\/span>/,
    'a number without a unit in its key keeps four digits',
  );
  assert.doesNotMatch(renderValue({ x: '<script>alert(1)</script>' }), /<script>/, 'escaped');
});

test('sparkline: no script, threshold line, gaps for inconclusive points, empty frame without history', () => {
  const svg = sparkline(
    [
      { t: 0, score: 1 },
      { t: 10, score: null },
      { t: 20, score: 0.5 },
    ],
    0.95,
    { from: 0, to: 30 },
  );
  assert.equal((svg.match(/<path /g) ?? []).length, 2, 'the inconclusive point splits the line');
  assert.match(svg, /class="threshold"/);
  assert.doesNotMatch(svg, /script/i);
  assert.match(sparkline([], null), /aria-label="no history yet"/);
});

test('changes since the previous sample', () => {
  const result = (passed: boolean, rows: number, value: number): CheckResult => ({
    passed,
    summary: `${rows} rows differ`,
    series: [],
    scores: [{ dimension: 'data', candidate: 'staging', value }],
    details: { mismatchedRows: rows, password: 'x' },
  });
  assert.deepEqual(changesBetween(undefined, result(true, 0, 1), false), []);
  assert.deepEqual(changesBetween(result(true, 0, 1), result(true, 0, 1), false), []);
  assert.deepEqual(changesBetween(result(true, 0, 1), result(false, 3, 0), false), [
    'verdict: faithful → drift',
    'summary: 0 rows differ → 3 rows differ',
    'data score: 1.000 → 0.000',
    'mismatchedRows: 0 → 3',
  ]);
  assert.match(changesBetween(result(true, 0, 1), undefined, true)[0] ?? '', /the last sample failed/);
});

test('changes since the previous sample leave out timings: durations, latencies, ages', () => {
  const timed = (ms: number, rows: number): CheckResult => ({
    passed: true,
    summary: `${rows} rows identical in ${ms} ms; staging 1.${ms % 10}x slower`,
    series: [],
    scores: [{ dimension: 'data', candidate: 'staging', value: 1 }],
    details: { rows, durationSeconds: ms / 1000, baselineMs: ms, latencyRatio: ms / 100, maxAgeSeconds: ms },
  });
  assert.deepEqual(changesBetween(timed(120, 3), timed(345, 3), false), [], 'only timings changed');
  assert.deepEqual(changesBetween(timed(120, 3), timed(345, 4), false), [
    'summary: 3 rows identical in 120 ms; staging 1.0x slower → 4 rows identical in 345 ms; staging 1.5x slower',
    'rows: 3 → 4',
  ]);
});

test('XML escaping keeps JUnit well-formed whatever the summary holds', () => {
  const nasty = 'a<b>&"c\' \u0000\u001b[31m \ud800 ✓';
  const xml = `<testcase name="${escapeXml(nasty)}">${escapeXml(nasty)}</testcase>`;
  assert.equal(XMLValidator.validate(xml), true);
  const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testcase: { '@_name': string } };
  assert.match(parsed.testcase['@_name'], /^a<b>&"c' /);
});
