// PostgreSQL COPY text parsed from raw bytes gives the values a row-by-row read gives: escapes
// undone, NULL apart from the empty string, and any chunk boundary (mid-row, mid-escape, mid-character).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyField, copyLines, CopyTextRows, type CopyRow } from '../../src/compare/copy-text.js';

// What the server writes for: a tab, a newline, a backslash, CR, non-ASCII, NULL, '' and "\N" as text.
const TEXT = 'a\\tb\tline\\nbreak\tback\\\\slash\t\\r\\b\\f\\v\tzoë 🚀 東京\t\\N\t\t\\\\N\n1\t\\N\n\n';
const ROWS: CopyRow[] = [['a\tb', 'line\nbreak', 'back\\slash', '\r\b\f\v', 'zoë 🚀 東京', null, '', '\\N'], ['1', null], ['']];

function parse(chunks: Uint8Array[]): { rows: CopyRow[]; complete: boolean } {
  const parser = new CopyTextRows();
  const rows: CopyRow[] = [];
  let counted = 0;
  for (const chunk of chunks) counted += parser.push(chunk, (row) => rows.push(row));
  assert.equal(counted, rows.length);
  return { rows, complete: parser.finish() };
}

test('escapes, NULL against the empty string and the text "\\N", an empty line as one empty value', () => {
  assert.deepEqual(parse([Buffer.from(TEXT)]), { rows: ROWS, complete: true });
  assert.equal(copyLines(Buffer.from(TEXT)), 3);
});

test('every split of the bytes into two or three chunks gives the same rows', () => {
  const bytes = Buffer.from(TEXT);
  for (let i = 0; i <= bytes.length; i += 1) {
    assert.deepEqual(parse([bytes.subarray(0, i), bytes.subarray(i)]).rows, ROWS, `split at byte ${i}`);
    const j = Math.min(bytes.length, i + 3);
    assert.deepEqual(parse([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]).rows, ROWS, `split at ${i} and ${j}`);
  }
});

test('a stream cut inside a row is not complete', () => {
  const { rows, complete } = parse([Buffer.from('1\tone\n2\ttw')]);
  assert.deepEqual(rows, [['1', 'one']]);
  assert.equal(complete, false);
});

test('octal and hex escapes, and a backslash before any other character', () => {
  assert.equal(copyField('\\101\\x42\\q'), 'ABq');
  assert.equal(copyField('plain'), 'plain');
  assert.equal(copyField('\\N'), null);
});

test('chunks larger than a decoding window, with lines longer than a window and rows cut between chunks', () => {
  const long = 'x'.repeat(70_000);
  const expected: CopyRow[] = [];
  let text = '';
  for (let i = 0; i < 3000; i += 1) {
    const row: CopyRow = [String(i), i % 500 === 0 ? long : `note ${i} é`, i % 7 === 0 ? null : 'a\tb'];
    expected.push(row);
    text += `${row[0]}\t${row[1]}\t${row[2] === null ? '\\N' : 'a\\tb'}\n`;
  }
  const bytes = Buffer.from(text);
  const third = Math.floor(bytes.length / 3);
  const { rows, complete } = parse([bytes.subarray(0, third), bytes.subarray(third, 2 * third + 1), bytes.subarray(2 * third + 1)]);
  assert.equal(complete, true);
  assert.deepEqual(rows, expected);
});
