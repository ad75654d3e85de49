import { z } from 'zod';
import {
  changes,
  diffTreesSteps,
  differenceId,
  judge,
  updateFirstSeen,
  type Approval,
  type JudgedDifference,
  type Judgement,
  type TreeDiff,
} from '../compare/config-diff.js';
import { Redactor } from '../compare/redact.js';
import { runSliced } from '../compare/slices.js';
import { displayValue, equivalenceNames, TooManyKeysError, typeOf, type Scalar } from '../compare/tree.js';
import type { ConfigSourceConfig } from '../config/config-sources.js';
import { identifier, positiveInt } from '../config/fields.js';
import { checkSchema } from '../config/schema.js';
import { readConfigSource, type SourceDocument } from '../connectors/sources.js';
import { sample, type MetricSample } from '../metrics/catalogue.js';
import type { CheckConfig, CheckKind, CheckProblem, KindResult, SampleContext, KindOptions } from './check.js';
import { readFirstSeen, writeFirstSeen } from './config-state.js';
import { SampleError } from '../core/errors.js';
import { didYouMean } from '../config/suggest.js';
import { environmentsPhrase } from './references.js';

/** `config`: one configuration source read on both sides, flattened and diffed key by key. */

/** `2026-12-31` holds through that day (UTC); a full ISO 8601 time holds until that instant. */
const expiry = z.union([z.string(), z.date()]).transform((value, ctx) => {
  if (value instanceof Date) return value.getTime();
  const text = value.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = dateOnly ? Date.parse(`${text}T00:00:00Z`) + 86_400_000 : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `invalid date "${text}" (YYYY-MM-DD or an ISO 8601 time such as 2026-12-31T18:00:00Z)` });
    return z.NEVER;
  }
  return ms;
});

const approval = z.strictObject({
  key: z.string().min(1),
  reason: z.string().min(1),
  owner: z.string().min(1),
  expires: expiry.optional(),
  change: z.enum(changes).optional(),
});

const schema = checkSchema('config', {
  source: identifier,
  /** Side name -> source name used on that side instead of `source`. */
  source_per_side: z.record(identifier, identifier).default({}),
  /** Path glob of an array -> field that identifies its elements (so order does not matter). */
  keyed_arrays: z.record(z.string().min(1), z.string().min(1)).default({}),
  ignore: z.array(z.string().min(1)).default([]),
  approved: z.array(approval).default([]),
  max_approved: z.number().int().min(0).optional(),
  equivalences: z.array(z.enum(equivalenceNames)).default([]),
  secret_keys: z.array(z.string().min(1)).default([]),
  secret_paths: z.array(z.string().min(1)).default([]),
  public_paths: z.array(z.string().min(1)).default([]),
  max_keys: positiveInt.default(200_000),
  max_differences: z.number().int().min(0).max(10_000).default(100),
  state_file: z.string().min(1).optional(),
});

type ConfigOptions = KindOptions<typeof schema>;

const FIRST_SEEN = 'config.firstSeen';
const MAX_SHOWN_CHARS = 200;

function sourceName(check: ConfigOptions, side: string): string {
  return check.source_per_side[side] ?? check.source;
}

function sourceOf(context: SampleContext, check: ConfigOptions, side: string): ConfigSourceConfig {
  const name = sourceName(check, side);
  const source = context.environment(side).configs[name];
  if (!source) throw new SampleError('config', `config source "${name}" is not defined in environment "${side}"`);
  return source;
}

async function readSide(context: SampleContext, check: ConfigOptions, side: string) {
  const source = sourceOf(context, check, side);
  const label = `${side} source "${sourceName(check, side)}"`;
  const read: SourceDocument = await readConfigSource(source, label, { signal: context.signal, timeoutMs: context.remainingMs() });
  return { source, read, label };
}

/** First-seen times survive a restart through the optional state file; a damaged file is set aside and starts afresh. */
async function loadFirstSeen(context: SampleContext, check: { name: string; state_file?: string }): Promise<Map<string, number>> {
  const remembered = context.memory.get(FIRST_SEEN);
  if (remembered instanceof Map) return remembered as Map<string, number>;
  if (check.state_file === undefined) return new Map();
  const read = await readFirstSeen(check.state_file, check.name);
  if (read.status === 'ok') return read.value;
  if (read.status === 'set-aside')
    context.log.warn(
      { stateFile: check.state_file, reason: read.reason, setAsideAs: read.setAsideAs },
      'config drift state file unreadable and set aside; first-seen times start afresh',
    );
  return new Map();
}

function sameKeys(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const key of a.keys()) if (!b.has(key)) return false;
  return true;
}

function shown(value: Scalar): string | number | boolean | null {
  const display = displayValue(value);
  return typeof display === 'string' && display.length > MAX_SHOWN_CHARS
    ? `${display.slice(0, MAX_SHOWN_CHARS)}… (${display.length} chars)`
    : display;
}

function approvalView(approval: Approval) {
  return {
    key: approval.key,
    reason: approval.reason,
    owner: approval.owner,
    ...(approval.change ? { change: approval.change } : {}),
    ...(approval.expiresAt !== undefined ? { expires: new Date(approval.expiresAt).toISOString() } : {}),
  };
}

/** A difference as the API and the report show it: values only when they are not secret. */
function differenceView(difference: JudgedDifference, secret: boolean, firstSeen: number | undefined) {
  const base = { path: difference.path, change: difference.change, status: difference.status };
  const since = {
    ...(firstSeen !== undefined ? { firstSeen: new Date(firstSeen).toISOString() } : {}),
    ...(difference.approval ? { approval: approvalView(difference.approval) } : {}),
  };
  if (secret) {
    // No value, no type, no hash: a hash of a short secret can be brute-forced.
    return { ...base, secret: true, differs: true, ...since };
  }
  return {
    ...base,
    ...(difference.baseline !== undefined ? { baseline: shown(difference.baseline) } : {}),
    ...(difference.candidate !== undefined ? { candidate: shown(difference.candidate) } : {}),
    ...(difference.baseline !== undefined ? { baselineType: typeOf(difference.baseline) } : {}),
    ...(difference.candidate !== undefined ? { candidateType: typeOf(difference.candidate) } : {}),
    ...since,
  };
}

function describe(driftIndex: number, expired: number, approved: number, compared: number, overLimit: number | undefined): string {
  const parts: string[] = [];
  if (driftIndex === 0) parts.push(`no drift in ${compared} keys`);
  else
    parts.push(
      `${driftIndex} ${driftIndex === 1 ? 'difference' : 'differences'} not approved${expired > 0 ? ` (${expired} with an expired approval)` : ''} in ${compared} keys`,
    );
  if (approved > 0) parts.push(`${approved} approved${overLimit !== undefined ? `, more than max_approved ${overLimit}` : ''}`);
  return parts.join('; ');
}

export const configKind: CheckKind<ConfigOptions> = {
  kind: 'config',
  description:
    'one configuration source (file, HTTP JSON, environment variables) on both sides, diffed key by key with approved differences',
  dimension: 'config',
  schema,

  references(check, root): CheckProblem[] {
    const problems: CheckProblem[] = [];
    // One line per source name and key: "not defined in environments "a" and "b"".
    const missing = new Map<string, { path: Array<string | number>; sides: string[]; defined: Set<string> }>();
    for (const side of [check.baseline, check.candidate]) {
      const environment = root.environments[side];
      if (!environment) continue; // reported once by sideReferences
      const name = sourceName(check, side);
      if (name in environment.configs) continue;
      const path = check.source_per_side[side] ? ['source_per_side', side] : ['source'];
      const entry = missing.get(`${path.join('.')}/${name}`) ?? { path, sides: [], defined: new Set<string>() };
      entry.sides.push(side);
      for (const defined of Object.keys(environment.configs)) entry.defined.add(defined);
      missing.set(`${path.join('.')}/${name}`, entry);
    }
    for (const [id, { path, sides, defined }] of missing) {
      const name = id.slice(id.indexOf('/') + 1);
      const known = [...defined];
      problems.push({
        path,
        message: `config source "${name}" is not defined in ${environmentsPhrase(sides)}${didYouMean(name, known) || (known.length > 0 ? ` (defined: ${known.join(', ')})` : '')}`,
      });
    }
    if (check.state_file !== undefined) {
      const sharing = root.checks.find(
        (other) => other.kind === 'config' && other.name !== check.name && other.state_file === check.state_file,
      );
      if (sharing)
        problems.push({
          path: ['state_file'],
          message: `also used by check "${String(sharing.name)}"; give each check its own state file`,
        });
    }
    return problems;
  },

  async run(check, context): Promise<KindResult> {
    const [baseline, candidate] = await Promise.all([readSide(context, check, check.baseline), readSide(context, check, check.candidate)]);
    const diff = await diffSides(check, context, baseline, candidate);
    const now = Date.now();
    const judgement = judge(diff.differences, approvalsOf(check), now);
    const { firstSeen, stateFileProblem } = await rememberFirstSeen(check, context, judgement, now);

    const drift = judgement.differences.filter((d) => d.status !== 'approved');
    const oldest = drift.reduce((min, d) => Math.min(min, firstSeen.get(differenceId(d)) ?? now), now);
    const expired = drift.filter((d) => d.status === 'expired').length;
    const overLimit = check.max_approved !== undefined && judgement.approved > check.max_approved ? check.max_approved : undefined;

    const redactor = new Redactor({ words: check.secret_keys, paths: check.secret_paths, publicPaths: check.public_paths });
    const wholeSourceSecret = baseline.source.secret || candidate.source.secret;
    // Drift first, then approved; each group by path.
    const ordered = [...drift, ...judgement.differences.filter((d) => d.status === 'approved')];
    const listed = ordered
      .slice(0, check.max_differences)
      .map((d) =>
        differenceView(d, wholeSourceSecret || redactor.isSecret(d.path, d.baseline, d.candidate), firstSeen.get(differenceId(d))),
      );

    const sideView = (side: typeof baseline, name: string, keys: number) => ({
      source: sourceName(check, name),
      format: side.read.format,
      bytes: side.read.bytes,
      keys,
    });
    return {
      passed: judgement.driftIndex === 0 && overLimit === undefined,
      summary: describe(judgement.driftIndex, expired, judgement.approved, diff.compared, overLimit),
      series: configSeries(check, judgement, diff, (now - oldest) / 1000),
      scores: diff.compared > 0 ? [{ candidate: check.candidate, value: (diff.compared - judgement.driftIndex) / diff.compared }] : [],
      details: {
        sides: {
          [check.baseline]: sideView(baseline, check.baseline, diff.baselineKeys),
          [check.candidate]: sideView(candidate, check.candidate, diff.candidateKeys),
        },
        keysCompared: diff.compared,
        keysIgnored: diff.ignored,
        keysEquivalent: diff.equivalent,
        driftIndex: judgement.driftIndex,
        approved: judgement.approved,
        ...(check.max_approved !== undefined ? { maxApproved: check.max_approved } : {}),
        counts: judgement.counts,
        oldestDriftSeconds: (now - oldest) / 1000,
        differences: listed,
        ...(ordered.length > listed.length ? { differencesNotListed: ordered.length - listed.length } : {}),
        ...(judgement.unusedApprovals.length > 0 ? { unusedApprovals: judgement.unusedApprovals.map(approvalView) } : {}),
        ...(diff.warnings.baseline.length + diff.warnings.candidate.length > 0
          ? {
              warnings: [
                ...diff.warnings.baseline.map((w) => `${check.baseline}: ${w}`),
                ...diff.warnings.candidate.map((w) => `${check.candidate}: ${w}`),
              ],
            }
          : {}),
        ...(stateFileProblem ? { stateFile: stateFileProblem } : {}),
      },
    };
  },
};

type ReadSide = Awaited<ReturnType<typeof readSide>>;

/** Flattens and diffs both documents in slices (a large one does not hold up the event loop); too many keys names the side. */
async function diffSides(check: ConfigOptions, context: SampleContext, baseline: ReadSide, candidate: ReadSide): Promise<TreeDiff> {
  try {
    return await runSliced(
      diffTreesSteps(baseline.read.document, candidate.read.document, {
        ignore: check.ignore,
        equivalences: check.equivalences,
        keyedArrays: Object.entries(check.keyed_arrays).map(([path, key]) => ({ path, key })),
        maxKeys: check.max_keys,
      }),
      { signal: context.signal },
    );
  } catch (error) {
    if (error instanceof TooManyKeysError) {
      throw new SampleError(
        'limit',
        `${error.side === 'candidate' ? candidate.label : baseline.label}: more than max_keys ${check.max_keys} keys`,
      );
    }
    throw error;
  }
}

function approvalsOf(check: ConfigOptions): Approval[] {
  return check.approved.map((a) => ({
    key: a.key,
    reason: a.reason,
    owner: a.owner,
    ...(a.expires !== undefined ? { expiresAt: a.expires } : {}),
    ...(a.change !== undefined ? { change: a.change } : {}),
  }));
}

/**
 * When each difference was first seen: kept in the check's memory, and written to the state file
 * when the set of differences changed (or was never written since start). A write that fails is
 * logged and reported in the details; it does not fail the sample.
 */
async function rememberFirstSeen(
  check: CheckConfig<ConfigOptions>,
  context: SampleContext,
  judgement: Judgement,
  now: number,
): Promise<{ firstSeen: Map<string, number>; stateFileProblem: string | undefined }> {
  const previous = await loadFirstSeen(context, check);
  const firstSeen = updateFirstSeen(previous, judgement.differences, now);
  context.memory.set(FIRST_SEEN, firstSeen);
  let stateFileProblem: string | undefined;
  if (check.state_file !== undefined && (!sameKeys(previous, firstSeen) || !context.memory.has(`${FIRST_SEEN}.saved`))) {
    try {
      await writeFirstSeen(check.state_file, check.name, firstSeen);
      context.memory.set(`${FIRST_SEEN}.saved`, true);
    } catch (error) {
      stateFileProblem = `cannot write ${check.state_file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
      context.log.warn({ stateFile: check.state_file, err: stateFileProblem }, 'config drift state file not written');
    }
  }
  return { firstSeen, stateFileProblem };
}

function configSeries(check: CheckConfig<ConfigOptions>, judgement: Judgement, diff: TreeDiff, oldestSeconds: number): MetricSample[] {
  const id = { check: check.name };
  const series: MetricSample[] = [];
  for (const change of changes) {
    for (const [status, count] of Object.entries(judgement.counts[change]))
      series.push(sample('fidelity_config_differences', { ...id, change, status }, count));
  }
  series.push(
    sample('fidelity_config_drift_index', id, judgement.driftIndex),
    sample('fidelity_config_keys_compared', id, diff.compared),
    sample('fidelity_config_drift_oldest_seconds', id, oldestSeconds),
  );
  if (check.max_approved !== undefined) series.push(sample('fidelity_config_approved_max', id, check.max_approved));
  return series;
}
