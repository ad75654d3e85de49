import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toLogfmt } from '../../src/log.js';

test('logfmt: time, level and msg first; values with spaces, quotes or = are quoted; objects as JSON', () => {
  assert.equal(
    toLogfmt({
      level: 'warn',
      time: '2026-12-07T16:00:00.000Z',
      msg: 'sample failed',
      check: 'orders',
      n: 3,
      err: 'a "b"=c',
      extra: { a: 1 },
    }),
    'time=2026-12-07T16:00:00.000Z level=warn msg="sample failed" check=orders n=3 err="a \\"b\\"=c" extra="{\\"a\\":1}"',
  );
  assert.equal(toLogfmt({ time: 't', level: 'info', msg: 'x', empty: '' }), 'time=t level=info msg=x empty=""');
});
