import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { canonicalize } from '../compare/canonical.js';
import { type Column } from '../core/columns.js';
import { builtinDetectorNames, createDetectors, detect, patternProblem, type Detector } from '../compare/detectors.js';
import { checkSchema } from '../config/schema.js';
import { identifier, positiveInt } from '../config/fields.js';
import type { RawRow } from '../connectors/database.js';
import type { ReadSession } from '../connectors/database.js';
import type { Dialect, SampleOutcome, SideColumn, TableName } from '../connectors/dialects/dialect.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckConfig, CheckKind, CheckProblem, KindResult, CommonCheck, SampleContext, KindOptions } from './check.js';
import { SampleError, toSampleError } from '../core/errors.js';
import { unlessNothingCompared } from './evidence.js';
import { databaseReferences } from './references.js';
import { parseTableName, sampleTable } from './sampling.js';

/**
 * `masking`: is the candidate's copy of personal data really anonymised?
 *
 * - Detectors (email, phone, card, iban, ip, token, user patterns) run here, in the exporter, on a
 *   bounded sample of candidate rows. Each value is scanned and dropped at once: only detector
 *   names, counts, column names and row keys are kept.
 * - Leaks: for columns declared `masked`, the candidate's value must differ from the baseline's
 *   value of the row with the same key. Both databases hash the value themselves (SHA-256 with a
 *   random salt drawn for this sample), so masked values never leave either database in clear.
 *
 * Nothing this kind returns, throws or logs contains a scanned value.
 */

export const LEAK_DETECTOR = 'leak';

const columnSchema = z.union([
  identifier,
  z.strictObject({
    name: identifier,
    /** Compare with the baseline by hash: equal to production means the masking did not apply. */
    masked: z.boolean().default(false),
    /** Run the detectors on the column's values. */
    detect: z.boolean().default(true),
  }),
]);

const schema = checkSchema('masking', {
  database: identifier,
  /** `table` or `schema.table`. */
  table: identifier,
  /** Columns that identify a row on both sides (the primary key); required for masked columns. */
  key: z.array(identifier).min(1).optional(),
  columns: z.array(columnSchema).min(1),
  detectors: z.array(z.enum(builtinDetectorNames)).default([...builtinDetectorNames]),
  /** Own detectors: name -> regular expression (JavaScript syntax, Unicode mode). */
  patterns: z.record(identifier, z.string().min(1)).default({}),
  /** Email domains whose addresses are not personal data (reserved domains such as example.com always are not). */
  allow_email_domains: z.array(z.string().min(1)).default([]),
  sample_rows: positiveInt.max(100_000).default(1000),
  max_examples: z.number().int().min(0).max(1000).optional(),
});

type MaskingOptions = KindOptions<typeof schema>;

interface ColumnSetting {
  name: string;
  masked: boolean;
  detect: boolean;
}

function columnSettings(check: MaskingOptions): ColumnSetting[] {
  return check.columns.map((column) => (typeof column === 'string' ? { name: column, masked: false, detect: true } : column));
}

/** What every check's examples policy takes from a masking check: masked columns and own patterns. */
export function maskingPrivacy(
  check: CommonCheck,
): { database: string; masked: string[]; patterns: Record<string, string>; allowedEmailDomains: string[] } | undefined {
  if (check.kind !== 'masking') return undefined;
  const options = check as CheckConfig<MaskingOptions>;
  return {
    database: options.database,
    masked: columnSettings(options)
      .filter((column) => column.masked)
      .map((column) => column.name),
    patterns: options.patterns,
    allowedEmailDomains: options.allow_email_domains,
  };
}

/**
 * Select list of key columns followed by hashes of masked columns, with the salt parameters it
 * needs. The hash is a salted SHA-256 of the value's text computed by the database (the dialect's
 * saltedHash): SHA-256 rather than MD5 because it is available on every engine and allowed where
 * FIPS mode disables MD5; NULL and empty values hash to NULL (not personal data, never leaks).
 */
function keyAndHashes(dialect: Dialect, key: string[], masked: SideColumn[], salt: string): { list: string[]; params: string[] } {
  const list = [
    ...key.map((column) => dialect.quote(column)),
    ...masked.map((column) => dialect.saltedHash(column, dialect.placeholder(1))),
  ];
  // A numbered parameter ($1) is bound once and reused; positional ones (?) once per hash.
  const params = dialect.reusableParameters ? (masked.length > 0 ? [salt] : []) : masked.map(() => salt);
  return { list, params };
}

/**
 * The masked columns as this side's engine types them (a zero-row read), so that each side hashes
 * the canonical text of its values and a boolean or timestamp hashes alike on every engine.
 */
async function maskedColumns(session: ReadSession, dialect: Dialect, table: TableName, masked: string[]): Promise<SideColumn[]> {
  if (masked.length === 0) return [];
  const list = masked.map((name) => dialect.quote(name)).join(', ');
  const { columns } = await session.query(`SELECT ${list} FROM ${dialect.quoteTable(table)} WHERE 1 = 0`);
  return masked.map((name, index) => ({
    name,
    valueClass: columns[index]?.valueClass ?? 'text',
    engineType: columns[index]?.engineType ?? '',
    collation: '',
  }));
}

/** `k IN ($2, $3)` or `(k1, k2) IN (($2, $3), ($4, $5))` for a batch of raw keys. */
function keyFilter(dialect: Dialect, key: string[], keys: RawRow[], firstParameter: number): { sql: string; params: (string | null)[] } {
  let index = firstParameter;
  const tuple = (values: RawRow) => values.map(() => dialect.placeholder(index++));
  const columns = key.map((column) => dialect.quote(column));
  const tuples = keys.map((values) => (key.length === 1 ? tuple(values)[0] : `(${tuple(values).join(', ')})`));
  const left = key.length === 1 ? columns[0] : `(${columns.join(', ')})`;
  return { sql: `${left} IN (${tuples.join(', ')})`, params: keys.flat() };
}

function canonicalKey(values: RawRow, columns: Column[]): string {
  return JSON.stringify(values.map((value, index) => canonicalize(columns[index]?.valueClass ?? 'text', value)));
}

interface Offending {
  column: string;
  detector: string;
  key?: Record<string, string | null>;
}

const LOOKUP_BATCH = 500;

/**
 * Server error messages quote what they choke on: identifiers, but sometimes a value
 * (`invalid input syntax for type bigint: "..."`). Quoted text other than the check's own
 * identifiers is replaced, so that a failing sample cannot carry a scanned value to the API or log.
 */
export function scrubMessage(message: string, identifiers: ReadonlySet<string>): string {
  return message.replace(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g, (quoted, double?: string, single?: string) =>
    identifiers.has(double ?? single ?? '') ? quoted : '"<value>"',
  );
}

export const maskingKind: CheckKind<MaskingOptions> = {
  kind: 'masking',
  description: 'personal data detectors over a sample of candidate columns, and masked values equal to production (by in-database hash)',
  dimension: 'privacy',
  schema,

  references(check, root): CheckProblem[] {
    const problems = databaseReferences(root, check.database, [check.baseline, check.candidate]);
    const columns = columnSettings(check);
    const seen = new Set<string>();
    columns.forEach((column, index) => {
      if (seen.has(column.name)) problems.push({ path: ['columns', index], message: `column "${column.name}" is listed twice` });
      seen.add(column.name);
      if (column.masked && check.key?.includes(column.name)) {
        problems.push({ path: ['columns', index], message: `a masked column cannot be part of key (rows are paired by key in clear)` });
      }
      if (!column.masked && !column.detect)
        problems.push({ path: ['columns', index], message: 'neither masked nor detect: the column would not be checked' });
    });
    if (columns.some((column) => column.masked) && !check.key) {
      problems.push({ path: ['key'], message: 'is required when a column is masked (rows are paired with the baseline by key)' });
    }
    for (const [name, source] of Object.entries(check.patterns)) {
      if ((builtinDetectorNames as readonly string[]).includes(name) || name === LEAK_DETECTOR) {
        problems.push({ path: ['patterns', name], message: `"${name}" is the name of a built-in detector` });
      }
      const problem = patternProblem(source);
      if (problem) problems.push({ path: ['patterns', name], message: problem });
    }
    return problems;
  },

  async run(check, context: SampleContext): Promise<KindResult> {
    try {
      const result = await sampleAndCompare(check, context);
      const sampled = (result.details.sampling as { sampledRows?: number } | undefined)?.sampledRows;
      return unlessNothingCompared(
        result,
        sampled === 0 ? `the ${check.candidate} sample of ${check.table} has no rows: nothing was inspected` : undefined,
      );
    } catch (error) {
      const failure = toSampleError(error);
      const identifiers = new Set([
        check.table,
        ...check.table.split('.'),
        ...(check.key ?? []),
        ...columnSettings(check).map((column) => column.name),
      ]);
      throw new SampleError(failure.reason, scrubMessage(failure.message, identifiers));
    }
  },
};

/** What one sample looks for, worked out from the check before any database is read. */
interface MaskingPlan {
  columns: ColumnSetting[];
  key: string[];
  scanned: string[];
  masked: string[];
  detectors: Detector[];
  detectorNames: string[];
  showKeys: boolean;
  salt: string;
  table: TableName;
}

function planSample(check: CheckConfig<MaskingOptions>): MaskingPlan {
  const columns = columnSettings(check);
  const key = check.key ?? [];
  const scanned = columns.filter((column) => column.detect).map((column) => column.name);
  const masked = columns.filter((column) => column.masked).map((column) => column.name);
  // Without scanned columns no detector runs, and none reports a (meaningless) zero.
  const detectors =
    scanned.length === 0
      ? []
      : createDetectors({ builtins: check.detectors, patterns: check.patterns, allowedEmailDomains: check.allow_email_domains });
  const detectorNames = [...detectors.map((detector) => detector.name), ...(masked.length > 0 ? [LEAK_DETECTOR] : [])];
  // A key column that is also scanned could be the very value a detector flagged: then keys are not shown.
  const showKeys = key.length > 0 && !key.some((column) => scanned.includes(column));
  const salt = randomBytes(16).toString('hex');
  return { columns, key, scanned, masked, detectors, detectorNames, showKeys, salt, table: parseTableName(check.table) };
}

/** Violations counted per detector and per column, and the first rows that had one (keys only). */
interface Tally {
  counts: Map<string, number>;
  byColumn: Map<string, Map<string, number>>;
  offending: Offending[];
  record: (column: string, detector: string, keyValues: RawRow) => void;
}

function createTally(plan: MaskingPlan, maxExamples: number): Tally {
  const { key, showKeys } = plan;
  const counts = new Map<string, number>(plan.detectorNames.map((name) => [name, 0]));
  const byColumn = new Map<string, Map<string, number>>(plan.columns.map((column) => [column.name, new Map()]));
  const offending: Offending[] = [];
  const record = (column: string, detector: string, keyValues: RawRow) => {
    counts.set(detector, (counts.get(detector) ?? 0) + 1);
    const perColumn = byColumn.get(column);
    perColumn?.set(detector, (perColumn.get(detector) ?? 0) + 1);
    if (offending.length < maxExamples) {
      offending.push({
        column,
        detector,
        ...(showKeys ? { key: Object.fromEntries(key.map((name, index) => [name, keyValues[index] ?? null])) } : {}),
      });
    }
  };
  return { counts, byColumn, offending, record };
}

/** A candidate row's key and the salted hashes of its masked columns, to be paired with the baseline. */
type HashesByKey = Map<string, { keyValues: RawRow; hashes: Array<string | null> }>;

async function sampleAndCompare(check: CheckConfig<MaskingOptions>, context: SampleContext): Promise<KindResult> {
  const plan = planSample(check);
  const tally = createTally(plan, check.max_examples ?? context.defaults.max_examples);
  const { outcome, hashesByKey } = await scanCandidate(check, context, plan, tally);
  const pairedRows = plan.masked.length > 0 && hashesByKey.size > 0 ? await findLeaks(check, context, plan, hashesByKey, tally) : 0;
  return maskingResult(check, plan, tally, outcome, pairedRows);
}

/** 1. Candidate sample: keys, scanned values (dropped right after the detectors ran), masked hashes. */
async function scanCandidate(
  check: CheckConfig<MaskingOptions>,
  context: SampleContext,
  plan: MaskingPlan,
  tally: Tally,
): Promise<{ outcome: SampleOutcome; hashesByKey: HashesByKey }> {
  const { key, scanned, masked, detectors, salt, table } = plan;
  const candidate = context.database(check.candidate, check.database);
  const hashesByKey: HashesByKey = new Map();
  const hashStart = key.length;
  const scanStart = key.length + masked.length;
  const outcome = await candidate.readOnly(async (session) => {
    const candidateSelect = keyAndHashes(candidate.dialect, key, await maskedColumns(session, candidate.dialect, table, masked), salt);
    const selectList = [...candidateSelect.list, ...scanned.map((column) => candidate.dialect.quote(column))];
    return sampleTable(
      session,
      candidate.dialect,
      table,
      { list: selectList.join(', '), params: candidateSelect.params },
      check.sample_rows,
      (row, rowColumns) => {
        const keyValues = row.slice(0, key.length);
        scanned.forEach((column, index) => {
          const value = row[scanStart + index];
          if (value === null || value === undefined || value === '') return;
          for (const detector of detect(value, detectors)) tally.record(column, detector, keyValues);
        });
        if (masked.length > 0 && keyValues.every((value) => value !== null)) {
          hashesByKey.set(canonicalKey(keyValues, rowColumns.slice(0, key.length)), { keyValues, hashes: row.slice(hashStart, scanStart) });
        }
      },
    );
  });
  return { outcome, hashesByKey };
}

/** 2. Baseline: the same rows by key, the same salted hashes, compared here. Returns how many rows were paired. */
async function findLeaks(
  check: CheckConfig<MaskingOptions>,
  context: SampleContext,
  plan: MaskingPlan,
  hashesByKey: HashesByKey,
  tally: Tally,
): Promise<number> {
  const { key, masked, salt, table } = plan;
  let pairedRows = 0;
  const baseline = context.database(check.baseline, check.database);
  const from = baseline.dialect.quoteTable(table);
  const entries = [...hashesByKey.values()];
  await baseline.readOnly(async (session) => {
    const baselineSelect = keyAndHashes(baseline.dialect, key, await maskedColumns(session, baseline.dialect, table, masked), salt);
    for (let start = 0; start < entries.length; start += LOOKUP_BATCH) {
      const batch = entries.slice(start, start + LOOKUP_BATCH);
      const filter = keyFilter(
        baseline.dialect,
        key,
        batch.map((entry) => entry.keyValues),
        baselineSelect.params.length + 1,
      );
      const { rows, columns: rowColumns } = await session.query(
        `SELECT ${baselineSelect.list.join(', ')} FROM ${from} WHERE ${filter.sql}`,
        [...baselineSelect.params, ...filter.params],
      );
      for (const row of rows) {
        const entry = hashesByKey.get(canonicalKey(row.slice(0, key.length), rowColumns.slice(0, key.length)));
        if (!entry) continue;
        pairedRows += 1;
        masked.forEach((column, index) => {
          const mine = entry.hashes[index];
          if (mine !== null && mine !== undefined && mine === row[key.length + index]) tally.record(column, LEAK_DETECTOR, entry.keyValues);
        });
      }
    }
  });
  return pairedRows;
}

function maskingResult(
  check: CheckConfig<MaskingOptions>,
  plan: MaskingPlan,
  { counts, byColumn, offending }: Tally,
  outcome: SampleOutcome,
  pairedRows: number,
): KindResult {
  const { masked, detectorNames } = plan;
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const found = [...counts].filter(([, count]) => count > 0).map(([name, count]) => `${name} ${count}`);
  const rows = outcome.rows;
  return {
    passed: total === 0,
    summary:
      total === 0
        ? `no personal data found in ${rows} sampled rows${masked.length > 0 ? `; no masked value equals ${check.baseline}'s (${pairedRows} rows paired)` : ''}`
        : `${total} violations in ${rows} sampled rows: ${found.join(', ')}`,
    series: [
      ...detectorNames.map((detector) => sample('fidelity_masking_violations', { check: check.name, detector }, counts.get(detector) ?? 0)),
      sample('fidelity_masking_sampled_rows', { check: check.name }, rows),
    ],
    // Any unmasked personal data is serious: the check scores 0 whatever the count.
    scores: [{ candidate: check.candidate, value: total === 0 ? 1 : 0 }],
    // Flagged columns are sensitive in every check's examples from now on.
    personalColumns: {
      database: check.database,
      columns: [...byColumn].filter(([, perColumn]) => [...perColumn.values()].some((count) => count > 0)).map(([column]) => column),
    },
    details: {
      database: check.database,
      table: check.table,
      side: check.candidate,
      sampling: { method: outcome.method, estimatedRows: outcome.estimatedRows, sampledRows: rows },
      pairedRows,
      hash: 'sha256 with a per-sample random salt, computed in the database',
      violations: Object.fromEntries(counts),
      columns: plan.columns.map((column) => ({
        column: column.name,
        masked: column.masked,
        detect: column.detect,
        violations: Object.fromEntries(byColumn.get(column.name) ?? []),
      })),
      keysShown: plan.showKeys,
      offendingRows: offending,
    },
  };
}
