import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash32, ownedChecks, ownerOf, owns, parseShard, shardFromHostname, ShardError } from '../../src/scheduler/shard.js';
import { shardFlags, UsageError } from '../../src/cli/args.js';

const names = Array.from({ length: 3000 }, (_, i) => `check_${i}`);

test('parseShard reads INDEX/COUNT and refuses the rest', () => {
  assert.deepEqual(parseShard('0/3'), { index: 0, count: 3 });
  assert.deepEqual(parseShard(' 2/3 '), { index: 2, count: 3 });
  for (const [text, message] of [
    ['3/3', /index 3 is not below the count 3/],
    ['1/0', /count must be at least 1/],
    ['a/3', /expected INDEX\/COUNT/],
    ['-1/3', /expected INDEX\/COUNT/],
    ['1', /expected INDEX\/COUNT/],
  ] as const) {
    assert.throws(
      () => parseShard(text),
      (error: Error) => error instanceof ShardError && message.test(error.message),
      text,
    );
  }
});

test('shardFromHostname takes the StatefulSet ordinal', () => {
  assert.deepEqual(shardFromHostname('fidelity-exporter-2', 3), { index: 2, count: 3 });
  assert.deepEqual(shardFromHostname('fidelity-0.fidelity.monitoring.svc', 2), { index: 0, count: 2 });
  assert.throws(() => shardFromHostname('fidelity-exporter-3', 3), /index 3 is not below the count 3/);
  assert.throws(() => shardFromHostname('workstation', 3), /does not end in -<ordinal>/);
});

test('shard flags: explicit, from the host name, and conflicts', () => {
  assert.deepEqual(shardFlags({ shard: '1/4' }, 'x'), { index: 1, count: 4 });
  assert.deepEqual(shardFlags({ 'shard.from-hostname': true, 'shard.count': '3' }, 'fidelity-1'), { index: 1, count: 3 });
  assert.equal(shardFlags({}, 'fidelity-1'), undefined);
  assert.throws(
    () => shardFlags({ shard: '1/4', 'shard.from-hostname': true }, 'x'),
    (e: Error) => e instanceof UsageError && /not both/.test(e.message),
  );
  assert.throws(() => shardFlags({ 'shard.from-hostname': true }, 'fidelity-1'), /--shard.count: expected the number of replicas/);
  assert.throws(() => shardFlags({ 'shard.count': '3' }, 'fidelity-1'), /needs --shard.from-hostname/);
});

test('every check is owned by exactly one replica', () => {
  for (const count of [1, 2, 3, 7]) {
    const owners = names.map((name) => Array.from({ length: count }, (_, index) => owns({ index, count }, name)).filter(Boolean).length);
    assert.ok(
      owners.every((n) => n === 1),
      `count ${count}`,
    );
    const union = Array.from({ length: count }, (_, index) =>
      ownedChecks(
        names.map((name) => ({ name })),
        { index, count },
      ),
    ).flat();
    assert.equal(union.length, names.length);
    assert.equal(new Set(union.map((c) => c.name)).size, names.length);
  }
});

test('the assignment is stable: pinned values guard against an accidental change of hash', () => {
  // These pins change only if the algorithm does (which would reshuffle every deployment).
  assert.equal(hash32('a'), hash32('a'));
  assert.notEqual(hash32('0\u0000orders'), hash32('1\u0000orders'));
  const pinned = Object.fromEntries(
    ['customers_by_country', 'product_catalog_size', 'orders_by_status', 'product_prices'].map((name) => [name, ownerOf(name, 3)]),
  );
  assert.deepEqual(pinned, PINNED_OWNERS);
  assert.equal(hash32('fidelity'), PINNED_HASH);
});

test('checks spread evenly, and growing 3 -> 4 replicas moves only about a quarter, all to the new one', () => {
  const counts = [0, 0, 0];
  for (const name of names) counts[ownerOf(name, 3)]! += 1;
  for (const count of counts) assert.ok(count > 900 && count < 1100, `uneven split ${counts.join('/')}`);
  let moved = 0;
  for (const name of names) {
    const before = ownerOf(name, 3);
    const after = ownerOf(name, 4);
    if (before !== after) {
      moved += 1;
      assert.equal(after, 3, `${name} moved between old replicas`);
    }
  }
  assert.ok(moved > 600 && moved < 900, `moved ${moved} of 3000`);
});

test('one replica owns everything; no shard means everything', () => {
  assert.ok(names.every((name) => owns({ index: 0, count: 1 }, name)));
  assert.ok(names.every((name) => owns(undefined, name)));
});

// Computed once from the implementation and pinned.
const PINNED_OWNERS = { customers_by_country: 0, product_catalog_size: 1, orders_by_status: 2, product_prices: 1 };
const PINNED_HASH = 1601181235;
