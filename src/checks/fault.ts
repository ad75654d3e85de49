import { z } from 'zod';
import { checkSchema } from '../config/schema.js';
import { sample, type MetricSample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, KindResult, KindOptions } from './check.js';
import { SampleError } from '../core/errors.js';
import {
  connectionField,
  expectSchema,
  httpReferences,
  oneBody,
  requestFields,
  runRequest,
  variableReferences,
  type RequestRun,
} from './http-steps.js';

/**
 * `fault`: injected error probes (expired token, malformed body, unknown id, oversized input)
 * sent to the candidate, each with the error it should produce; detection rate = detected /
 * injected. The same probes go to the baseline to show whether production handles them alike.
 */

const probeSchema = z
  .strictObject({
    ...requestFields,
    description: z.string().optional(),
    /** The error the probe must produce: a status (or list) and optionally body expectations. */
    expect: expectSchema.refine((expect) => expect.status !== undefined, {
      error: 'expect.status is required: the error this probe must produce',
    }),
  })
  .superRefine(oneBody);

const schema = checkSchema('fault', {
  probes: z
    .array(probeSchema)
    .min(1)
    .superRefine((probes, ctx) => {
      const seen = new Set<string>();
      probes.forEach((probe, index) => {
        if (seen.has(probe.name)) ctx.addIssue({ code: 'custom', message: `duplicate probe name "${probe.name}"`, path: [index, 'name'] });
        seen.add(probe.name);
      });
    }),
  /** Also run the probes against the baseline. */
  compare_baseline: z.boolean().default(true),
  /** Detection ratio on the candidate at or above which the check passes. */
  min_detection_ratio: z.number().min(0).max(1).default(1),
  connection: connectionField,
});

type FaultOptions = KindOptions<typeof schema>;

function outcomeOf(run: RequestRun) {
  const detected = run.status !== undefined && run.failures.length === 0;
  return {
    detected,
    status: run.status ?? null,
    ...(run.error ? { error: `${run.error.reason}: ${run.error.message}` } : {}),
    ...(run.failures.length > 0 ? { failures: run.failures } : {}),
  };
}

export const faultKind: CheckKind<FaultOptions> = {
  kind: 'fault',
  description: 'injected error probes; error detection rate = detected / injected on the candidate (and the baseline)',
  dimension: 'error_detection',
  schema,

  references(check, root): CheckProblem[] {
    const sides = check.compare_baseline ? [check.baseline, check.candidate] : [check.candidate];
    return [
      ...httpReferences(root, sides, check.probes, 'probes'),
      ...variableReferences(
        check.probes.map((probe) => ({ ...probe, extract: {}, compare_body: false, ignore: [] })),
        [],
      ).map((problem) => ({ ...problem, path: ['probes', ...problem.path.slice(1)] })),
    ];
  },

  async run(check, context): Promise<KindResult> {
    const sides = check.compare_baseline ? [check.candidate, check.baseline] : [check.candidate];
    const results: Record<string, ReturnType<typeof outcomeOf>[]> = {};
    const noVariables = new Map<string, string>();
    for (const side of sides) {
      results[side] = [];
      for (const probe of check.probes) {
        if (context.signal.aborted) throw new SampleError('timeout', 'check timeout reached while probing');
        const run = await runRequest(context, side, probe, { variables: noVariables, connection: check.connection, expect: probe.expect });
        results[side].push(outcomeOf(run));
      }
    }
    const injected = check.probes.length;
    const detectedOn = (side: string) => (results[side] ?? []).filter((result) => result.detected).length;
    const candidateDetected = detectedOn(check.candidate);
    const candidateResults = results[check.candidate] ?? [];
    if (candidateResults.every((result) => result.status === null)) {
      throw new SampleError('connect', `candidate "${check.candidate}" answered no probe: ${candidateResults[0]?.error ?? 'no response'}`);
    }
    const series: MetricSample[] = [];
    for (const side of sides) {
      series.push(sample('fidelity_fault_probes_injected', { check: check.name, side }, injected));
      series.push(sample('fidelity_fault_probes_detected', { check: check.name, side }, detectedOn(side)));
      series.push(sample('fidelity_fault_detection_ratio', { check: check.name, side }, detectedOn(side) / injected));
    }
    const ratio = candidateDetected / injected;
    const handledAlike = check.compare_baseline
      ? check.probes.filter((_, index) => results[check.baseline]?.[index]?.status === candidateResults[index]?.status).length
      : null;
    const missed = check.probes.filter((_, index) => !candidateResults[index]?.detected).map((probe) => probe.name);
    const expectedOf = (status: number | number[] | undefined) => (Array.isArray(status) ? status : status === undefined ? [] : [status]);
    return {
      passed: ratio >= check.min_detection_ratio,
      summary:
        `${candidateDetected} of ${injected} injected errors detected on ${check.candidate}` +
        (check.compare_baseline
          ? ` (${detectedOn(check.baseline)} on ${check.baseline}; ${handledAlike} of ${injected} answered alike)`
          : '') +
        (missed.length > 0 ? `; missed: ${missed.join(', ')}` : ''),
      series,
      scores: [{ candidate: check.candidate, value: ratio }],
      details: {
        injected,
        detected: Object.fromEntries(sides.map((side) => [side, detectedOn(side)])),
        ...(handledAlike !== null ? { answeredAlike: handledAlike } : {}),
        probes: check.probes.map((probe, index) => ({
          name: probe.name,
          ...(probe.description ? { description: probe.description } : {}),
          method: probe.method,
          path: probe.path,
          expectedStatus: expectedOf(probe.expect.status),
          sides: Object.fromEntries(sides.map((side) => [side, results[side]?.[index]])),
          ...(check.compare_baseline ? { alike: results[check.baseline]?.[index]?.status === candidateResults[index]?.status } : {}),
        })),
      },
    };
  },
};
