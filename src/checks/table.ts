import { z } from 'zod';
import { canonicalize, type CanonicalValue, type ValueClass } from '../compare/canonical.js';
import { compareKeys, DuplicateKeyError, KeyedMerge, lowerBound, type KeyedRow, type MergePlan } from '../compare/merge.js';
import { comparisonClass, KEY_CLASSES, portableClass, valueText } from '../compare/rowtext.js';
import {
  addBucketSum,
  bucketRange,
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
import { checkSchema } from '../config/schema.js';
import { duration, identifier, positiveInt } from '../config/fields.js';
import type { ReadSession, RawRow } from '../connectors/database.js';
import type { Dialect } from '../connectors/dialects/dialect.js';
import {
  catalog,
  parseTableName,
  TableSql,
  type Engine,
  type IntegerRange,
  type RowHash,
  type SideColumn,
  type Statement,
  type TableName,
  type ValueRange,
} from '../connectors/table-sql.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, CheckResult, DatabaseHandle, SampleContext, KindOptions } from './check.js';
import { SampleError } from './errors.js';
import { unlessNothingCompared } from './evidence.js';
import { databaseReferences } from './references.js';

/**
 * `table`: whole tables compared by key. Each database computes per-bucket checksums over key
 * ranges (a few bytes per bucket come back); mismatching buckets are bisected until small, then
 * their rows are fetched and merged on the key, so differences are named by exact key. When too
 * many buckets differ, both tables are merged in key order page by page (bounded memory).
 */

const tableName = z.string().regex(/^[^.\s"`]+(\.[^.\s"`]+)?$/, { error: 'must be a table name, optionally schema-qualified ("orders", "sales.orders")' });
const columnName = z.string().min(1).max(128);

const tolerance = z.strictObject({
  absolute: z.number().nonnegative().optional(),
  relative: z.number().nonnegative().optional(),
});

const schema = checkSchema('table', {
  database: identifier,
  table: tableName,
  /** Side name -> table name on that side (a renamed or differently-schema'd copy). */
  table_per_side: z.record(identifier, tableName).default({}),
  key: z.array(columnName).min(1, { error: 'at least one key column is required' }),
  columns: z.array(columnName).min(1).optional(),
  ignore_columns: z.array(columnName).default([]),
  filter: z.strictObject({ column: columnName, min_age: duration }).optional(),
  tolerance: tolerance.optional(),
  column_tolerance: z.record(z.string(), tolerance).default({}),
  hash: z.enum(['auto', 'native', 'md5', 'sha256']).default('auto'),
  segment_time: duration.default(1000),
  bucket_rows: positiveInt.max(1_000_000).default(1024),
  fetch_rows: positiveInt.max(100_000).default(64),
  page_rows: positiveInt.max(1_000_000).default(5000),
  fallback_share: z.number().min(0).max(1).default(0.5),
  parallel: positiveInt.max(16).default(2),
  max_examples: z.number().int().min(0).max(1000).optional(),
});

export type TableOptions = KindOptions<typeof schema>;

type Role = 'baseline' | 'candidate';

interface CatalogColumn {
  name: string;
  type: string;
  collation: string;
  valueClass: ValueClass;
}

interface SideInfo {
  side: string;
  engine: Engine;
  dialect: Dialect;
  table: TableName;
  tableText: string;
  columns: Map<string, CatalogColumn>;
  order: string[];
  estimatedRows: number;
  defaultCollation: string;
  uniqueSets: string[][];
  md5: boolean;
}

/** Wall time during which a side had at least one statement running. */
class BusyClock {
  private active = 0;
  private since = 0;
  ms = 0;
  statements = 0;

  async time<T>(work: () => Promise<T>): Promise<T> {
    if (this.active === 0) this.since = performance.now();
    this.active += 1;
    this.statements += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      if (this.active === 0) this.ms += performance.now() - this.since;
    }
  }
}

interface Side {
  role: Role;
  info: SideInfo;
  db: DatabaseHandle;
  sql: TableSql;
  clock: BusyClock;
}

async function run(session: ReadSession, clock: BusyClock, statement: Statement): Promise<RawRow[]> {
  return clock.time(async () => (await session.query(statement.sql, statement.params)).rows);
}

/** Per-transaction settings the engine wants for checksum and row statements (TableDialect.tuning). */
async function tune(session: ReadSession, dialect: Dialect): Promise<ReadSession> {
  for (const setting of dialect.table.tuning) await session.query(setting);
  return session;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

async function describeSide(context: SampleContext, check: TableCheck, side: string, wantMd5: boolean): Promise<SideInfo> {
  const db = context.database(side, check.database);
  const tableText = check.table_per_side[side] ?? check.table;
  const table = parseTableName(tableText);
  const { engine, dialect } = db;
  return db.readOnly(async (session) => {
    const ask = async (statement: Statement) => (await session.query(statement.sql, statement.params)).rows;
    // A table readable column by column only would be compared on the columns the role sees.
    await dialect.table.requireWholeTable?.(session, table);
    const columnRows = await ask(dialect.table.columns(table));
    if (columnRows.length === 0) {
      // information_schema hides a table the role may not read: tell that from a missing table.
      await dialect.probeHiddenTables?.(session, table.schema, [table.name]);
      throw new SampleError('query', `table "${tableText}" does not exist on side "${side}" (database "${check.database}")`);
    }
    const order = columnRows.map((row) => text(row[0]));
    const probe = catalog.probe(engine, table, order);
    const { columns: classes } = await session.query(probe.sql, probe.params);
    const columns = new Map<string, CatalogColumn>();
    columnRows.forEach((row, index) => {
      const name = text(row[0]);
      columns.set(name, { name, type: text(row[1]), collation: text(row[2]), valueClass: classes[index]?.valueClass ?? 'other' });
    });
    const facts = (await ask(dialect.table.facts(table)))[0] ?? [];
    const unsupported = dialect.table.checksumProblem(Number(facts[2] ?? 0), side);
    if (unsupported) throw new SampleError('query', unsupported);
    const indexRows = await ask(dialect.table.uniqueIndexes(table));
    const indexes = new Map<string, string[]>();
    for (const row of indexRows) indexes.set(text(row[0]), [...(indexes.get(text(row[0])) ?? []), text(row[1])]);
    let md5 = false;
    if (wantMd5) {
      // Last statement of the transaction: where FIPS mode refuses md5 the error ends it harmlessly.
      try {
        await session.query(dialect.table.md5Works().sql);
        md5 = true;
      } catch {
        md5 = false;
      }
    }
    return {
      side,
      engine,
      dialect,
      table,
      tableText,
      columns,
      order,
      estimatedRows: Number(facts[0] ?? 0) || 0,
      defaultCollation: text(facts[1]),
      uniqueSets: [...indexes.values()],
      md5,
    };
  });
}

interface ColumnPlan {
  keyNames: string[];
  valueNames: string[];
  keyClasses: ValueClass[];
  valueClasses: ValueClass[];
  sameTypes: boolean;
}

function planColumns(check: TableCheck, a: SideInfo, b: SideInfo): ColumnPlan {
  const where = (info: SideInfo) => `table "${info.tableText}" on side "${info.side}"`;
  for (const info of [a, b]) {
    for (const key of check.key) {
      if (!info.columns.has(key)) throw new SampleError('config', `key column "${key}" does not exist in ${where(info)}`);
    }
    if (check.filter && !info.columns.has(check.filter.column)) {
      throw new SampleError('config', `filter column "${check.filter.column}" does not exist in ${where(info)}`);
    }
  }
  const ignored = new Set([...check.ignore_columns, ...check.key]);
  let valueNames: string[];
  if (check.columns) {
    valueNames = check.columns.filter((name) => !ignored.has(name));
    for (const info of [a, b]) {
      for (const name of valueNames) if (!info.columns.has(name)) throw new SampleError('config', `column "${name}" does not exist in ${where(info)}`);
    }
  } else {
    valueNames = a.order.filter((name) => !ignored.has(name));
    const missing = valueNames.filter((name) => !b.columns.has(name));
    const extra = b.order.filter((name) => !ignored.has(name) && !a.columns.has(name));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        ...missing.map((name) => `"${name}" only in ${where(a)}`),
        ...extra.map((name) => `"${name}" only in ${where(b)}`),
      ];
      throw new SampleError('config', `columns differ: ${parts.join('; ')} (list them in ignore_columns to compare the rest)`);
    }
  }
  const crossEngine = a.dialect !== b.dialect;
  let sameTypes = !crossEngine;
  const classOf = (name: string, isKey: boolean): ValueClass => {
    const x = a.columns.get(name) as CatalogColumn;
    const y = b.columns.get(name) as CatalogColumn;
    const valueClass = comparisonClass(x.valueClass, y.valueClass);
    if (valueClass === null) {
      throw new SampleError('config', `column "${name}" has incompatible types: ${x.type} on "${a.side}", ${y.type} on "${b.side}"`);
    }
    if (crossEngine && !portableClass(valueClass)) {
      throw new SampleError('config', `column "${name}" (${x.type} on "${a.side}", ${y.type} on "${b.side}") cannot be compared across engines; list it in ignore_columns`);
    }
    if (isKey && !KEY_CLASSES.has(valueClass)) {
      throw new SampleError('config', `key column "${name}" has type ${x.type}; keys must be integer, decimal, text, uuid, date, time or timestamp columns`);
    }
    if (x.type.toLowerCase() !== y.type.toLowerCase()) sameTypes = false;
    return valueClass;
  };
  const keyClasses = check.key.map((name) => classOf(name, true));
  const valueClasses = valueNames.map((name) => classOf(name, false));
  return { keyNames: check.key, valueNames, keyClasses, valueClasses, sameTypes };
}

function chooseHash(check: TableCheck, a: SideInfo, b: SideInfo, plan: ColumnPlan): RowHash {
  const nativePossible = a.dialect === b.dialect && a.dialect.table.nativeRowHash !== undefined && plan.sameTypes;
  if (check.hash === 'native') {
    if (!nativePossible) {
      throw new SampleError('config', 'hash "native" needs PostgreSQL on both sides with the same column types; use "auto", "md5" or "sha256"');
    }
    return 'native';
  }
  if (check.hash === 'md5' || check.hash === 'sha256') return check.hash;
  if (nativePossible) return 'native';
  return a.md5 && b.md5 ? 'md5' : 'sha256';
}

function sideSql(info: SideInfo, plan: ColumnPlan, hash: RowHash, cutoff: string | undefined, filterColumn: string | undefined): TableSql {
  const column = (name: string, valueClass: ValueClass): SideColumn => {
    const catalogColumn = info.columns.get(name) as CatalogColumn;
    return { name, valueClass, engineType: catalogColumn.type, collation: catalogColumn.collation };
  };
  return new TableSql({
    engine: info.engine,
    table: info.table,
    key: plan.keyNames.map((name, i) => column(name, plan.keyClasses[i] ?? 'text')),
    values: plan.valueNames.map((name, i) => column(name, plan.valueClasses[i] ?? 'text')),
    hash,
    ...(cutoff && filterColumn ? { filter: { column: filterColumn, cutoff } } : {}),
    defaultCollation: info.defaultCollation,
  });
}

function utcText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Throws when the key is not unique on the side: free with a unique index, one GROUP BY without. */
async function checkUniqueKey(side: Side, key: string[]): Promise<void> {
  const covered = side.info.uniqueSets.some((columns) => columns.length > 0 && columns.every((column) => key.includes(column)));
  if (covered) return;
  const duplicate = await side.db.readOnly((session) => run(session, side.clock, side.sql.duplicateKey()));
  const row = duplicate[0];
  if (row) {
    const example = key.map((name, i) => `${name}=${text(row[i])}`).join(', ');
    throw new SampleError('config', `key (${key.join(', ')}) is not unique in table "${side.info.tableText}" on side "${side.info.side}": ${example} appears ${text(row[key.length])} times`);
  }
}

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

class Comparison {
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
    const mergePlan: MergePlan = { keyNames: plan.keyNames, keyClasses: plan.keyClasses, valueNames: plan.valueNames, tolerances, maxExamples };
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
    const geometry = integerGeometry(min, max, estimate, { bucketRows: this.check.bucket_rows, fanout: FANOUT, fetchRows: this.check.fetch_rows });
    this.progress.levels = geometry.widths.length;
    const [sumsA, sumsB] = await this.both((side) => this.scanIntegerSide(side, geometry, estimate));
    this.rows = { baseline: totalRows(sumsA), candidate: totalRows(sumsB) };
    this.progress.buckets = new Set([...sumsA.keys(), ...sumsB.keys()]).size;
    let mismatched: BucketMismatch[] = mismatchedBuckets(sumsA, sumsB);
    this.progress.mismatchedBuckets = mismatched.length;
    const toFetch: IntegerRange[] = [];
    const toPage: IntegerRange[] = [];
    // Bisecting costs a pass over the bucket inside the database; fetching costs its rows over the
    // wire, about ten times more. So buckets are bisected until small, unless the children of a
    // level differ almost everywhere: then differences are dense there and the parents are merged
    // directly (all of the table in one ordered pass when they cover most of it).
    let parents: IntegerRange[] = [];
    let considered = this.progress.buckets;
    for (let level = 0; mismatched.length > 0; level += 1) {
      this.throwIfAborted();
      const dense = tooManyMismatches(mismatched.length, considered, this.check.fallback_share);
      if (dense && (level === 0 ? geometry.widths.length === 1 : true)) {
        this.progress.fallback = true;
        if (level === 0 || parents.length >= this.progress.buckets * this.check.fallback_share) {
          toFetch.length = 0;
          toPage.length = 0;
          await this.pagedMerge({});
          return;
        }
        toPage.push(...parents);
        break;
      }
      const last = level >= geometry.widths.length - 1;
      const bisect: IntegerRange[] = [];
      for (const bucket of mismatched) {
        const range = bucketRange(geometry, level, bucket.bucket);
        const small = bucket.baseline.rows <= this.check.fetch_rows && bucket.candidate.rows <= this.check.fetch_rows;
        if (small) toFetch.push(range);
        else if (last) toPage.push(range);
        else bisect.push(range);
      }
      if (bisect.length === 0) break;
      this.progress.bisections += bisect.length;
      const [childA, childB] = await this.both((side) => this.levelChecksums(side, geometry, level + 1, bisect));
      mismatched = mismatchedBuckets(childA, childB);
      parents = bisect;
      considered = bisect.length * Number((geometry.widths[level] ?? 1n) / (geometry.widths[level + 1] ?? 1n));
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

type TableCheck = TableOptions & { name: string; baseline: string; candidate: string };

export const tableKind: CheckKind<TableOptions> = {
  kind: 'table',
  description: 'whole tables compared by key: in-database checksums over key ranges, differing keys named exactly',
  dimension: 'data',
  schema,

  references(check, root): CheckProblem[] {
    const problems = databaseReferences(root, check.database, [check.baseline, check.candidate]);
    for (const side of Object.keys(check.table_per_side)) {
      if (side !== check.baseline && side !== check.candidate) {
        problems.push({ path: ['table_per_side', side], message: `"${side}" is neither the baseline nor the candidate of this check` });
      }
    }
    check.key.forEach((key, index) => {
      if (check.ignore_columns.includes(key)) problems.push({ path: ['key', index], message: `key column "${key}" cannot be ignored` });
    });
    if (new Set(check.key).size !== check.key.length) problems.push({ path: ['key'], message: 'key columns must be distinct' });
    return problems;
  },

  async run(check, context): Promise<CheckResult> {
    const started = performance.now();
    const full: TableCheck = check;
    const wantMd5 = check.hash === 'auto';
    const [infoA, infoB] = await Promise.all([
      describeSide(context, full, check.baseline, wantMd5),
      describeSide(context, full, check.candidate, wantMd5),
    ]);
    const plan = planColumns(full, infoA, infoB);
    const hash = chooseHash(full, infoA, infoB, plan);
    const cutoff = check.filter ? utcText(new Date(Date.now() - check.filter.min_age)) : undefined;
    const makeSide = (role: Role, info: SideInfo): Side => ({
      role,
      info,
      db: context.database(info.side, check.database),
      sql: sideSql(info, plan, hash, cutoff, check.filter?.column),
      clock: new BusyClock(),
    });
    const baseline = makeSide('baseline', infoA);
    const candidate = makeSide('candidate', infoB);
    await Promise.all([checkUniqueKey(baseline, plan.keyNames), checkUniqueKey(candidate, plan.keyNames)]);

    const comparison = new Comparison(full, context, baseline, candidate, plan, check.max_examples ?? context.defaults.max_examples);
    try {
      if (comparison.progress.strategy === 'integer-buckets') await comparison.compareIntegerKeys();
      else await comparison.compareByQuantiles();
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        const info = error.side === 'baseline' ? infoA : infoB;
        throw new SampleError('config', `key (${plan.keyNames.join(', ')}) is not unique in table "${info.tableText}" on side "${info.side}": ${JSON.stringify(error.key)} appears more than once`);
      }
      throw error;
    }

    const { counts, examples } = comparison.merge;
    const differences = comparison.merge.differences;
    const rows = comparison.rows;
    const ratio = differences / Math.max(1, rows.baseline, rows.candidate);
    const match = differences === 0;
    const pair = { check: check.name, baseline: check.baseline, candidate: check.candidate };
    const seconds = (ms: number) => ms / 1000;
    const summary = match
      ? `${rows.baseline} rows identical`
      : `${differences} of ${Math.max(rows.baseline, rows.candidate)} rows differ (missing ${counts.missing}, extra ${counts.extra}, changed ${counts.changed})`;
    const sideDetails = (side: Side, rowCount: number) => ({
      engine: side.info.engine,
      table: side.info.tableText,
      rows: rowCount,
      durationSeconds: seconds(side.clock.ms),
      statements: side.clock.statements,
    });
    return unlessNothingCompared({
      passed: match,
      summary,
      series: [
        sample('fidelity_table_match', pair, match ? 1 : 0),
        sample('fidelity_table_missing_rows', pair, counts.missing),
        sample('fidelity_table_extra_rows', pair, counts.extra),
        sample('fidelity_table_changed_rows', pair, counts.changed),
        sample('fidelity_table_difference_ratio', pair, ratio),
        sample('fidelity_table_rows', { check: check.name, side: check.baseline }, rows.baseline),
        sample('fidelity_table_rows', { check: check.name, side: check.candidate }, rows.candidate),
        sample('fidelity_table_duration_seconds', { check: check.name, side: check.baseline }, seconds(baseline.clock.ms)),
        sample('fidelity_table_duration_seconds', { check: check.name, side: check.candidate }, seconds(candidate.clock.ms)),
      ],
      scores: [{ dimension: 'data', candidate: check.candidate, value: Math.max(0, 1 - ratio) }],
      details: {
        database: check.database,
        key: plan.keyNames,
        columns: plan.valueNames,
        hash,
        strategy: comparison.progress.strategy,
        ...(cutoff ? { filter: { column: check.filter?.column, olderThan: cutoff } } : {}),
        sides: {
          [check.baseline]: sideDetails(baseline, rows.baseline),
          [check.candidate]: sideDetails(candidate, rows.candidate),
        },
        missingRows: counts.missing,
        extraRows: counts.extra,
        changedRows: counts.changed,
        differenceRatio: ratio,
        segments: comparison.progress,
        durationSeconds: seconds(performance.now() - started),
        examples,
      },
    }, rows.baseline === 0 && rows.candidate === 0 ? `table ${baseline.info.tableText} has no rows on either side${cutoff ? ' (after the filter)' : ''}: nothing compared` : undefined);
  },
};
