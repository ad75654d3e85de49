import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ValueClass } from '../../src/core/columns.js';
import { comparisonClass, FIELD_SEPARATOR, NULL_MARKER, portableClass, rowText, valueText } from '../../src/compare/rowtext.js';

/** The canonical row text of the table kind is a contract between engines: these cases freeze it. */

const cases: Array<[ValueClass, string | null, string]> = [
  ['integer', '42', '42'],
  ['integer', '-007', '-7'],
  ['integer', '9223372036854775807', '9223372036854775807'],
  ['decimal', '1.50', '1.5'],
  ['decimal', '2.00', '2'],
  ['decimal', '100', '100'],
  ['decimal', '-0.0100', '-0.01'],
  ['decimal', '0.00', '0'],
  ['float', '0.1', '0.1'],
  ['float', '123456.789', '123456.789'],
  ['float', '5.714285714285714', '5.714286'],
  ['float', '1e-9', '0'],
  ['float', '-2.5', '-2.5'],
  ['float', 'Infinity', 'Infinity'],
  ['boolean', 't', 'true'],
  ['boolean', 'f', 'false'],
  ['text', 'Grüße, 東京 😀', 'Grüße, 東京 😀'],
  ['text', '', ''],
  ['timestamp', '2026-03-01 12:00:00.500000', '2026-03-01 12:00:00.5'],
  ['timestamp', '2026-03-01 12:00:00+00', '2026-03-01 12:00:00'],
  ['timestamp', '2026-03-01 12:00:00.000001+02', '2026-03-01 10:00:00.000001'],
  ['timestamp', '2026-03-01 00:00:00.25-01:30', '2026-03-01 01:30:00.25'],
  ['date', '2026-03-01', '2026-03-01'],
  ['time', '12:34:56.500000', '12:34:56.5'],
  ['uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['bytes', '\\xDEADbeef', 'deadbeef'],
  ['bytes', 'DEADBEEF', 'deadbeef'],
  ['integer', null, NULL_MARKER],
  ['text', null, NULL_MARKER],
];

for (const [valueClass, raw, expected] of cases) {
  test(`value text: ${valueClass} ${JSON.stringify(raw)} -> ${JSON.stringify(expected)}`, () => {
    assert.equal(valueText(valueClass, raw), expected);
  });
}

test('row text joins value texts with U+001F and writes NULL as U+001E', () => {
  assert.equal(FIELD_SEPARATOR, '\u001f');
  assert.equal(NULL_MARKER, '\u001e');
  assert.equal(
    rowText(['integer', 'decimal', 'text', 'timestamp', 'text'], ['7', '10.50', 'é', '2026-01-01 00:00:00.000100', null]),
    '7\u001f10.5\u001fé\u001f2026-01-01 00:00:00.0001\u001f\u001e',
  );
  // NULL and the empty string differ.
  assert.notEqual(rowText(['text'], [null]), rowText(['text'], ['']));
});

test('comparison classes: integers with decimals, uuids with text; nothing else mixes', () => {
  assert.equal(comparisonClass('decimal', 'decimal'), 'decimal');
  assert.equal(comparisonClass('integer', 'decimal'), 'decimal');
  assert.equal(comparisonClass('decimal', 'integer'), 'decimal');
  assert.equal(comparisonClass('text', 'uuid'), 'uuid');
  assert.equal(comparisonClass('text', 'integer'), null);
  assert.equal(comparisonClass('float', 'decimal'), null);
  assert.equal(comparisonClass('boolean', 'integer'), null);
  assert.equal(portableClass('json'), false);
  assert.equal(portableClass('other'), false);
  assert.equal(portableClass('timestamp'), true);
});
