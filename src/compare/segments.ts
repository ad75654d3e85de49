/**
 * Key-range segments of the `table` kind (pure): bucket geometry over an integer key, adaptive
 * chunk sizes that keep each statement short, and the comparison of per-bucket checksums.
 *
 * Buckets of one level are the ranges [lo + i*w, lo + (i+1)*w) of the leading key column. Widths
 * are powers of two and each level's width divides the previous one, so a mismatching bucket is
 * bisected into `fanout` children that are themselves buckets of the next level, and the checksums
 * of many mismatching buckets come back from one statement.
 */

export interface BucketSum {
  rows: number;
  /** XOR of the 64-bit row hashes, as an unsigned 64-bit integer. */
  hash: bigint;
}

export type BucketSums = Map<bigint, BucketSum>;

/** Adds one checksum row (bucket, count, xor) as returned by either engine. */
export function addBucketSum(sums: BucketSums, bucket: string | null, rows: string | null, hash: string | null): void {
  if (bucket === null) return;
  const id = BigInt(bucket);
  const entry = sums.get(id);
  const value = { rows: Number(rows ?? 0), hash: BigInt.asUintN(64, BigInt(hash ?? 0)) };
  // A bucket split over two chunk statements (never with aligned chunks) would be merged here.
  if (entry) sums.set(id, { rows: entry.rows + value.rows, hash: entry.hash ^ value.hash });
  else sums.set(id, value);
}

export interface BucketMismatch {
  bucket: bigint;
  baseline: BucketSum;
  candidate: BucketSum;
}

const EMPTY: BucketSum = { rows: 0, hash: 0n };

/** Buckets whose row count or checksum differ, in bucket order. */
export function mismatchedBuckets(baseline: BucketSums, candidate: BucketSums): BucketMismatch[] {
  const ids = new Set<bigint>([...baseline.keys(), ...candidate.keys()]);
  const result: BucketMismatch[] = [];
  for (const bucket of ids) {
    const a = baseline.get(bucket) ?? EMPTY;
    const b = candidate.get(bucket) ?? EMPTY;
    if (a.rows !== b.rows || a.hash !== b.hash) result.push({ bucket, baseline: a, candidate: b });
  }
  return result.sort((x, y) => (x.bucket < y.bucket ? -1 : x.bucket > y.bucket ? 1 : 0));
}

export function totalRows(sums: BucketSums): number {
  let rows = 0;
  for (const sum of sums.values()) rows += sum.rows;
  return rows;
}

export interface IntegerGeometry {
  /** Smallest key of both sides: bucket 0 starts here. */
  lo: bigint;
  /** One past the largest key of both sides. */
  end: bigint;
  /** Bucket width per level, level 0 first; each divides the previous one; the last is the smallest. */
  widths: bigint[];
}

export interface GeometryOptions {
  /** Target rows per level-0 bucket. */
  bucketRows: number;
  /** Children per bisected bucket (a power of two). */
  fanout: number;
  /** Buckets with at most this many rows on both sides are fetched instead of bisected. */
  fetchRows: number;
}

function nextPowerOfTwo(value: number): bigint {
  let power = 1n;
  while (Number(power) < value) power *= 2n;
  return power;
}

/**
 * Bucket widths from the key range and a row estimate: level 0 holds about `bucketRows` rows,
 * each next level is `fanout` times narrower, down to buckets of about `fetchRows` rows (or one key).
 */
export function integerGeometry(min: bigint, max: bigint, estimatedRows: number, options: GeometryOptions): IntegerGeometry {
  const span = max - min + 1n;
  const density = estimatedRows > 0 ? Math.min(1, estimatedRows / Number(span)) : 1;
  let width = nextPowerOfTwo(Math.max(1, options.bucketRows / density));
  if (width > span) width = nextPowerOfTwo(Number(span));
  const fanout = BigInt(options.fanout);
  const widths = [width];
  const smallest = nextPowerOfTwo(Math.max(1, options.fetchRows / density));
  while (width > 1n && width > smallest) {
    width = width / fanout > 0n ? width / fanout : 1n;
    widths.push(width);
  }
  return { lo: min, end: max + 1n, widths };
}

/** The key range [from, to) of a bucket of a level. */
export function bucketRange(geometry: IntegerGeometry, level: number, bucket: bigint): { from: bigint; to: bigint } {
  const width = geometry.widths[level] ?? 1n;
  const from = geometry.lo + bucket * width;
  return { from, to: from + width };
}

/**
 * Hands out consecutive key ranges of whole level-0 buckets, sized so that each checksum statement
 * takes about `targetMs`: after each statement the next chunk grows or shrinks by the ratio of the
 * target to the measured time (at most 2x either way, so one slow statement cannot swing it).
 */
export class ChunkCursor {
  private next: bigint;
  private buckets: number;

  constructor(
    private readonly geometry: IntegerGeometry,
    initialBuckets: number,
    private readonly targetMs: number,
    /** Statements running at once: near the end chunks shrink so that they all finish together. */
    private readonly workers = 1,
    private readonly maxBuckets = 1_000_000,
  ) {
    this.next = geometry.lo;
    this.buckets = Math.max(1, Math.floor(initialBuckets));
  }

  get bucketsPerChunk(): number {
    return this.buckets;
  }

  take(): { from: bigint; to: bigint } | undefined {
    if (this.next >= this.geometry.end) return undefined;
    const width = this.geometry.widths[0] ?? 1n;
    const from = this.next;
    const remaining = (this.geometry.end - from + width - 1n) / width;
    const share = (remaining + BigInt(2 * this.workers) - 1n) / BigInt(2 * this.workers);
    const buckets = BigInt(this.buckets) < share ? BigInt(this.buckets) : share > 0n ? share : 1n;
    const to = from + buckets * width;
    this.next = to;
    // The last chunk stops at the end of the keys; its last bucket is simply shorter.
    return { from, to: to > this.geometry.end ? this.geometry.end : to };
  }

  /** Feeds back how long a chunk of `buckets` buckets took. */
  observe(buckets: number, elapsedMs: number): void {
    if (buckets <= 0) return;
    const perBucket = Math.max(elapsedMs, 1) / buckets;
    const ideal = this.targetMs / perBucket;
    const next = Math.min(this.buckets * 2, Math.max(this.buckets / 2, ideal));
    this.buckets = Math.max(1, Math.min(this.maxBuckets, Math.floor(next)));
  }
}

/**
 * Whether so many of the buckets looked at differ that differences are dense there: merging the
 * rows directly then costs less than bisecting further.
 */
export function tooManyMismatches(mismatched: number, buckets: number, maxShare: number): boolean {
  return buckets > 0 && mismatched > Math.max(8, buckets * maxShare);
}
