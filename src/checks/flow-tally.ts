import { PathSet, compareBodies, noisePaths } from '../compare/responses.js';
import { SampleError } from '../core/errors.js';
import type { CheckConfig, SampleContext } from './check.js';
import type { FlowOptions, StepRun } from './flow-schema.js';
import { extractVariables, phasesOf, runRequest, verifyMutation, type StepConfig } from './http-steps.js';
import type { JsonDifference } from '../compare/responses.js';

/**
 * The first stage of a `flow` sample: run the flow on both sides `iterations` times and count what
 * matched, per step and per side. Judging the counts is flow-judge.ts's job.
 */

type FlowCheck = CheckConfig<FlowOptions>;

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

/** How many steps were compared and how many matched, by status, body and data mutation. */
export interface ParityCounts {
  compared: number;
  statusMatches: number;
  bodyCompared: number;
  bodyIdentical: number;
  mutationCompared: number;
  mutationMatches: number;
}

export interface StepTally extends ParityCounts {
  statuses: Record<string, (number | string)[]>;
  differences: JsonDifference[];
  noise: Set<string>;
  errors: Record<string, string[]>;
  failures: Record<string, string[]>;
  mutation?: Record<string, unknown>;
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

interface TransportError {
  side: string;
  step: string;
  reason: string;
  message: string;
}

/** Counts of one sample: requests, errors and durations per side; parity per step. */
export class FlowTally {
  readonly steps: Map<string, StepTally>;
  readonly requests: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly responded: Record<string, number>;
  /** Durations of the complete runs of the flow, per side. */
  readonly flowDurations: Record<string, number[]>;
  /** step -> side -> durations */
  readonly stepDurations: Map<string, Record<string, number[]>>;
  /** JSON [step, side, connection, phase] -> seconds */
  readonly phaseSamples = new Map<string, number[]>();
  /** The runs of the last iteration, per side (the paths actually requested). */
  readonly lastRuns: Record<string, StepRun[]> = {};
  firstTransportError: TransportError | undefined;

  constructor(private readonly check: FlowCheck) {
    const { baseline, candidate } = check;
    const perSide = <T>(make: () => T): Record<string, T> => ({ [baseline]: make(), [candidate]: make() });
    this.steps = new Map(check.steps.map((step) => [step.name, emptyStepTally(baseline, candidate)]));
    this.requests = perSide(() => 0);
    this.errors = perSide(() => 0);
    this.responded = perSide(() => 0);
    this.flowDurations = perSide((): number[] => []);
    this.stepDurations = new Map(check.steps.map((step) => [step.name, perSide((): number[] => [])]));
  }

  /** Requests, errors, durations and phases of one run of the flow on one side. */
  account(side: string, runs: StepRun[]): void {
    let total = 0;
    let complete = true;
    for (const run of runs) {
      if (run.skipped) {
        complete = false;
        continue;
      }
      this.requests[side] = (this.requests[side] ?? 0) + 1;
      if (run.isError) this.errors[side] = (this.errors[side] ?? 0) + 1;
      if (run.status !== undefined) this.responded[side] = (this.responded[side] ?? 0) + 1;
      else
        this.firstTransportError ??= {
          side,
          step: run.name,
          reason: run.error?.reason ?? 'internal',
          message: run.error?.message ?? 'no response',
        };
      const ms = durationOf(run);
      if (ms === undefined) complete = false;
      else {
        total += ms;
        this.stepDurations.get(run.name)?.[side]?.push(ms);
      }
      if (run.timings && run.status !== undefined) this.phases(side, run);
    }
    if (complete) this.flowDurations[side]?.push(total);
  }

  private phases(side: string, run: StepRun): void {
    if (!run.timings) return;
    const connection = run.timings.reused ? 'keepalive' : 'cold';
    for (const [phase, seconds] of Object.entries(phasesOf(run.timings))) {
      const key = JSON.stringify([run.name, side, connection, phase]);
      const list = this.phaseSamples.get(key) ?? [];
      list.push(seconds);
      this.phaseSamples.set(key, list);
    }
  }

  /** Status, body and mutation parity of one iteration, step by step. */
  compare(baseRuns: StepRun[], candRuns: StepRun[], memory: Map<string, unknown>, maxExamples: number): void {
    const { baseline, candidate } = this.check;
    this.check.steps.forEach((step: StepConfig, index) => {
      const base = baseRuns[index] as StepRun;
      const cand = candRuns[index] as StepRun;
      const tally = this.steps.get(step.name) as StepTally;
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
        const comparison = compareBodies(base.body, cand.body, {
          ignore: new PathSet([...this.check.ignore, ...step.ignore]),
          noise: new PathSet(noiseMemory(memory, step.name)),
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
}

function emptyStepTally(baseline: string, candidate: string): StepTally {
  return {
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
  };
}

/** Paths that differ between two runs of the baseline are noise from now on. */
async function learnNoise(context: SampleContext, check: FlowCheck, firstRuns: StepRun[]): Promise<void> {
  const again = await runFlow(context, check, check.baseline);
  again.forEach((run, index) => {
    const first = firstRuns[index];
    if (first && first.status !== undefined && run.status !== undefined) {
      const memory = noiseMemory(context.memory, run.name);
      for (const path of noisePaths(first.body, run.body)) memory.add(path);
    }
  });
}

/** Runs the flow `iterations` times on each side; throws when the baseline answered nothing. */
export async function tallyFlows(check: FlowCheck, context: SampleContext): Promise<FlowTally> {
  const { baseline, candidate } = check;
  const maxExamples = check.max_examples ?? context.defaults.max_examples;
  const tally = new FlowTally(check);
  for (let iteration = 0; iteration < check.iterations; iteration++) {
    if (context.signal.aborted)
      throw new SampleError('timeout', `check timeout reached after ${iteration} of ${check.iterations} iterations`);
    const baseRuns = await runFlow(context, check, baseline);
    const candRuns = await runFlow(context, check, candidate);
    tally.account(baseline, baseRuns);
    tally.account(candidate, candRuns);
    tally.lastRuns[baseline] = baseRuns;
    tally.lastRuns[candidate] = candRuns;
    if (iteration === 0 && check.noise_cancellation) await learnNoise(context, check, baseRuns);
    tally.compare(baseRuns, candRuns, context.memory, maxExamples);
  }
  if ((tally.responded[baseline] ?? 0) === 0) {
    const transport = tally.firstTransportError?.side === baseline ? tally.firstTransportError : undefined;
    const cause = transport ? `: step "${transport.step}": ${transport.message}` : '';
    const reason = transport ? transport.reason : 'http_status';
    throw new SampleError(
      reason === 'canceled' ? 'timeout' : (reason as SampleError['reason']),
      `baseline "${baseline}" answered no request${cause}`,
    );
  }
  return tally;
}
