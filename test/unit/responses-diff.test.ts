import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathSet, compareBodies, diffJson, generalisePath, noisePaths, parsePath } from '../../src/compare/responses.js';

test('diffJson reports added, removed, changed and type differences with paths', () => {
  const diffs = diffJson(
    { id: 1, total: 10, items: [{ sku: 'a' }, { sku: 'b' }], meta: { x: 1 }, 'odd key': 1 },
    { id: 1, total: 12, items: [{ sku: 'a' }], meta: [1], extra: true, 'odd key': 1 },
  );
  assert.deepEqual(diffs, [
    { path: '$.total', change: 'changed', baseline: 10, candidate: 12 },
    { path: '$.items[1]', change: 'removed', baseline: { sku: 'b' } },
    { path: '$.meta', change: 'type', baseline: { x: 1 }, candidate: [1] },
    { path: '$.extra', change: 'added', candidate: true },
  ]);
  assert.deepEqual(
    diffJson({ 'a b': 1 }, { 'a b': 2 }).map((d) => d.path),
    ['$["a b"]'],
  );
});

test('parsePath understands dots, brackets, quoted keys, wildcards and deep scan', () => {
  assert.deepEqual(parsePath('$.a.b[0]["x y"][*]'), ['a', 'b', '0', 'x y', '*']);
  assert.deepEqual(parsePath('$..request_id'), ['**', 'request_id']);
  assert.throws(() => parsePath('a.b'), /must start with "\$"/);
});

test('PathSet covers the path, its subtree, wildcards and any depth', () => {
  const set = new PathSet(['$.meta', '$.items[*].updated_at', '$..request_id']);
  assert.ok(set.covers('$.meta.server.time'));
  assert.ok(set.covers('$.items[3].updated_at'));
  assert.ok(set.covers('$.deep.nested[2].request_id'));
  assert.ok(set.covers('$.request_id'));
  assert.ok(!set.covers('$.items[3].price'));
  assert.ok(!set.covers('$.metadata'));
});

test('noise paths come from two baseline runs and are generalised over indexes', () => {
  const first = {
    json: {
      at: '10:00:01',
      rows: [
        { id: 1, ts: 1 },
        { id: 2, ts: 1 },
      ],
    },
    text: '',
  };
  const second = {
    json: {
      at: '10:00:02',
      rows: [
        { id: 1, ts: 2 },
        { id: 2, ts: 1 },
      ],
    },
    text: '',
  };
  assert.deepEqual(noisePaths(first, second), ['$.at', '$.rows[*].ts']);
  assert.equal(generalisePath('$.a[12].b[0]'), '$.a[*].b[*]');
});

const options = (ignore: string[] = [], noise: string[] = []) => ({
  ignore: new PathSet(ignore),
  noise: new PathSet(noise),
  maxDifferences: 10,
});

test('compareBodies drops ignored and noise paths but keeps real drift', () => {
  const baseline = { json: { total: 10, at: 't1', rid: 'a', rows: [{ ts: 1 }, { ts: 2 }] }, text: '' };
  const candidate = { json: { total: 11, at: 't2', rid: 'b', rows: [{ ts: 5 }, { ts: 6 }], extra: 1 }, text: '' };
  const result = compareBodies(baseline, candidate, options(['$.rid'], ['$.at', '$.rows[*].ts']));
  assert.equal(result.identical, false);
  assert.deepEqual(
    result.differences.map((d) => `${d.change} ${d.path}`),
    ['changed $.total', 'added $.extra'],
  );
  assert.deepEqual(result.noise, ['$.at', '$.rows[0].ts', '$.rows[1].ts']);
  assert.equal(result.ignored, 1);
  assert.equal(result.mode, 'json');
});

test('compareBodies: only noise and ignored differences means identical', () => {
  const result = compareBodies({ json: { at: 1 }, text: '' }, { json: { at: 2 }, text: '' }, options([], ['$.at']));
  assert.equal(result.identical, true);
});

test('compareBodies falls back to text, and reports JSON against non-JSON as a type difference', () => {
  assert.equal(compareBodies({ text: 'ok' }, { text: 'ok' }, options()).identical, true);
  const textual = compareBodies({ text: 'ok' }, { text: 'KO' }, options());
  assert.deepEqual(textual.differences, [{ path: '$', change: 'changed', baseline: 'ok', candidate: 'KO' }]);
  const mixed = compareBodies({ json: { a: 1 }, text: '{"a":1}' }, { text: '<html>' }, options());
  assert.equal(mixed.differences[0]?.change, 'type');
});

test('long values are shortened in the differences', () => {
  const long = 'x'.repeat(1000);
  const result = compareBodies({ json: { a: long }, text: '' }, { json: { a: 'y' }, text: '' }, options());
  assert.match(String(result.differences[0]?.baseline), /… \(1000 chars\)$/);
});
