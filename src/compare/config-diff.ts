import { runToEnd, type Steps } from './slices.js';
import {
  EMPTY_ARRAY,
  EMPTY_OBJECT,
  elementSegments,
  equivalent,
  exactMatcher,
  isPlainObject,
  keySegment,
  scalarOf,
  subtreeMatcher,
  TooManyKeysError,
  typeOf,
  type Equivalence,
  type FlatConfig,
  type Scalar,
} from './tree.js';

/**
 * The difference between two flattened configurations, judged against the check's rules.
 *
 * Changes are named from the candidate's point of view: `added` = only in the candidate,
 * `removed` = only in the baseline, `changed` = both, other value, `type_changed` = both, other
 * type (`"100"` vs `100`). Each difference is then `approved` (a matching approval that has not
 * expired), `expired` (only expired approvals match: it counts as drift again) or `unapproved`.
 * Ignored paths are left out entirely, also from the count of compared keys.
 */

export const changes = ['added', 'removed', 'changed', 'type_changed'] as const;
export type Change = (typeof changes)[number];
export const statuses = ['unapproved', 'approved', 'expired'] as const;
export type Status = (typeof statuses)[number];

export interface Difference {
  path: string;
  change: Change;
  baseline?: Scalar;
  candidate?: Scalar;
}

export interface RawDiff {
  differences: Difference[];
  /** Keys present on at least one side and not ignored. */
  compared: number;
  /** Keys whose values differ in spelling but are equal under an equivalence. */
  equivalent: number;
  ignored: number;
}

export interface DiffOptions {
  ignore?: readonly string[];
  equivalences?: readonly Equivalence[];
}

const CHECKPOINT = 4096;

function compareValues(path: string, a: Scalar, b: Scalar, equivalences: ReadonlySet<Equivalence>): Difference | 'same' | 'equivalent' {
  if (a === b) return 'same';
  if (equivalences.size > 0 && equivalent(a, b, equivalences)) return 'equivalent';
  const change: Change = typeOf(a) === typeOf(b) ? 'changed' : 'type_changed';
  return { path, change, baseline: a, candidate: b };
}

/** One pass over each side's keys: O(n) map lookups, whatever the nesting of the documents. */
export function* diffSteps(baseline: FlatConfig, candidate: FlatConfig, options: DiffOptions = {}): Steps<RawDiff> {
  const ignored = subtreeMatcher(options.ignore ?? []);
  const hasIgnore = (options.ignore ?? []).length > 0;
  const equivalences = new Set(options.equivalences ?? []);
  const differences: Difference[] = [];
  let compared = 0;
  let equivalentCount = 0;
  let ignoredCount = 0;
  let visited = 0;
  for (const [path, value] of baseline) {
    if (++visited % CHECKPOINT === 0) yield;
    if (hasIgnore && ignored(path)) {
      ignoredCount += 1;
      continue;
    }
    compared += 1;
    if (!candidate.has(path)) {
      differences.push({ path, change: 'removed', baseline: value });
      continue;
    }
    const outcome = compareValues(path, value, candidate.get(path) as Scalar, equivalences);
    if (outcome === 'equivalent') equivalentCount += 1;
    else if (outcome !== 'same') differences.push(outcome);
  }
  for (const [path, value] of candidate) {
    if (++visited % CHECKPOINT === 0) yield;
    if (baseline.has(path)) continue;
    if (hasIgnore && ignored(path)) {
      ignoredCount += 1;
      continue;
    }
    compared += 1;
    differences.push({ path, change: 'added', candidate: value });
  }
  differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { differences, compared, equivalent: equivalentCount, ignored: ignoredCount };
}

export function diffConfigs(baseline: FlatConfig, candidate: FlatConfig, options: DiffOptions = {}): RawDiff {
  return runToEnd(diffSteps(baseline, candidate, options));
}

export interface TreeDiffOptions extends DiffOptions {
  /** Arrays whose path matches the glob are paired by this field of their elements, not by position. */
  keyedArrays?: ReadonlyArray<{ path: string; key: string }>;
  /** Fail when a document has more leaves than this. */
  maxKeys?: number;
}

export interface TreeDiff extends RawDiff {
  /** Leaves of each document (the size of its flattened form). */
  baselineKeys: number;
  candidateKeys: number;
  /** Keyed-array rules that could not be applied (missing or duplicate keys): positions were used. */
  warnings: { baseline: string[]; candidate: string[] };
}

const ABSENT: unique symbol = Symbol('absent');
type Side = unknown;

const enum Shape {
  Absent,
  Leaf,
  Object,
  Array,
}

function shapeOf(value: Side): Shape {
  if (value === ABSENT) return Shape.Absent;
  if (Array.isArray(value)) return value.length > 0 ? Shape.Array : Shape.Leaf;
  if (isPlainObject(value)) {
    for (const key in value) if (Object.hasOwn(value, key)) return Shape.Object;
    return Shape.Leaf;
  }
  return Shape.Leaf;
}

function leafOf(value: Side): Scalar {
  if (Array.isArray(value)) return EMPTY_ARRAY;
  if (isPlainObject(value)) return EMPTY_OBJECT;
  return scalarOf(value);
}

/**
 * The same result as flattening both documents and diffing the flat maps (same paths, same
 * changes), computed by walking both trees together: no map of every key is built, which makes
 * it several times faster on large documents. Yields every few thousand nodes.
 */
export function* diffTreesSteps(baseline: unknown, candidate: unknown, options: TreeDiffOptions = {}): Steps<TreeDiff> {
  const walk = new TreeWalk(baseline, candidate, options);
  let visited = 0;
  while (walk.pending()) {
    if (++visited % CHECKPOINT === 0) yield;
    walk.step();
  }
  return walk.result();
}

/** The state of one walk over two trees: the pairs still to visit, and what was found so far. */
class TreeWalk {
  private readonly hasIgnore: boolean;
  private readonly ignoredPath: (path: string) => boolean;
  private readonly equivalences: ReadonlySet<Equivalence>;
  private readonly maxKeys: number;
  private readonly rules: Array<{ matches: (path: string) => boolean; key: string }>;
  private readonly warnings = { baseline: [] as string[], candidate: [] as string[] };
  private readonly differences: Difference[] = [];
  private compared = 0;
  private equivalentCount = 0;
  private ignoredCount = 0;
  private baselineKeys = 0;
  private candidateKeys = 0;
  // Parallel stacks instead of recursion (deep documents) and instead of frame objects (speed).
  private readonly stackA: Side[];
  private readonly stackB: Side[];
  private readonly stackPath: string[] = [''];
  private readonly stackIgnored: boolean[] = [false];

  constructor(baseline: unknown, candidate: unknown, options: TreeDiffOptions) {
    this.hasIgnore = (options.ignore ?? []).length > 0;
    this.ignoredPath = subtreeMatcher(options.ignore ?? []);
    this.equivalences = new Set(options.equivalences ?? []);
    this.maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
    this.rules = (options.keyedArrays ?? []).map((rule) => ({ matches: exactMatcher([rule.path]), key: rule.key }));
    this.stackA = [baseline];
    this.stackB = [candidate];
  }

  pending(): boolean {
    return this.stackA.length > 0;
  }

  /** Visits one pair of nodes: containers push their children, leaves are counted and compared. */
  step(): void {
    const a = this.stackA.pop();
    const b = this.stackB.pop();
    const path = this.stackPath.pop() as string;
    let ignored = this.stackIgnored.pop() as boolean;
    if (!ignored && this.hasIgnore && this.ignoredPath(path === '' ? '$' : path)) ignored = true;
    const shapeA = shapeOf(a);
    const shapeB = shapeOf(b);
    if (shapeA === Shape.Object && shapeB === Shape.Object) {
      this.pushObjects(a as Record<string, unknown>, b as Record<string, unknown>, path, ignored);
      return;
    }
    if (shapeA === Shape.Array && shapeB === Shape.Array) {
      this.pushArrays(a as unknown[], b as unknown[], path, ignored);
      return;
    }
    // Different shapes (or leaves): each container is expanded on its own, leaves are compared.
    if (shapeA === Shape.Object) this.pushObject(a as Record<string, unknown>, ABSENT, path, ignored, false);
    else if (shapeA === Shape.Array) this.pushArrayAlone(a as unknown[], path, ignored, true);
    if (shapeB === Shape.Object) this.pushObject(b as Record<string, unknown>, ABSENT, path, ignored, true);
    else if (shapeB === Shape.Array) this.pushArrayAlone(b as unknown[], path, ignored, false);
    this.compareLeaves(shapeA === Shape.Leaf ? leafOf(a) : ABSENT, shapeB === Shape.Leaf ? leafOf(b) : ABSENT, path, ignored);
  }

  result(): TreeDiff {
    const { differences, compared, equivalentCount, ignoredCount, baselineKeys, candidateKeys, warnings } = this;
    differences.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    return { differences, compared, equivalent: equivalentCount, ignored: ignoredCount, baselineKeys, candidateKeys, warnings };
  }

  private keyFor(path: string): string | undefined {
    return this.rules.length > 0 ? this.rules.find((rule) => rule.matches(path))?.key : undefined;
  }

  private push(a: Side, b: Side, path: string, ignored: boolean): void {
    this.stackA.push(a);
    this.stackB.push(b);
    this.stackPath.push(path);
    this.stackIgnored.push(ignored);
  }

  private pushObject(object: Record<string, unknown>, other: Side, path: string, ignored: boolean, otherFirst: boolean): void {
    const otherObject = other !== ABSENT && isPlainObject(other) ? other : undefined;
    for (const key of Object.keys(object)) {
      const partner = otherObject && Object.hasOwn(otherObject, key) ? otherObject[key] : ABSENT;
      if (otherFirst) this.push(partner, object[key], path + keySegment(key, path === ''), ignored);
      else this.push(object[key], partner, path + keySegment(key, path === ''), ignored);
    }
  }

  private pushObjects(objectA: Record<string, unknown>, objectB: Record<string, unknown>, path: string, ignored: boolean): void {
    this.pushObject(objectA, objectB, path, ignored, false);
    for (const key of Object.keys(objectB)) {
      if (!Object.hasOwn(objectA, key)) this.push(ABSENT, objectB[key], path + keySegment(key, path === ''), ignored);
    }
  }

  private pushArrayAlone(array: readonly unknown[], path: string, ignored: boolean, isBaseline: boolean): void {
    const segments = elementSegments(array, path, this.keyFor(path), isBaseline ? this.warnings.baseline : this.warnings.candidate);
    for (let i = 0; i < array.length; i += 1) {
      if (isBaseline) this.push(array[i], ABSENT, path + segments[i], ignored);
      else this.push(ABSENT, array[i], path + segments[i], ignored);
    }
  }

  /** Elements paired by the keyed-array rule's field when it applies cleanly to both sides, else by position. */
  private pushArrays(arrayA: unknown[], arrayB: unknown[], path: string, ignored: boolean): void {
    const { warnings } = this;
    const key = this.keyFor(path);
    const before = warnings.baseline.length + warnings.candidate.length;
    const segmentsA = elementSegments(arrayA, path, key, warnings.baseline);
    const segmentsB = elementSegments(arrayB, path, key, warnings.candidate);
    if (key !== undefined && warnings.baseline.length + warnings.candidate.length === before) {
      const indexB = new Map(segmentsB.map((segment, index) => [segment, index]));
      for (let i = 0; i < arrayA.length; i += 1) {
        const segment = segmentsA[i] as string;
        const j = indexB.get(segment);
        this.push(arrayA[i], j === undefined ? ABSENT : arrayB[j], path + segment, ignored);
        indexB.delete(segment);
      }
      for (const [segment, j] of indexB) this.push(ABSENT, arrayB[j], path + segment, ignored);
    } else {
      for (let i = 0; i < Math.max(arrayA.length, arrayB.length); i += 1) {
        this.push(i < arrayA.length ? arrayA[i] : ABSENT, i < arrayB.length ? arrayB[i] : ABSENT, `${path}[${i}]`, ignored);
      }
    }
  }

  private compareLeaves(leafA: Scalar | typeof ABSENT, leafB: Scalar | typeof ABSENT, path: string, ignored: boolean): void {
    if (leafA === ABSENT && leafB === ABSENT) return;
    if (leafA !== ABSENT && ++this.baselineKeys > this.maxKeys) throw new TooManyKeysError(this.maxKeys, 'baseline');
    if (leafB !== ABSENT && ++this.candidateKeys > this.maxKeys) throw new TooManyKeysError(this.maxKeys, 'candidate');
    if (ignored) {
      this.ignoredCount += 1;
      return;
    }
    this.compared += 1;
    const leafPath = path === '' ? '$' : path;
    if (leafB === ABSENT) this.differences.push({ path: leafPath, change: 'removed', baseline: leafA as Scalar });
    else if (leafA === ABSENT) this.differences.push({ path: leafPath, change: 'added', candidate: leafB });
    else {
      const outcome = compareValues(leafPath, leafA, leafB, this.equivalences);
      if (outcome === 'equivalent') this.equivalentCount += 1;
      else if (outcome !== 'same') this.differences.push(outcome);
    }
  }
}

export function diffTrees(baseline: unknown, candidate: unknown, options: TreeDiffOptions = {}): TreeDiff {
  return runToEnd(diffTreesSteps(baseline, candidate, options));
}

export interface Approval {
  /** A path glob (same syntax as `ignore`); it covers the subtree below it. */
  key: string;
  reason: string;
  owner: string;
  /** Unix ms after which the approval no longer holds. */
  expiresAt?: number;
  /** Only this kind of change is approved; any kind when absent. */
  change?: Change;
}

export interface JudgedDifference extends Difference {
  status: Status;
  /** The approval that decided the status (the live one, else the latest expired one). */
  approval?: Approval;
}

export interface Judgement {
  differences: JudgedDifference[];
  counts: Record<Change, Record<Status, number>>;
  /** Unapproved + expired: the configuration drift index. */
  driftIndex: number;
  approved: number;
  /** Approvals that match no current difference (candidates for removal). */
  unusedApprovals: Approval[];
}

export function emptyCounts(): Record<Change, Record<Status, number>> {
  return Object.fromEntries(changes.map((change) => [change, { unapproved: 0, approved: 0, expired: 0 }])) as Record<
    Change,
    Record<Status, number>
  >;
}

export function judge(differences: readonly Difference[], approvals: readonly Approval[], now: number): Judgement {
  const matchers = approvals.map((approval) => ({ approval, matches: subtreeMatcher([approval.key]), used: false }));
  const counts = emptyCounts();
  const judged = differences.map((difference): JudgedDifference => {
    let live: Approval | undefined;
    let expired: Approval | undefined;
    for (const matcher of matchers) {
      if (matcher.approval.change !== undefined && matcher.approval.change !== difference.change) continue;
      if (!matcher.matches(difference.path)) continue;
      matcher.used = true;
      const { expiresAt } = matcher.approval;
      if (expiresAt === undefined || expiresAt > now) live ??= matcher.approval;
      else if (!expired || (expired.expiresAt ?? 0) < expiresAt) expired = matcher.approval;
    }
    const status: Status = live ? 'approved' : expired ? 'expired' : 'unapproved';
    counts[difference.change][status] += 1;
    const approval = live ?? expired;
    return approval ? { ...difference, status, approval } : { ...difference, status };
  });
  const approved = judged.filter((d) => d.status === 'approved').length;
  return {
    differences: judged,
    counts,
    driftIndex: judged.length - approved,
    approved,
    unusedApprovals: matchers.filter((m) => !m.used).map((m) => m.approval),
  };
}

/**
 * When each difference was first seen, keyed by path and change (never by value: values may be
 * secrets, and a value that moves on while staying different is the same drift). Entries of
 * differences that are gone are dropped, so a drift that comes back starts a new age.
 */
export function differenceId(difference: Pick<Difference, 'path' | 'change'>): string {
  return `${difference.change} ${difference.path}`;
}

export function updateFirstSeen(
  previous: ReadonlyMap<string, number>,
  differences: readonly Difference[],
  now: number,
): Map<string, number> {
  const next = new Map<string, number>();
  for (const difference of differences) {
    const id = differenceId(difference);
    next.set(id, previous.get(id) ?? now);
  }
  return next;
}
