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
  // Reads that act elsewhere: locks, writes to tables, files or variables, sequences, settings.
  assert.equal(readOnlyProblem('SELECT * FROM t FOR UPDATE'), 'must only read; "FOR UPDATE" locks rows (FOR UPDATE / FOR SHARE)');
  assert.match(readOnlyProblem("SELECT * FROM t INTO OUTFILE '/tmp/x'") ?? '', /"INTO" writes its result somewhere/);
  assert.match(readOnlyProblem('SELECT pg_advisory_lock(1)') ?? '', /"PG_ADVISORY_LOCK" takes or releases a named lock/);
  assert.match(readOnlyProblem("select get_lock('x', 0)") ?? '', /"GET_LOCK"/);
  assert.match(readOnlyProblem("SELECT nextval('s')") ?? '', /advances a sequence/);
  assert.match(readOnlyProblem("SELECT set_config('a.b', '1', false)") ?? '', /changes server or session state/);
  assert.match(readOnlyProblem('SELECT @x := 1') ?? '', /assigns a session variable/);
  // The same words inside literals, quoted names or comments are not statements.
  assert.equal(
    readOnlyProblem(`SELECT 'for update', "into" FROM t -- nextval(
`),
    null,
  );
});
