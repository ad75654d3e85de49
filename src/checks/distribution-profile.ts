import type { ValueClass } from '../core/columns.js';
import type { Family } from '../compare/distribution-columns.js';
import { strictEdges } from '../compare/distribution.js';
import type { ReadSession } from '../connectors/database.js';
import type { Dialect } from '../connectors/dialects/dialect.js';
import { categoriesOf } from './distribution-categories.js';
import { hasCategories, hasLengths, hasShapes, hasValues, relationOf, SideReader, sourceRows, type Binned } from './distribution-passes.js';
import type { ColumnProfile, ColumnShape, ProfileRequest, SideProfile } from './distribution-types.js';

/**
 * One side's profile of the `distribution` kind, computed in the database: only counts, moments
 * and quantiles cross the wire (docs/checks/distribution.md). Identifiers come from the
 * configuration and are quoted by the dialect; category values are bound as parameters.
 *
 * In one read-only session per side: (1) the column classes, (2) moments of every column in one
 * scan, (3) quantiles per numeric or length column, (4) the most frequent values per categorical
 * column; then, once the baseline's shape is known, (5) counts per bin of the baseline's edges and
 * the counts of the baseline's values; last, the distinct values of every column. A half of a
 * self-calibration run (`request.half`) profiles like the candidate, on the baseline's shapes.
 */

const SUMMARY = [0.01, 0.5, 0.99];

export function probabilities(bins: number): number[] {
  return [...Array.from({ length: bins + 1 }, (_, i) => i / bins), ...SUMMARY];
}

export function familyOf(valueClass: ValueClass, lengthsOnly: boolean): Family {
  if (lengthsOnly) return 'length';
  if (valueClass === 'integer' || valueClass === 'decimal' || valueClass === 'float') return 'numeric';
  if (valueClass === 'date' || valueClass === 'timestamp' || valueClass === 'time') return 'temporal';
  if (valueClass === 'boolean' || valueClass === 'uuid') return 'categorical';
  if (valueClass === 'text') return 'text';
  return 'length';
}

/** Enough rows for edges within about 0.002 of their share (the standard error of a quantile). */
const EDGE_ROWS = 100_000;

/**
 * The baseline's shape for the candidate: edges from its quantiles, its listed values. A text
 * column whose values are all listed has its lengths in its categories: no length profile.
 */
export function shapeOf(profile: ColumnProfile, bins: number, topValues: number, categoriesKnown = true): ColumnShape {
  const edges = strictEdges(profile.quantiles.slice(0, bins + 1).filter((value): value is number => value !== null));
  const complete = categoriesKnown && profile.top.length <= topValues;
  return {
    family: profile.family,
    valueEdges: hasValues(profile.family) ? edges : [],
    lengthEdges: hasLengths(profile.family) && !(profile.family === 'text' && complete) ? edges : [],
    values: profile.top.slice(0, topValues).map((entry) => entry.value),
    complete,
    shapes: profile.shapes.slice(0, topValues).map((entry) => entry.value),
    shapesComplete: categoriesKnown && profile.shapes.length <= topValues,
  };
}

/**
 * What the baseline hands the candidate: its edges first (the shapes before any category is
 * known: every text column with its length edges), then its final shapes.
 */
export class ShapeExchange {
  private readonly edgesReady = deferred<Map<string, ColumnShape>>();
  private readonly shapesReady = deferred<Map<string, ColumnShape>>();

  publishEdges(shapes: Map<string, ColumnShape>): void {
    this.edgesReady.resolve(shapes);
  }

  publishShapes(shapes: Map<string, ColumnShape>): void {
    this.edgesReady.resolve(shapes);
    this.shapesReady.resolve(shapes);
  }

  /** The baseline failed: the candidate stops waiting. */
  fail(error: unknown): void {
    this.edgesReady.reject(error);
    this.shapesReady.reject(error);
  }

  edges(): Promise<Map<string, ColumnShape>> {
    return this.edgesReady.promise;
  }

  shapes(): Promise<Map<string, ColumnShape>> {
    return this.shapesReady.promise;
  }
}

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Observed here too, so that a failed baseline never leaves an unhandled rejection behind.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const shapesOf = (profiles: ColumnProfile[], request: ProfileRequest, categoriesKnown = true) =>
  new Map(profiles.map((profile) => [profile.name.toLowerCase(), shapeOf(profile, request.bins, request.topValues, categoriesKnown)]));

/** What the numbers pass bins: every measure, on the shape's edges when the families agree. */
function binnedOf(profiles: ColumnProfile[], shapes: Map<string, ColumnShape>, reader: SideReader): Binned[] {
  return profiles
    .filter((profile) => reader.measureOf(profile))
    .map((profile) => {
      const shape = shapes.get(profile.name.toLowerCase());
      // A column whose family differs from the baseline's is reported, not binned.
      const usable = shape && shape.family === profile.family ? shape : null;
      return hasValues(profile.family)
        ? { profile, edges: usable?.valueEdges ?? [], target: 'valueBins' as const }
        : { profile, edges: usable?.lengthEdges ?? [], target: 'lengthBins' as const };
    });
}

/**
 * Profiles one side. The baseline publishes its edges and shapes on `exchange`; the candidate
 * waits for them there.
 */
export async function profileSide(
  session: ReadSession,
  dialect: Dialect,
  request: ProfileRequest,
  exchange: ShapeExchange,
  isBaseline: boolean,
): Promise<SideProfile> {
  const list = request.columns ? request.columns.map((column) => dialect.quote(column.name)).join(', ') : '*';
  const { columns } = await session.query(`SELECT ${list} FROM ${relationOf(dialect, request.source)} WHERE 1 = 0`);
  // A table's row estimate is cheap (its edges depend on it); a query's result is counted only to size a sample.
  const estimatedRows =
    'table' in request.source || (request.fraction === null && request.sampleRows !== null)
      ? await sourceRows(session, dialect, request.source)
      : null;
  let fraction = request.fraction ?? 1;
  if (request.fraction === null && request.sampleRows !== null)
    fraction = estimatedRows !== null && estimatedRows > request.sampleRows ? request.sampleRows / estimatedRows : 1;
  const edgeRows = request.edgeRows ?? EDGE_ROWS;
  // A large table's edges come from the cheap edge sample, also under a sample fraction (BERNOULLI
  // visits every row, a page sample does not), of no more rows than the profile reads.
  const edgeFraction = estimatedRows !== null && estimatedRows > edgeRows ? Math.min(fraction, edgeRows / estimatedRows) : 1;
  const lengthsOnly = new Set((request.columns ?? []).filter((column) => column.lengthsOnly).map((column) => column.name.toLowerCase()));
  const reader = new SideReader(session, dialect, request, fraction, columns);
  const profiles: ColumnProfile[] = columns.map((column) => ({
    name: column.name,
    valueClass: column.valueClass,
    family: familyOf(column.valueClass, lengthsOnly.has(column.name.toLowerCase())),
    nonNull: 0,
    distinct: 0,
    measure: null,
    quantiles: [],
    top: [],
    shapes: [],
    listedShapes: [],
    valueBins: { counts: [], sums: [] },
    lengthBins: { counts: [], sums: [] },
    listed: [],
  }));
  let rows: number;
  if (isBaseline) {
    await reader.quantiles(profiles, probabilities(request.bins), edgeFraction);
    exchange.publishEdges(shapesOf(profiles, request, false));
    await categoriesOf(reader, profiles, null, request);
    const shapes = shapesOf(profiles, request);
    exchange.publishShapes(shapes);
    rows = await reader.numbers(profiles, binnedOf(profiles, shapes, reader));
    for (const profile of profiles) {
      const shape = shapes.get(profile.name.toLowerCase());
      if (hasCategories(profile.family)) profile.listed = profile.top.slice(0, shape?.values.length ?? 0).map((entry) => entry.count);
      if (hasShapes(profile.family)) profile.listedShapes = profile.shapes.slice(0, shape?.shapes.length ?? 0).map((entry) => entry.count);
    }
  } else {
    // A half of a calibration bins on the baseline's edges: it needs no quantiles of its own.
    if (request.half === undefined) await reader.quantiles(profiles, probabilities(request.bins), edgeFraction);
    // A text column's lengths wait for the baseline's final shapes: most have every value listed, and then no lengths.
    const early = binnedOf(profiles, await exchange.edges(), reader);
    rows = await reader.numbers(
      profiles,
      early.filter((entry) => entry.profile.family !== 'text'),
    );
    const shapes = await exchange.shapes();
    await categoriesOf(reader, profiles, shapes, request);
    const lengths = binnedOf(
      profiles.filter((profile) => profile.family === 'text'),
      shapes,
      reader,
    ).filter((entry) => entry.edges.length > 0);
    if (lengths.length > 0) await reader.numbers([], lengths);
  }
  // After the baseline has published its edges: the candidate need not wait for this count.
  // Categories counted every value of theirs: their distinct counts are known.
  await reader.distinct(profiles.filter((profile) => !hasCategories(profile.family) && !reader.distinctCounted.has(profile)));
  for (const profile of profiles) {
    const [p1, p50, p99] = profile.quantiles.slice(request.bins + 1);
    if (profile.measure) Object.assign(profile.measure, { p1: p1 ?? null, p50: p50 ?? null, p99: p99 ?? null });
  }
  return { rows, fraction, edgeFraction, estimatedRows, columns: profiles };
}
