import { canonicalize, type CanonicalValue } from '../compare/canonical.js';
import { compareKeys, KeyedMerge, lowerBound, type KeyedRow, type MergePlan } from '../compare/merge.js';
import { valueText } from '../compare/rowtext.js';
import { childBuckets, planLevel, type LevelState } from '../compare/bisection.js';
import {
  addBucketSum,
  ChunkCursor,
  integerGeometry,
  mismatchedBuckets,
  tooManyMismatches,
  totalRows,
  type BucketMismatch,
  type BucketSums,
  type IntegerGeometry,
} from '../compare/segments.js';
import type { Tolerance } from '../compare/rows.js';
import type { RawRow } from '../connectors/database.js';
import { TableSql, type IntegerRange, type Statement, type ValueRange } from '../connectors/table-sql.js';
import type { SampleContext } from './check.js';
import { SampleError } from '../core/errors.js';
import type { Role, TableCheck } from './table-options.js';
import { run, text, tune, type ColumnPlan, type Side } from './table-sides.js';

/**
 * One comparison of a table's two sides: checksums per bucket or segment on both, bisection of the
 * differing ones, and the keyed merge of the rows fetched.
 */

interface Progress {
  buckets: number;
  mismatchedBuckets: number;
  bisections: number;
  fetchedRows: number;
  pagedMerges: number;
  fallback: boolean;
  strategy: 'integer-buckets' | 'key-quantiles';
  levels: number;
}

export class Comparison {
  readonly merge: KeyedMerge;
  readonly progress: Progress;
  /** Rows per side, from the checksums (counted in the databases). */
  rows = { baseline: 0, candidate: 0 };

  constructor(
    readonly check: TableCheck,
    readonly context: SampleContext,
    readonly baseline: Side,
    readonly candidate: Side,
    readonly plan: ColumnPlan,
    maxExamples: number,
  ) {
    const tolerances = plan.valueNames.map((name, i): Tolerance | undefined => {
      const numeric = ['integer', 'decimal', 'float'].includes(plan.valueClasses[i] ?? '');
      return check.column_tolerance[name] ?? (numeric ? check.tolerance : undefined);
    });
    const mergePlan: MergePlan = {
      keyNames: plan.keyNames,
      keyClasses: plan.keyClasses,
      valueNames: plan.valueNames,
      tolerances,
      maxExamples,
    };
    this.merge = new KeyedMerge(mergePlan);
    this.progress = {
      buckets: 0,
      mismatchedBuckets: 0,
      bisections: 0,
      fetchedRows: 0,
      pagedMerges: 0,
      fallback: false,
      strategy: plan.keyClasses[0] === 'integer' ? 'integer-buckets' : 'key-quantiles',
      levels: 0,
    };
  }

  private toKeyed(raw: RawRow): KeyedRow {
    const keys = this.plan.keyClasses.length;
    return {
      key: this.plan.keyClasses.map((valueClass, i) => canonicalize(valueClass, raw[i] ?? null)),
      // Floats compare at the precision of the checksum text, so a verdict never depends on which rows were fetched.
      values: this.plan.valueClasses.map((valueClass, i) => {
        const value = raw[keys + i] ?? null;
        return valueClass === 'float' && value !== null ? valueText('float', value) : canonicalize(valueClass, value);
      }),
    };
  }

  private both<T>(work: (side: Side) => Promise<T>): Promise<[T, T]> {
    return Promise.all([work(this.baseline), work(this.candidate)]);
  }

  private async query(side: Side, statements: Statement[]): Promise<RawRow[][]> {
    return side.db.readOnly(async (session) => {
      const results: RawRow[][] = [];
      await tune(session, side.info.dialect);
      for (const statement of statements) results.push(await run(session, side.clock, statement));
      return results;
    });
  }

  /** Rows of the ranges fetched from both sides and merged whole (small ranges only). */
  private async fetchAndMerge(where: (sql: TableSql) => Statement): Promise<void> {
    const [a, b] = await this.both(async (side) => (await this.query(side, [where(side.sql)]))[0] ?? []);
    this.progress.fetchedRows += a.length + b.length;
    const sorted = (rows: RawRow[]) => rows.map((row) => this.toKeyed(row)).sort((x, y) => compareKeys(this.plan.keyClasses, x.key, y.key));
    this.merge.merge(sorted(a), sorted(b));
  }

  /**
   * Both sides' rows of a range merged in key order, one page per side at a time: memory stays at
   * about two pages per side however many rows the range holds.
   */
  async pagedMerge(where: { integer?: IntegerRange[]; range?: ValueRange }): Promise<void> {
    this.progress.pagedMerges += 1;
    const pageRows = this.check.page_rows;
    const state = new Map<Role, { rows: KeyedRow[]; after?: CanonicalValue[]; done: boolean }>([
      ['baseline', { rows: [], done: false }],
      ['candidate', { rows: [], done: false }],
    ]);
    for (;;) {
      this.throwIfAborted();
      await this.both(async (side) => {
        const entry = state.get(side.role);
        if (!entry || entry.done || entry.rows.length >= pageRows) return;
        const [page = []] = await this.query(side, [side.sql.rows(where, entry.after, pageRows)]);
        this.progress.fetchedRows += page.length;
        const keyed = page.map((row) => this.toKeyed(row));
        entry.rows.push(...keyed);
        const last = keyed[keyed.length - 1];
        if (last) entry.after = last.key;
        if (page.length < pageRows) entry.done = true;
      });
      const a = state.get('baseline') as { rows: KeyedRow[]; after?: CanonicalValue[]; done: boolean };
      const b = state.get('candidate') as { rows: KeyedRow[]; after?: CanonicalValue[]; done: boolean };
      // Merge up to the smaller last key read: beyond it the other side may still have rows.
      const bound = lowerBound(this.plan.keyClasses, a.done ? undefined : a.after, b.done ? undefined : b.after);
      const rest = this.merge.merge(a.rows, b.rows, bound);
      a.rows = rest.baseline;
      b.rows = rest.candidate;
      if (a.done && b.done && a.rows.length === 0 && b.rows.length === 0) return;
    }
  }

  /** Every row of both sides merged page by page in key order, for columns no checksum covers on both engines. */
  async compareAllRows(): Promise<void> {
    this.progress.fallback = true;
    await this.pagedMerge({});
    const { matched, changed, missing, extra } = this.merge.counts;
    this.rows = { baseline: matched + changed + missing, candidate: matched + changed + extra };
  }

  throwIfAborted(): void {
    if (this.context.signal.aborted) throw new SampleError('timeout', 'check timeout reached');
  }

  /** Level-0 checksums of one side: parallel workers, chunks sized to `segment_time`. */
  private async scanIntegerSide(side: Side, geometry: IntegerGeometry, estimatedRows: number): Promise<BucketSums> {
    const sums: BucketSums = new Map();
    const width = geometry.widths[0] ?? 1n;
    const span = Number(geometry.end - geometry.lo);
    const rowsPerBucket = span > 0 ? Math.max(1, (estimatedRows * Number(width)) / span) : 1;
    // Start with about 100k rows per statement; the cursor then adapts to the measured time.
    const workers = Math.max(1, Math.min(this.check.parallel, side.db.concurrency));
    const cursor = new ChunkCursor(geometry, Math.max(1, 100_000 / rowsPerBucket), this.check.segment_time, workers);
    await Promise.all(
      Array.from({ length: workers }, () =>
        (async () => {
          // One short transaction per chunk: no snapshot held for the whole scan (it would hold
          // back vacuum on a busy production), and other checks get the side's slots in between.
          for (let chunk = cursor.take(); chunk; chunk = cursor.take()) {
            this.throwIfAborted();
            const started = performance.now();
            const statement = side.sql.integerChecksums(geometry.lo, width, [chunk]);
            const rows = await side.db.readOnly(async (session) => run(await tune(session, side.info.dialect), side.clock, statement));
            cursor.observe(Number((chunk.to - chunk.from + width - 1n) / width), performance.now() - started);
            for (const row of rows) addBucketSum(sums, text(row[0]), text(row[1]), text(row[2]));
          }
        })(),
      ),
    );
    return sums;
  }

  private async levelChecksums(side: Side, geometry: IntegerGeometry, level: number, ranges: IntegerRange[]): Promise<BucketSums> {
    const sums: BucketSums = new Map();
    const width = geometry.widths[level] ?? 1n;
    const statements: Statement[] = [];
    for (let i = 0; i < ranges.length; i += BATCH_RANGES) {
      statements.push(side.sql.integerChecksums(geometry.lo, width, ranges.slice(i, i + BATCH_RANGES)));
    }
    for (const rows of await this.query(side, statements)) {
      for (const row of rows) addBucketSum(sums, text(row[0]), text(row[1]), text(row[2]));
    }
    return sums;
  }

  async compareIntegerKeys(): Promise<void> {
    const [boundsA, boundsB] = await this.both(async (side) => (await this.query(side, [side.sql.keyBounds()]))[0]?.[0] ?? []);
    const mins = [boundsA[0], boundsB[0]].filter((value): value is string => value !== null && value !== undefined).map(BigInt);
    const maxes = [boundsA[1], boundsB[1]].filter((value): value is string => value !== null && value !== undefined).map(BigInt);
    if (mins.length === 0 || maxes.length === 0) return; // both sides empty
    const min = mins.reduce((x, y) => (x < y ? x : y));
    const max = maxes.reduce((x, y) => (x > y ? x : y));
    if (max - min > 2n ** 62n) {
      // Keys spread over most of the 64-bit range: bucket arithmetic could overflow in SQL.
      this.progress.strategy = 'key-quantiles';
      await this.compareByQuantiles();
      return;
    }
    const estimate = Math.max(this.baseline.info.estimatedRows, this.candidate.info.estimatedRows);
    const geometry = integerGeometry(min, max, estimate, {
      bucketRows: this.check.bucket_rows,
      fanout: FANOUT,
      fetchRows: this.check.fetch_rows,
    });
    this.progress.levels = geometry.widths.length;
    const [sumsA, sumsB] = await this.both((side) => this.scanIntegerSide(side, geometry, estimate));
    this.rows = { baseline: totalRows(sumsA), candidate: totalRows(sumsB) };
    this.progress.buckets = new Set([...sumsA.keys(), ...sumsB.keys()]).size;
    const mismatched = mismatchedBuckets(sumsA, sumsB);
    this.progress.mismatchedBuckets = mismatched.length;
    const toFetch: IntegerRange[] = [];
    const toPage: IntegerRange[] = [];
    const limits = { fetchRows: this.check.fetch_rows, fallbackShare: this.check.fallback_share, levelZeroBuckets: this.progress.buckets };
    let state: LevelState = { level: 0, mismatched, considered: this.progress.buckets, parents: [] };
    while (state.mismatched.length > 0) {
      this.throwIfAborted();
      const plan = planLevel(geometry, state, limits);
      if (plan.action !== 'split') this.progress.fallback = true;
      if (plan.action === 'merge-all') {
        await this.pagedMerge({});
        return;
      }
      if (plan.action === 'page-parents') {
        toPage.push(...state.parents);
        break;
      }
      toFetch.push(...plan.fetch);
      toPage.push(...plan.page);
      if (plan.bisect.length === 0) break;
      this.progress.bisections += plan.bisect.length;
      const { level } = state;
      const [childA, childB] = await this.both((side) => this.levelChecksums(side, geometry, level + 1, plan.bisect));
      state = {
        level: level + 1,
        mismatched: mismatchedBuckets(childA, childB),
        considered: childBuckets(geometry, level, plan.bisect.length),
        parents: plan.bisect,
      };
    }
    for (let i = 0; i < toFetch.length; i += BATCH_RANGES) {
      const batch = toFetch.slice(i, i + BATCH_RANGES);
      await this.fetchAndMerge((sql) => sql.integerRows(batch));
    }
    for (const range of toPage) await this.pagedMerge({ integer: [range] });
  }

  /** Any ordered leading key: segments between quantiles of the baseline's keys. */
  async compareByQuantiles(): Promise<void> {
    const segmentRows = this.check.bucket_rows * 4;
    const [quantiles = []] = await this.query(this.baseline, [this.baseline.sql.quantiles(segmentRows)]);
    const leadingClass = this.plan.keyClasses[0] ?? 'text';
    const boundaries: string[] = [];
    for (const row of quantiles) {
      const value = canonicalize(leadingClass, row[0] ?? null);
      if (value !== null && boundaries[boundaries.length - 1] !== value) boundaries.push(value);
    }
    // Segment i is [boundaries[i-1], boundaries[i]); the first and last are open-ended.
    const edges: (string | undefined)[] = [undefined, ...boundaries, undefined];
    const segments = edges.length - 1;
    const scan = async (side: Side): Promise<BucketSums> => {
      const sums: BucketSums = new Map();
      let next = 0;
      const workers = Math.max(1, Math.min(this.check.parallel, side.db.concurrency));
      await Promise.all(
        Array.from({ length: workers }, () =>
          (async () => {
            while (next < segments) {
              this.throwIfAborted();
              const first = next;
              next = Math.min(segments, next + SEGMENTS_PER_STATEMENT);
              const statement = side.sql.boundaryChecksums(first, edges.slice(first, next + 1));
              const rows = await side.db.readOnly(async (session) => run(await tune(session, side.info.dialect), side.clock, statement));
              for (const row of rows) addBucketSum(sums, text(row[0]), text(row[1]), text(row[2]));
            }
          })(),
        ),
      );
      return sums;
    };
    const [sumsA, sumsB] = await this.both(scan);
    this.rows = { baseline: totalRows(sumsA), candidate: totalRows(sumsB) };
    this.progress.buckets = segments;
    const mismatched = mismatchedBuckets(sumsA, sumsB);
    this.progress.mismatchedBuckets = mismatched.length;
    if (tooManyMismatches(mismatched.length, segments, this.check.fallback_share)) {
      this.progress.fallback = true;
      await this.pagedMerge({});
      return;
    }
    await this.refineSegments(mismatched.map((bucket) => this.segment(edges, Number(bucket.bucket), bucket)));
  }

  private segment(edges: readonly (string | undefined)[], index: number, bucket: BucketMismatch): { range: ValueRange; rows: number } {
    const range: ValueRange = {};
    const from = edges[index];
    const to = edges[index + 1];
    if (from !== undefined) range.from = from;
    if (to !== undefined) range.to = to;
    return { range, rows: Math.max(bucket.baseline.rows, bucket.candidate.rows) };
  }

  /**
   * Bisection of differing key-quantile segments: small ones are fetched and merged; larger ones
   * are cut at quantiles of their own keys and only the differing parts go on. A segment that
   * cannot be cut (one leading key value with many rows) is merged page by page.
   */
  private async refineSegments(segments: { range: ValueRange; rows: number }[]): Promise<void> {
    const fetchRows = Math.max(this.check.fetch_rows, QUANTILE_FETCH_ROWS);
    const leadingClass = this.plan.keyClasses[0] ?? 'text';
    for (const { range, rows } of segments) {
      this.throwIfAborted();
      if (rows <= fetchRows) {
        await this.fetchAndMerge((sql) => sql.rows({ range }));
        continue;
      }
      const step = Math.max(1, Math.ceil(rows / FANOUT));
      const [cuts = []] = await this.query(this.baseline, [this.baseline.sql.quantiles(step, range)]);
      const inner: string[] = [];
      for (const row of cuts) {
        const value = canonicalize(leadingClass, row[0] ?? null);
        if (value !== null && value !== range.from && inner[inner.length - 1] !== value) inner.push(value);
      }
      if (inner.length === 0) {
        await this.pagedMerge({ range });
        continue;
      }
      this.progress.bisections += 1;
      const edges: (string | undefined)[] = [range.from, ...inner, range.to];
      const [a, b] = await this.both(async (side) => {
        const sums: BucketSums = new Map();
        const [found = []] = await this.query(side, [side.sql.boundaryChecksums(0, edges)]);
        for (const row of found) addBucketSum(sums, text(row[0]), text(row[1]), text(row[2]));
        return sums;
      });
      await this.refineSegments(mismatchedBuckets(a, b).map((bucket) => this.segment(edges, Number(bucket.bucket), bucket)));
    }
  }
}

/** Segments of a non-integer key with at most this many rows are fetched whole. */
const QUANTILE_FETCH_ROWS = 512;

/** Mismatching ranges per bisection or fetch statement. */
const BATCH_RANGES = 100;
/** Children of a bisected bucket. */
const FANOUT = 32;
/** Quantile segments checksummed per statement. */
const SEGMENTS_PER_STATEMENT = 32;
