import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstSampleDelays, spreadWindow } from '../../src/scheduler/spread.js';

const names = (n: number, prefix = 'check_') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

test('twenty checks with a 10 s window start 500 ms apart, the first at once', () => {
  const delays = firstSampleDelays(names(20).map((name) => ({ name, windowMs: 10_000 })));
  assert.deepEqual(
    [...delays.values()].sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i * 500),
  );
});

test('offsets depend on the names, not on the order of checks in the file', () => {
  const checks = names(20).map((name) => ({ name, windowMs: 10_000 }));
  const forward = firstSampleDelays(checks);
  const backward = firstSampleDelays([...checks].reverse());
  assert.deepEqual([...backward.entries()].sort(), [...forward.entries()].sort());
  // Not simply the order of the names either: a hash of each name decides.
  const byName = names(20).map((name) => forward.get(name));
  assert.notDeepEqual(
    byName,
    [...byName].sort((a, b) => a! - b!),
  );
});

test('checks spread within their own window; a zero window starts at once', () => {
  const delays = firstSampleDelays([
    ...names(4, 'fast_').map((name) => ({ name, windowMs: 4_000 })),
    ...names(3, 'slow_').map((name) => ({ name, windowMs: 300_000 })),
    { name: 'now', windowMs: 0 },
  ]);
  assert.deepEqual(
    names(4, 'fast_')
      .map((name) => delays.get(name))
      .sort((a, b) => a! - b!),
    [0, 1000, 2000, 3000],
  );
  assert.deepEqual(
    names(3, 'slow_')
      .map((name) => delays.get(name))
      .sort((a, b) => a! - b!),
    [0, 100_000, 200_000],
  );
  assert.equal(delays.get('now'), 0);
});

test('the window is the interval, at most start_spread', () => {
  assert.equal(spreadWindow(10_000, 300_000), 10_000);
  assert.equal(spreadWindow(86_400_000, 300_000), 300_000);
  assert.equal(spreadWindow(60_000, 0), 0);
});
