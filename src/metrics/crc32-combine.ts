/**
 * CRC-32 of a concatenation from the CRCs of its parts (zlib's crc32_combine, same algorithm):
 * the gzip trailer of a body joined from kept segments is computed from each segment's CRC,
 * without reading the whole body again. Polynomials over GF(2), reflected, as zlib writes them.
 */

const POLY = 0xedb88320;

/** a(x) * b(x) modulo the CRC polynomial. */
function multModP(a: number, b: number): number {
  let product = 0;
  for (let bit = 0x80000000; bit !== 0 && a !== 0; bit >>>= 1) {
    if (a & bit) {
      product ^= b;
      a ^= bit;
    }
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0..31. */
const X2N: number[] = [];
for (let p = 0x40000000, k = 0; k < 32; k += 1) {
  X2N.push(p);
  p = multModP(p, p);
}

/** x^(n * 2^k) modulo the polynomial. */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000;
  for (; n > 0; n = Math.floor(n / 2), k += 1) if (n % 2 === 1) p = multModP(X2N[k & 31]!, p);
  return p;
}

/**
 * The operator that appends `length` bytes to a CRC, for `crc32Append`: a body's segments keep
 * theirs, so joining them costs one multiplication each.
 */
export function crc32Shift(length: number): number {
  return x2nModP(length, 3);
}

/** The CRC-32 of A followed by B, from the CRC of A, the CRC of B and the shift of B's length. */
export function crc32Append(crcA: number, crcB: number, shiftB: number): number {
  return (multModP(shiftB, crcA) ^ crcB) >>> 0;
}

/** The CRC-32 of A followed by B, from the CRC of A, the CRC of B and the length of B in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return crc32Append(crcA, crcB, crc32Shift(lengthB));
}
