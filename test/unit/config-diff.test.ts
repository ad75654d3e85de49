import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffConfigs, diffTrees, judge, updateFirstSeen, type Approval } from '../../src/compare/config-diff.js';
import { flatten, TooManyKeysError } from '../../src/compare/tree.js';

const flat = (document: unknown) => flatten(document).values;

const production = { server: { port: 8080, timeout: '30s' }, features: { checkout: true, search: false }, pool: { max: '100' }, legacy: 1 };

test('identical documents: zero differences, every key compared', () => {
  const diff = diffConfigs(flat(production), flat(structuredClone(production)));
  assert.deepEqual(diff.differences, []);
  assert.equal(diff.compared, 6);
});

test('each kind of change with its path, sorted by path', () => {
  const staging = { server: { port: 8081, timeout: '30s' }, features: { checkout: true, search: false, beta: true }, pool: { max: 100 } };
  const diff = diffConfigs(flat(production), flat(staging));
  assert.deepEqual(diff.differences, [
    { path: 'features.beta', change: 'added', candidate: true },
    { path: 'legacy', change: 'removed', baseline: 1 },
    { path: 'pool.max', change: 'type_changed', baseline: '100', candidate: 100 },
    { path: 'server.port', change: 'changed', baseline: 8080, candidate: 8081 },
  ]);
  assert.equal(diff.compared, 7);
});

test('ignore: ignored subtrees are neither differences nor compared keys', () => {
  const staging = { ...production, server: { port: 1, timeout: '31s' }, extra: { host: 'x' } };
  const diff = diffConfigs(flat(production), flat(staging), { ignore: ['server', 'extra.*'] });
  assert.deepEqual(diff.differences, []);
  assert.equal(diff.compared, 4);
  assert.equal(diff.ignored, 3);
});

test('equivalences turn spelling differences into equal keys', () => {
  const staging = { ...production, server: { port: '8080', timeout: '0.5m' } };
  assert.equal(diffConfigs(flat(production), flat(staging)).differences.length, 2);
  const diff = diffConfigs(flat(production), flat(staging), { equivalences: ['numbers', 'durations'] });
  assert.deepEqual(diff.differences, []);
  assert.equal(diff.equivalent, 2);
});

const now = Date.parse('2026-06-01T00:00:00Z');

test('judge: approved, expired and unapproved differences; drift index = unapproved + expired', () => {
  const diff = diffConfigs(
    flat(production),
    flat({ server: { port: 1, timeout: '1s' }, features: { checkout: false, search: true }, pool: { max: '100' }, legacy: 1 }),
  );
  const approvals: Approval[] = [
    { key: 'features', reason: 'canary', owner: 'team-a' },
    { key: 'server.port', reason: 'old', owner: 'team-b', expiresAt: now - 1 },
    { key: 'nothing.here', reason: 'stale', owner: 'team-c' },
    { key: 'server.timeout', reason: 'only additions', owner: 'team-d', change: 'added' },
  ];
  const judged = judge(diff.differences, approvals, now);
  assert.deepEqual(
    judged.differences.map((d) => [d.path, d.status]),
    [
      ['features.checkout', 'approved'],
      ['features.search', 'approved'],
      ['server.port', 'expired'],
      ['server.timeout', 'unapproved'],
    ],
  );
  assert.equal(judged.driftIndex, 2);
  assert.equal(judged.approved, 2);
  assert.equal(judged.counts.changed.approved, 2);
  assert.equal(judged.counts.changed.expired, 1);
  assert.equal(judged.counts.changed.unapproved, 1);
  assert.deepEqual(
    judged.unusedApprovals.map((a) => a.key),
    ['nothing.here', 'server.timeout'],
  );
});

test('judge: a live approval wins over an expired one for the same key', () => {
  const diff = diffConfigs(flat({ a: 1 }), flat({ a: 2 }));
  const judged = judge(
    diff.differences,
    [
      { key: 'a', reason: 'old', owner: 'x', expiresAt: now - 1 },
      { key: 'a', reason: 'renewed', owner: 'x', expiresAt: now + 1 },
    ],
    now,
  );
  assert.equal(judged.differences[0]?.status, 'approved');
  assert.equal(judged.differences[0]?.approval?.reason, 'renewed');
});

test('first seen: kept while the difference lasts, dropped when it goes, by path and change', () => {
  const first = updateFirstSeen(new Map(), [{ path: 'a', change: 'changed' }], 1000);
  const second = updateFirstSeen(
    first,
    [
      { path: 'a', change: 'changed' },
      { path: 'b', change: 'added' },
    ],
    2000,
  );
  assert.deepEqual(
    [...second],
    [
      ['changed a', 1000],
      ['added b', 2000],
    ],
  );
  const third = updateFirstSeen(second, [{ path: 'b', change: 'added' }], 3000);
  assert.deepEqual([...third], [['added b', 2000]]);
  const back = updateFirstSeen(third, [{ path: 'a', change: 'changed' }], 4000);
  assert.deepEqual([...back], [['changed a', 4000]]);
});

/** Small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDocument(next: () => number, depth: number): unknown {
  const roll = next();
  if (depth > 3 || roll < 0.3) {
    const leaves = [1, 2, '1', 'a', 'b', true, false, null, {}, [], '1m', '60s'];
    return leaves[Math.floor(next() * leaves.length)];
  }
  if (roll < 0.45) {
    // Sometimes a keyed array (elements with a unique "name"), sometimes a plain one.
    const keyed = next() < 0.6;
    return Array.from({ length: Math.floor(next() * 4) }, (_, i) =>
      keyed ? { name: `n${(i * 7 + Math.floor(next() * 3)) % 5}`, v: randomDocument(next, depth + 1) } : randomDocument(next, depth + 1),
    );
  }
  const keys = ['a', 'b', 'c', 'x.y', 'password', '0'];
  return Object.fromEntries(keys.filter(() => next() < 0.5).map((key) => [key, randomDocument(next, depth + 1)]));
}

test('diffTrees gives exactly what flatten + diffConfigs give (random documents)', () => {
  const options = {
    ignore: ['a.b', '**.password', 'c[*]'],
    equivalences: ['numbers', 'durations'] as const,
    keyedArrays: [{ path: '**', key: 'name' }],
  };
  let checked = 0;
  for (let seed = 1; seed <= 2000; seed += 1) {
    const next = random(seed);
    const baseline = randomDocument(next, 0);
    const candidate = next() < 0.3 ? structuredClone(baseline) : randomDocument(next, 0);
    const left = flatten(baseline, { keyedArrays: options.keyedArrays });
    const right = flatten(candidate, { keyedArrays: options.keyedArrays });
    const flat = diffConfigs(left.values, right.values, { ignore: options.ignore, equivalences: [...options.equivalences] });
    // Keyed-array fallbacks can differ between the two methods (pairing is decided per pair of arrays): skip those.
    if (left.warnings.length + right.warnings.length > 0) continue;
    const walked = diffTrees(baseline, candidate, { ...options, equivalences: [...options.equivalences] });
    assert.deepEqual(
      {
        differences: walked.differences,
        compared: walked.compared,
        ignored: walked.ignored,
        equivalent: walked.equivalent,
        keys: [walked.baselineKeys, walked.candidateKeys],
      },
      {
        differences: flat.differences,
        compared: flat.compared,
        ignored: flat.ignored,
        equivalent: flat.equivalent,
        keys: [left.values.size, right.values.size],
      },
      `seed ${seed}`,
    );
    checked += 1;
  }
  assert.ok(checked > 600, `only ${checked} documents compared`);
});

test('diffTrees: keyed arrays pair by key, positions otherwise; too many keys names the side', () => {
  const options = { keyedArrays: [{ path: 'servers', key: 'name' }] };
  const baseline = {
    servers: [
      { name: 'web', port: 80 },
      { name: 'api', port: 81 },
    ],
  };
  assert.deepEqual(
    diffTrees(
      baseline,
      {
        servers: [
          { name: 'api', port: 81 },
          { name: 'web', port: 80 },
        ],
      },
      options,
    ).differences,
    [],
  );
  assert.deepEqual(diffTrees(baseline, { servers: [{ name: 'api', port: 82 }] }, options).differences, [
    { path: 'servers[name=api].port', change: 'changed', baseline: 81, candidate: 82 },
    { path: 'servers[name=web].name', change: 'removed', baseline: 'web' },
    { path: 'servers[name=web].port', change: 'removed', baseline: 80 },
  ]);
  const fallback = diffTrees(baseline, { servers: [{ port: 1 }] }, options);
  assert.match(fallback.warnings.candidate[0] ?? '', /compared by position/);
  assert.equal(fallback.differences.find((d) => d.path === 'servers[0].port')?.change, 'changed');
  assert.throws(
    () => diffTrees({ a: 1 }, { a: 1, b: 2, c: 3 }, { maxKeys: 2 }),
    (error: unknown) => error instanceof TooManyKeysError && error.side === 'candidate',
  );
});
