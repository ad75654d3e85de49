import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalize, canonicalDecimal, canonicalTimestamp, stableStringify } from '../../src/compare/canonical.js';
import { type ValueClass } from '../../src/core/columns.js';

// The canonical text forms are a contract between engines: these rows freeze them.
const cases: Array<[ValueClass, string | null, string | null]> = [
  ['integer', '42', '42'],
  ['integer', '-0', '0'],
  ['integer', '007', '7'],
  ['integer', '9223372036854775807', '9223372036854775807'],
  ['integer', '-9223372036854775808', '-9223372036854775808'],
  ['decimal', '1.50', '1.5'],
  ['decimal', '1.5000000000', '1.5'],
  ['decimal', '10.00', '10'],
  ['decimal', '-0.00', '0'],
  ['decimal', '0.10', '0.1'],
  ['decimal', '123456789012345678901234567890.000000001', '123456789012345678901234567890.000000001'],
  ['decimal', 'NaN', 'NaN'],
  ['float', '0.1', '0.1'],
  ['float', '1e+20', '100000000000000000000'],
  ['float', 'Infinity', 'Infinity'],
  ['float', '-inf', '-Infinity'],
  ['float', '-0', '0'],
  ['boolean', 't', 'true'],
  ['boolean', 'f', 'false'],
  ['timestamp', '2026-01-02 03:04:05+00', '2026-01-02 03:04:05'],
  ['timestamp', '2026-01-02 03:04:05.123400+00', '2026-01-02 03:04:05.1234'],
  ['timestamp', '2026-01-02 03:04:05.123400', '2026-01-02 03:04:05.1234'],
  ['timestamp', '2026-01-02 03:04:05.000000', '2026-01-02 03:04:05'],
  ['timestamp', '2026-01-02 01:04:05.5-02', '2026-01-02 03:04:05.5'],
  ['timestamp', '2026-01-01 23:30:00+05:30', '2026-01-01 18:00:00'],
  ['time', '03:04:05.100', '03:04:05.1'],
  ['bytes', '\\x0A0b', '0a0b'],
  ['json', '{"b": 1, "a": [1, {"d": 2, "c": 3}]}', '{"a":[1,{"c":3,"d":2}],"b":1}'],
  ['uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['text', 'Grüße, 東京 🚀', 'Grüße, 東京 🚀'],
  ['text', '', ''],
  ['text', null, null],
  ['decimal', null, null],
];

for (const [valueClass, raw, expected] of cases) {
  test(`canonicalize ${valueClass} ${JSON.stringify(raw)} -> ${JSON.stringify(expected)}`, () => {
    assert.equal(canonicalize(valueClass, raw), expected);
  });
}

test('NULL and the empty string stay distinct', () => {
  assert.notEqual(canonicalize('text', null), canonicalize('text', ''));
});

test('malformed input is returned unchanged rather than guessed', () => {
  assert.equal(canonicalDecimal('12abc'), '12abc');
  assert.equal(canonicalTimestamp('infinity'), 'infinity');
});

test('stableStringify sorts keys at every depth', () => {
  assert.equal(stableStringify({ z: { b: 1, a: 2 }, a: [3] }), '{"a":[3],"z":{"a":2,"b":1}}');
});

test('the fast paths agree with the general rules', () => {
  const decimals = [
    '0',
    '0.0',
    '0.50',
    '-0.50',
    '10',
    '100.000',
    '-12.340',
    '007.10',
    '+5',
    '.5',
    '5.',
    '-0',
    '1e5',
    '123456789012345678901234567890.10',
  ];
  for (const raw of decimals) {
    const general = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(raw);
    if (!general) {
      assert.equal(canonicalDecimal(raw), raw, raw);
      continue;
    }
    const integer = (general[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
    const fraction = (general[3] ?? '').replace(/0+$/, '');
    const body = fraction ? `${integer}.${fraction}` : integer;
    assert.equal(canonicalDecimal(raw), general[1] === '-' && body !== '0' ? `-${body}` : body, raw);
  }
  assert.equal(canonicalTimestamp('2026-01-02 03:04:05.100000+00'), '2026-01-02 03:04:05.1');
  assert.equal(canonicalTimestamp('2026-01-02 03:04:05.000000'), '2026-01-02 03:04:05');
  assert.equal(canonicalTimestamp('2026-01-02 03:04:05+00'), '2026-01-02 03:04:05');
  assert.equal(canonicalTimestamp('2026-01-02 03:04:05+02'), '2026-01-02 01:04:05');
});
