import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/config/duration.js';
import { formatPath } from '../../src/config/errors.js';
import { interpolate } from '../../src/config/interpolate.js';
import { Secret } from '../../src/config/secret.js';
import { inspect } from 'node:util';
import { readOnlyProblem } from '../../src/checks/sql-guard.js';

test('durations', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('5x'), null);
  assert.equal(parseDuration(''), null);
  assert.equal(parseDuration('10'), null);
});

test('config paths', () => {
  assert.equal(formatPath(['checks', 3, 'schedule']), 'checks[3].schedule');
  assert.equal(formatPath(['environments', 'prod env', 'url']), 'environments["prod env"].url');
});

test('interpolation: variables, fallbacks, escapes, unset variables', () => {
  const problems: { path: string; message: string }[] = [];
  const out = interpolate({ a: '${A}', b: ['x${B:-two}y'], c: '$${A}', d: '${MISSING}' }, { env: { A: 'one' }, baseDir: '/' }, problems);
  assert.deepEqual(out, { a: 'one', b: ['xtwoy'], c: '${A}', d: '' });
  assert.deepEqual(problems, [{ path: 'd', message: 'environment variable MISSING is not set' }]);
});

test('secrets never print', () => {
  const secret = new Secret('hunter2');
  assert.equal(String(secret), '<secret>');
  assert.equal(JSON.stringify({ secret }), '{"secret":"<secret>"}');
  assert.equal(inspect({ secret }).includes('hunter2'), false);
  assert.equal(`${secret}`, '<secret>');
  assert.equal(secret.reveal(), 'hunter2');
});

test('the SQL guard accepts reads and names what it refuses', () => {
  assert.equal(readOnlyProblem('SELECT 1'), null);
  assert.equal(readOnlyProblem('  -- comment\n with x as (select 1) select * from x;'), null);
  assert.equal(readOnlyProblem("select ';' as semicolon"), null);
  assert.equal(readOnlyProblem('DELETE FROM t'), 'only read-only statements can be sampled (SELECT, WITH, VALUES, TABLE); got "DELETE"');
  assert.equal(readOnlyProblem('SELECT 1; DROP TABLE t'), 'must be a single statement (found ";" before the end)');
  assert.equal(
    readOnlyProblem('SET TRANSACTION READ WRITE'),
    'only read-only statements can be sampled (SELECT, WITH, VALUES, TABLE); got "SET"',
  );
});
