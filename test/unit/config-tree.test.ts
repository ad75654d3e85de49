import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSliced } from '../../src/compare/slices.js';
import {
  EMPTY_ARRAY,
  EMPTY_OBJECT,
  durationMs,
  equivalent,
  exactMatcher,
  flatten,
  flattenSteps,
  subtreeMatcher,
  TooManyKeysError,
  type Equivalence,
} from '../../src/compare/tree.js';

const entries = (document: unknown, options?: Parameters<typeof flatten>[1]) => Object.fromEntries(flatten(document, options).values);

test('flatten: nested objects and arrays become key paths', () => {
  assert.deepEqual(entries({ server: { port: 8080, host: 'a' }, hosts: ['x', 'y'], on: true, off: null }), {
    'server.port': 8080,
    'server.host': 'a',
    'hosts[0]': 'x',
    'hosts[1]': 'y',
    on: true,
    off: null,
  });
});

test('flatten: empty containers are leaves; keys with separators are quoted', () => {
  assert.deepEqual(entries({ a: {}, b: [], 'server.port': 1, 'with space': 2, nested: { 'x.y': { z: 3 } } }), {
    a: EMPTY_OBJECT,
    b: EMPTY_ARRAY,
    '["server.port"]': 1,
    '["with space"]': 2,
    'nested["x.y"].z': 3,
  });
  assert.deepEqual(entries({}), { $: EMPTY_OBJECT });
  assert.deepEqual(entries('just text'), { $: 'just text' });
});

test('flatten: keyed arrays use the key field, so order does not matter', () => {
  const options = {
    keyedArrays: [
      { path: 'servers', key: 'name' },
      { path: 'groups[*].members', key: 'id' },
    ],
  };
  const a = entries(
    {
      servers: [
        { name: 'web', port: 80 },
        { name: 'api', port: 81 },
      ],
      groups: [{ members: [{ id: 1 }, { id: 2, role: 'x' }] }],
    },
    options,
  );
  const b = entries(
    {
      servers: [
        { name: 'api', port: 81 },
        { name: 'web', port: 80 },
      ],
      groups: [{ members: [{ id: 2, role: 'x' }, { id: 1 }] }],
    },
    options,
  );
  assert.deepEqual(a, b);
  assert.equal(a['servers[name=web].port'], 80);
  assert.equal(a['groups[0].members[id=2].role'], 'x');
});

test('flatten: a keyed array with a missing or duplicate key falls back to positions with a warning', () => {
  const options = { keyedArrays: [{ path: 'servers', key: 'name' }] };
  const missing = flatten({ servers: [{ name: 'web' }, { port: 1 }] }, options);
  assert.equal(missing.values.get('servers[1].port'), 1);
  assert.match(missing.warnings[0] ?? '', /servers: element 1 has no scalar "name"/);
  const duplicate = flatten({ servers: [{ name: 'web' }, { name: 'web' }] }, options);
  assert.match(duplicate.warnings[0] ?? '', /not unique/);
});

test('flatten: dates compare as ISO text, bigints as numbers, -0 as 0', () => {
  assert.deepEqual(entries({ at: new Date('2026-01-02T03:04:05Z'), big: 12n, zero: -0 }), {
    at: '2026-01-02T03:04:05.000Z',
    big: 12,
    zero: 0,
  });
});

test('flatten: max_keys stops a runaway document', () => {
  const big = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
  assert.throws(() => flatten(big, { maxKeys: 10 }), TooManyKeysError);
});

test('flatten: a deep document does not overflow the stack', () => {
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 20_000; i += 1) deep = { d: deep };
  assert.equal(flatten(deep).values.size, 1);
});

test('flattenSteps: the sliced run gives the same result as the synchronous one', async () => {
  const document = { list: Array.from({ length: 10_000 }, (_, i) => ({ id: i, v: `x${i}` })) };
  const sliced = await runSliced(flattenSteps(document), { sliceMs: 0 });
  assert.deepEqual(sliced.values, flatten(document).values);
});

test('globs: * stays within a key, [*] is any element, ** crosses segments; subtree matchers cover children', () => {
  const exact = exactMatcher(['servers[*].host', 'db.*_url', '**.password']);
  assert.equal(exact('servers[0].host'), true);
  assert.equal(exact('servers[name=a.b].host'), true);
  assert.equal(exact('servers[0].port'), false);
  assert.equal(exact('db.read_url'), true);
  assert.equal(exact('db.pool.read_url'), false);
  assert.equal(exact('a.b.c.password'), true);
  const subtree = subtreeMatcher(['database', 'features["new.checkout"]']);
  assert.equal(subtree('database'), true);
  assert.equal(subtree('database.host'), true);
  assert.equal(subtree('database[0]'), true);
  assert.equal(subtree('databases.host'), false, 'a prefix of a key name is not its parent');
  assert.equal(subtree('features["new.checkout"].enabled'), true);
});

test('equivalences: numbers, booleans and durations only when enabled', () => {
  const table: Array<[unknown, unknown, Equivalence, boolean]> = [
    ['100', 100, 'numbers', true],
    ['1.50', 1.5, 'numbers', true],
    ['1e3', '1000', 'numbers', true],
    ['100', 101, 'numbers', false],
    ['abc', 'abd', 'numbers', false],
    ['true', true, 'booleans', true],
    ['Yes', 'on', 'booleans', true],
    ['off', true, 'booleans', false],
    ['1m', '60s', 'durations', true],
    ['1h30m', 'PT1H30M', 'durations', true],
    ['250ms', '0.25s', 'durations', true],
    ['60', '1m', 'durations', false],
    ['1m', '61s', 'durations', false],
  ];
  for (const [a, b, equivalence, expected] of table) {
    assert.equal(equivalent(a as never, b as never, new Set([equivalence])), expected, `${String(a)} ~ ${String(b)} under ${equivalence}`);
    assert.equal(equivalent(a as never, b as never, new Set()), false, 'nothing is equivalent without equivalences');
  }
  assert.equal(durationMs('PT0.5S'), 500);
});
