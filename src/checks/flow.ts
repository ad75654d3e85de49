import { z } from 'zod';
import { PathSet, compareBodies, noisePaths, type JsonDifference } from '../compare/responses.js';
import { compareLatency, median, type LatencyComparison } from '../compare/stats.js';
import { checkSchema } from '../config/schema.js';
import { sample, type MetricSample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, CheckResult, SampleContext, KindOptions } from './check.js';
import { SampleError } from '../core/errors.js';
import {
  connectionField,
  extractVariables,
  httpReferences,
  ignorePath,
  phasesOf,
  runRequest,
  stepSchema,
  variableReferences,
  verifyMutation,
  type RequestRun,
  type StepConfig,
} from './http-steps.js';

/**
 * `flow`: a multi-step HTTP user flow (login, search, checkout) run against the baseline and the
 * candidate; status, body and data-mutation parity per step, error ratio per side, and latency
 * compared over a window of samples (ratio of medians and a Mann-Whitney U test).
 */

const schema = checkSchema('flow', {
  steps: z
    .array(stepSchema)
    .min(1)
    .superRefine((steps, ctx) => {
      const seen = new Set<string>();
      steps.forEach((step, index) => {
        if (seen.has(step.name)) ctx.addIssue({ code: 'custom', message: `duplicate step name "${step.name}"`, path: [index, 'name'] });
        seen.add(step.name);
      });
    }),
  /** Runs of the whole flow per sample and side. */
  iterations: z.number().int().min(1).max(100).default(3),
  connection: connectionField,
  /** JSON paths ignored in every step's body comparison. */
  ignore: z.array(ignorePath).default([]),
  /** Run the baseline twice and treat paths that differ between its runs as noise. */
  noise_cancellation: z.boolean().default(true),
  latency: z
    .strictObject({
      /** Durations kept per side (and step) across samples. */
      window: z.number().int().min(2).max(10_000).default(60),
      /** Fewer durations than this on a side: the comparison is inconclusive. */
      min_samples: z.number().int().min(2).default(10),
      alpha: z.number().gt(0).lt(1).default(0.05),
      /** A significant shift counts only beyond this ratio of medians. */
      tolerance: z.number().min(1).default(1.5),
    })
    .prefault({}),
  max_examples: z.number().int().min(0).max(1000).optional(),
});

type FlowOptions = KindOptions<typeof schema>;

interface StepRun extends RequestRun {
  skipped?: boolean;
  mutation?: { rows: string[]; columns: string[] } | { error: string };
}

async function runFlow(context: SampleContext, check: FlowOptions, side: string): Promise<StepRun[]> {
  const variables = new Map<string, string>();
  const runs: StepRun[] = [];
  let broken = false;
  for (const step of check.steps) {
    if (broken) {
      runs.push({
        name: step.name,
        side,
        method: step.method,
        path: step.path,
        failures: [],
        body: { text: '' },
        headers: {},
        isError: false,
        skipped: true,
      });
      continue;
    }
    const run: StepRun = await runRequest(context, side, step, { variables, connection: check.connection, expect: step.expect });
    if (run.status !== undefined) {
      const failed = extractVariables(step.extract, run, variables);
      if (failed.length > 0) {
        run.failures.push(...failed);
        run.isError = true;
      }
    }
    if (step.verify && run.status !== undefined) run.mutation = await verifyMutation(context, side, step.verify, variables);
    // A request that got no response leaves the flow without its later state: stop this run.
    if (run.status === undefined) broken = true;
    runs.push(run);
  }
  return runs;
}

interface StepTally {
  compared: number;
  statusMatches: number;
  bodyCompared: number;
  bodyIdentical: number;
  mutationCompared: number;
  mutationMatches: number;
  statuses: Record<string, (number | string)[]>;
  differences: JsonDifference[];
  noise: Set<string>;
  errors: Record<string, string[]>;
  failures: Record<string, string[]>;
  mutation?: Record<string, unknown>;
}

function pushWindow(memory: Map<string, unknown>, key: string, values: number[], size: number): number[] {
  const window = (memory.get(key) as number[] | undefined) ?? [];
  window.push(...values);
  if (window.length > size) window.splice(0, window.length - size);
  memory.set(key, window);
  return window;
}

function noiseMemory(memory: Map<string, unknown>, step: string): Set<string> {
  const key = `noise:${step}`;
  let set = memory.get(key) as Set<string> | undefined;
  if (!set) {
    set = new Set();
    memory.set(key, set);
  }
  return set;
}

function describeStatus(run: StepRun): number | string {
  if (run.skipped) return 'skipped';
  return run.status ?? `error: ${run.error?.reason ?? 'unknown'}`;
}

/** Milliseconds of a request, or undefined when it got no full response. */
function durationOf(run: StepRun): number | undefined {
  return run.status !== undefined && run.timings ? run.timings.totalMs : undefined;
}

export const flowKind: CheckKind<FlowOptions> = {
  kind: 'flow',
  description: 'multi-step HTTP user flows on both sides: status, body and mutation parity, error ratio, latency',
  dimension: 'behavior',
  schema,

  references(check, root): CheckProblem[] {
    const problems = httpReferences(root, [check.baseline, check.candidate], check.steps, 'steps');
    problems.push(...variableReferences(check.steps, []));
    check.steps.forEach((step, index) => {
      if (!step.verify) return;
      for (const side of [check.baseline, check.candidate]) {
        const environment = root.environments[side];
        if (environment && !(step.verify.database in environment.databases)) {
          problems.push({
            path: ['steps', index, 'verify', 'database'],
            message: `database "${step.verify.database}" is not defined in environment "${side}"`,
          });
        }
      }
    });
    return problems;
  },

  async run(check, context): Promise<CheckResult> {
    const { baseline, candidate } = check;
    const maxExamples = check.max_examples ?? context.defaults.max_examples;
    const baseIgnore = check.ignore;
    const tallies = new Map<string, StepTally>(
      check.steps.map((step) => [
        step.name,
        {
          compared: 0,
          statusMatches: 0,
          bodyCompared: 0,
          bodyIdentical: 0,
          mutationCompared: 0,
          mutationMatches: 0,
          statuses: { [baseline]: [], [candidate]: [] },
          differences: [],
          noise: new Set(),
          errors: {},
          failures: {},
        },
      ]),
    );
    const requests = { [baseline]: 0, [candidate]: 0 };
    const errors = { [baseline]: 0, [candidate]: 0 };
    const responded = { [baseline]: 0, [candidate]: 0 };
    const flowDurations: Record<string, number[]> = { [baseline]: [], [candidate]: [] };
    const stepDurations = new Map<string, Record<string, number[]>>(
      check.steps.map((step) => [step.name, { [baseline]: [], [candidate]: [] }]),
    );
    // phase samples: step -> side -> connection -> phase -> seconds[]
    const phaseSamples = new Map<string, number[]>();
    let firstTransportError: { side: string; step: string; reason: string; message: string } | undefined;

    const account = (side: string, runs: StepRun[]) => {
      let total = 0;
      let complete = true;
      for (const run of runs) {
        if (run.skipped) {
          complete = false;
          continue;
        }
        requests[side] = (requests[side] ?? 0) + 1;
        if (run.isError) errors[side] = (errors[side] ?? 0) + 1;
        if (run.status !== undefined) responded[side] = (responded[side] ?? 0) + 1;
        else
          firstTransportError ??= {
            side,
            step: run.name,
            reason: run.error?.reason ?? 'internal',
            message: run.error?.message ?? 'no response',
          };
        const ms = durationOf(run);
        if (ms === undefined) complete = false;
        else {
          total += ms;
          stepDurations.get(run.name)?.[side]?.push(ms);
        }
        if (run.timings && run.status !== undefined) {
          const connection = run.timings.reused ? 'keepalive' : 'cold';
          for (const [phase, seconds] of Object.entries(phasesOf(run.timings))) {
            const key = JSON.stringify([run.name, side, connection, phase]);
            const list = phaseSamples.get(key) ?? [];
            list.push(seconds);
            phaseSamples.set(key, list);
          }
        }
      }
      if (complete) flowDurations[side]?.push(total);
    };

    const lastRuns: Record<string, StepRun[]> = {};
    for (let iteration = 0; iteration < check.iterations; iteration++) {
      if (context.signal.aborted)
        throw new SampleError('timeout', `check timeout reached after ${iteration} of ${check.iterations} iterations`);
      const baseRuns = await runFlow(context, check, baseline);
      const candRuns = await runFlow(context, check, candidate);
      account(baseline, baseRuns);
      account(candidate, candRuns);
      lastRuns[baseline] = baseRuns;
      lastRuns[candidate] = candRuns;
      if (iteration === 0 && check.noise_cancellation) {
        const again = await runFlow(context, check, baseline);
        again.forEach((run, index) => {
          const first = baseRuns[index];
          if (first && first.status !== undefined && run.status !== undefined) {
            const memory = noiseMemory(context.memory, run.name);
            for (const path of noisePaths(first.body, run.body)) memory.add(path);
          }
        });
      }
      check.steps.forEach((step: StepConfig, index) => {
        const base = baseRuns[index] as StepRun;
        const cand = candRuns[index] as StepRun;
        const tally = tallies.get(step.name) as StepTally;
        tally.statuses[baseline]?.push(describeStatus(base));
        tally.statuses[candidate]?.push(describeStatus(cand));
        for (const run of [base, cand]) {
          if (run.error) (tally.errors[run.side] ??= []).push(`${run.error.reason}: ${run.error.message}`);
          if (run.failures.length > 0) (tally.failures[run.side] ??= []).push(...run.failures);
        }
        if (base.skipped || cand.skipped) return;
        tally.compared++;
        const sameStatus = base.status === cand.status && (base.status !== undefined || base.error?.reason === cand.error?.reason);
        if (sameStatus) tally.statusMatches++;
        if (step.compare_body && base.status !== undefined && cand.status !== undefined) {
          tally.bodyCompared++;
          const noise = noiseMemory(context.memory, step.name);
          const comparison = compareBodies(base.body, cand.body, {
            ignore: new PathSet([...baseIgnore, ...step.ignore]),
            noise: new PathSet(noise),
            maxDifferences: maxExamples,
          });
          comparison.noise.forEach((path) => tally.noise.add(path));
          if (comparison.identical) tally.bodyIdentical++;
          else if (tally.differences.length === 0) tally.differences = comparison.differences;
        }
        if (base.mutation && cand.mutation) {
          tally.mutationCompared++;
          const same =
            !('error' in base.mutation) && !('error' in cand.mutation) && JSON.stringify(base.mutation) === JSON.stringify(cand.mutation);
          if (same) tally.mutationMatches++;
          else tally.mutation ??= { [baseline]: base.mutation, [candidate]: cand.mutation };
        }
      });
    }

    if ((responded[baseline] ?? 0) === 0) {
      const cause = firstTransportError?.side === baseline ? `: step "${firstTransportError.step}": ${firstTransportError.message}` : '';
      const reason = firstTransportError?.side === baseline ? firstTransportError.reason : 'http_status';
      throw new SampleError(
        reason === 'canceled' ? 'timeout' : (reason as SampleError['reason']),
        `baseline "${baseline}" answered no request${cause}`,
      );
    }

    // Latency windows survive between samples.
    const window = check.latency.window;
    const options = { minSamples: check.latency.min_samples, alpha: check.latency.alpha, tolerance: check.latency.tolerance };
    const flowLatency = compareLatency(
      pushWindow(context.memory, `latency:${baseline}:`, flowDurations[baseline] ?? [], window),
      pushWindow(context.memory, `latency:${candidate}:`, flowDurations[candidate] ?? [], window),
      options,
    );
    const stepLatency = new Map<string, LatencyComparison>();
    for (const step of check.steps) {
      const durations = stepDurations.get(step.name) ?? {};
      stepLatency.set(
        step.name,
        compareLatency(
          pushWindow(context.memory, `latency:${baseline}:${step.name}`, durations[baseline] ?? [], window),
          pushWindow(context.memory, `latency:${candidate}:${step.name}`, durations[candidate] ?? [], window),
          options,
        ),
      );
    }

    let compared = 0;
    let statusMatches = 0;
    let bodyCompared = 0;
    let bodyIdentical = 0;
    let mutationCompared = 0;
    let mutationMatches = 0;
    for (const tally of tallies.values()) {
      compared += tally.compared;
      statusMatches += tally.statusMatches;
      bodyCompared += tally.bodyCompared;
      bodyIdentical += tally.bodyIdentical;
      mutationCompared += tally.mutationCompared;
      mutationMatches += tally.mutationMatches;
    }
    const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 1);
    const statusParity = ratio(statusMatches, compared);
    const bodyParity = ratio(bodyIdentical, bodyCompared);
    const mutationParity = ratio(mutationMatches, mutationCompared);
    const errorRatio = (side: string) => ratio(errors[side] ?? 0, requests[side] ?? 0);
    const slowerSteps = [...stepLatency].filter(([, latency]) => latency.verdict === 'slower').map(([name]) => name);
    const slower = flowLatency.verdict === 'slower' || slowerSteps.length > 0;
    const errorExcess = Math.max(0, errorRatio(candidate) - errorRatio(baseline));

    const pair = { check: check.name, baseline, candidate };
    const series: MetricSample[] = [
      sample('fidelity_flow_status_parity_ratio', pair, statusParity),
      sample('fidelity_flow_body_parity_ratio', pair, bodyParity),
      sample('fidelity_flow_error_ratio', { check: check.name, side: baseline }, errorRatio(baseline)),
      sample('fidelity_flow_error_ratio', { check: check.name, side: candidate }, errorRatio(candidate)),
    ];
    if (mutationCompared > 0) series.push(sample('fidelity_flow_mutation_parity_ratio', pair, mutationParity));
    for (const side of [baseline, candidate]) {
      const durations = flowDurations[side] ?? [];
      if (durations.length > 0)
        series.push(sample('fidelity_flow_duration_seconds', { check: check.name, side }, median(durations) / 1000));
      series.push(
        sample(
          'fidelity_flow_latency_samples',
          { check: check.name, side },
          side === baseline ? flowLatency.baselineSamples : flowLatency.candidateSamples,
        ),
      );
    }
    if (Number.isFinite(flowLatency.ratio)) series.push(sample('fidelity_flow_latency_ratio', pair, flowLatency.ratio));
    if (flowLatency.verdict !== 'inconclusive' && flowLatency.pValue !== null) {
      series.push(sample('fidelity_flow_latency_p_value', pair, flowLatency.pValue));
      series.push(sample('fidelity_flow_latency_regression', pair, flowLatency.verdict === 'slower' ? 1 : 0));
    }
    for (const [step, latency] of stepLatency) {
      if (Number.isFinite(latency.ratio)) series.push(sample('fidelity_flow_step_latency_ratio', { ...pair, step }, latency.ratio));
    }
    for (const [key, values] of phaseSamples) {
      const [step, side, connection, phase] = JSON.parse(key) as [string, string, string, string];
      series.push(sample('fidelity_flow_step_duration_seconds', { check: check.name, step, side, connection, phase }, median(values)));
    }

    const latencyScore =
      slower && Number.isFinite(flowLatency.ratio) && flowLatency.ratio > 0
        ? Math.min(1, 1 / Math.max(flowLatency.ratio, ...slowerSteps.map((s) => stepLatency.get(s)?.ratio ?? 1)))
        : slower
          ? 0
          : 1;
    const components = [statusParity, bodyParity, 1 - errorExcess, latencyScore, ...(mutationCompared > 0 ? [mutationParity] : [])];
    const score = components.reduce((sum, value) => sum + value, 0) / components.length;
    const passed = statusParity === 1 && bodyParity === 1 && mutationParity === 1 && !slower && errorExcess === 0;

    const problems: string[] = [];
    if (statusParity < 1) problems.push(`status differs in ${compared - statusMatches} of ${compared} steps`);
    if (bodyParity < 1) problems.push(`body differs in ${bodyCompared - bodyIdentical} of ${bodyCompared} steps`);
    if (mutationParity < 1) problems.push(`data mutation differs in ${mutationCompared - mutationMatches} of ${mutationCompared} checks`);
    if (errorExcess > 0)
      problems.push(`error ratio ${candidate} ${errorRatio(candidate).toFixed(2)} vs ${baseline} ${errorRatio(baseline).toFixed(2)}`);
    if (slower)
      problems.push(
        `${candidate} slower${slowerSteps.length > 0 ? ` in ${slowerSteps.join(', ')}` : ''} (x${flowLatency.ratio.toFixed(2)} overall)`,
      );
    const latencyNote = flowLatency.verdict === 'inconclusive' ? `; latency inconclusive (${flowLatency.reason})` : '';

    const seconds = (ms: number) => (Number.isFinite(ms) ? ms / 1000 : null);
    const latencyDetails = (latency: LatencyComparison) => ({
      verdict: latency.verdict,
      ratio: Number.isFinite(latency.ratio) ? latency.ratio : null,
      medianSeconds: { [baseline]: seconds(latency.baselineMedian), [candidate]: seconds(latency.candidateMedian) },
      samples: { [baseline]: latency.baselineSamples, [candidate]: latency.candidateSamples },
      pValue: latency.pValue,
      ...(latency.reason ? { reason: latency.reason } : {}),
    });

    return {
      passed,
      summary:
        problems.length > 0
          ? `${problems.join('; ')}${latencyNote}`
          : `${check.steps.length} steps x ${check.iterations} iterations: same status and bodies${latencyNote}`,
      series,
      scores: [{ dimension: 'behavior', candidate, value: Math.max(0, Math.min(1, score)) }],
      details: {
        iterations: check.iterations,
        connection: check.connection,
        statusParity,
        bodyParity,
        ...(mutationCompared > 0 ? { mutationParity } : {}),
        errorRatio: { [baseline]: errorRatio(baseline), [candidate]: errorRatio(candidate) },
        latency: {
          flow: latencyDetails(flowLatency),
          steps: Object.fromEntries([...stepLatency].map(([name, latency]) => [name, latencyDetails(latency)])),
        },
        steps: check.steps.map((step, index) => {
          const tally = tallies.get(step.name) as StepTally;
          const last = (side: string) => lastRuns[side]?.[index];
          return {
            name: step.name,
            method: step.method,
            path: { [baseline]: last(baseline)?.path ?? step.path, [candidate]: last(candidate)?.path ?? step.path },
            statuses: tally.statuses,
            statusParity: ratio(tally.statusMatches, tally.compared),
            bodyParity: ratio(tally.bodyIdentical, tally.bodyCompared),
            differences: tally.differences,
            noise: [...tally.noise],
            errors: tally.errors,
            failures: tally.failures,
            ...(tally.mutation ? { mutation: tally.mutation } : {}),
          };
        }),
      },
    };
  },
};
