// The gzip trailer's CRC of a body joined from segments is combined from the segments' CRCs:
// it must equal the CRC of the joined bytes for any lengths, empty parts included.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { test } from 'node:test';
import { crc32Combine } from '../../src/metrics/crc32-combine.js';

test('combined CRCs equal the CRC of the concatenation, for random parts of any length', () => {
  const lengths = [0, 1, 2, 3, 7, 64, 255, 4096, 65_537, 300_001];
  for (let round = 0; round < 40; round += 1) {
    const parts = Array.from({ length: 1 + (round % 7) }, (_, i) => randomBytes(lengths[(round * 3 + i) % lengths.length]!));
    let combined = 0;
    for (const part of parts) combined = crc32Combine(combined, crc32(part), part.length);
    assert.equal(combined, crc32(Buffer.concat(parts)), `parts of ${parts.map((p) => p.length).join(', ')} bytes`);
  }
});

test('a combined CRC differs when one byte of a part differs', () => {
  const a = Buffer.from('fidelity_check_success{check="orders"} 1\n');
  const b = Buffer.from('fidelity_check_success{check="payments"} 1\n');
  const changed = Buffer.from(b);
  changed[changed.length - 2] = 0x30;
  assert.notEqual(crc32Combine(crc32(a), crc32(b), b.length), crc32Combine(crc32(a), crc32(changed), changed.length));
});
