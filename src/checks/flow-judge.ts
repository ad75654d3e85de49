import { compareLatency, median, type LatencyComparison } from '../compare/stats.js';
import { sample, type MetricSample } from '../metrics/catalogue.js';
import type { CheckConfig, KindResult } from './check.js';
import type { FlowOptions } from './flow-schema.js';
import type { FlowTally, ParityCounts, StepTally } from './flow-tally.js';

/**
 * The last stages of a `flow` sample: judge the tally (parity ratios, error excess, latency over
 * the window of samples, the score) and render the judgement as series, summary and details.
 */

type FlowCheck = CheckConfig<FlowOptions>;

export interface FlowJudgement extends ParityCounts {
  statusParity: number;
  bodyParity: number;
  mutationParity: number;
  errorRatio: Record<string, number>;
  errorExcess: number;
  flowLatency: LatencyComparison;
  stepLatency: Map<string, LatencyComparison>;
  slowerSteps: string[];
  slower: boolean;
  score: number;
  passed: boolean;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 1);

function pushWindow(memory: Map<string, unknown>, key: string, values: number[], size: number): number[] {
  const window = (memory.get(key) as number[] | undefined) ?? [];
  window.push(...values);
  if (window.length > size) window.splice(0, window.length - size);
  memory.set(key, window);
  return window;
}

/** Flow and step latency, over windows of durations that survive between samples. */
function judgeLatency(check: FlowCheck, memory: Map<string, unknown>, tally: FlowTally) {
  const { baseline, candidate } = check;
  const window = check.latency.window;
  const options = { minSamples: check.latency.min_samples, alpha: check.latency.alpha, tolerance: check.latency.tolerance };
  const flowLatency = compareLatency(
    pushWindow(memory, `latency:${baseline}:`, tally.flowDurations[baseline] ?? [], window),
    pushWindow(memory, `latency:${candidate}:`, tally.flowDurations[candidate] ?? [], window),
    options,
  );
  const stepLatency = new Map<string, LatencyComparison>();
  for (const step of check.steps) {
    const durations = tally.stepDurations.get(step.name) ?? {};
    stepLatency.set(
      step.name,
      compareLatency(
        pushWindow(memory, `latency:${baseline}:${step.name}`, durations[baseline] ?? [], window),
        pushWindow(memory, `latency:${candidate}:${step.name}`, durations[candidate] ?? [], window),
        options,
      ),
    );
  }
  return { flowLatency, stepLatency };
}

function sumSteps(tally: FlowTally) {
  const sums: ParityCounts = { compared: 0, statusMatches: 0, bodyCompared: 0, bodyIdentical: 0, mutationCompared: 0, mutationMatches: 0 };
  for (const step of tally.steps.values()) for (const key of Object.keys(sums) as Array<keyof ParityCounts>) sums[key] += step[key];
  return sums;
}

export function judgeFlows(check: FlowCheck, memory: Map<string, unknown>, tally: FlowTally): FlowJudgement {
  const { baseline, candidate } = check;
  const { flowLatency, stepLatency } = judgeLatency(check, memory, tally);
  const sums = sumSteps(tally);
  const statusParity = ratio(sums.statusMatches, sums.compared);
  const bodyParity = ratio(sums.bodyIdentical, sums.bodyCompared);
  const mutationParity = ratio(sums.mutationMatches, sums.mutationCompared);
  const errorRatio = Object.fromEntries(
    [baseline, candidate].map((side) => [side, ratio(tally.errors[side] ?? 0, tally.requests[side] ?? 0)]),
  ) as Record<string, number>;
  const slowerSteps = [...stepLatency].filter(([, latency]) => latency.verdict === 'slower').map(([name]) => name);
  const slower = flowLatency.verdict === 'slower' || slowerSteps.length > 0;
  const errorExcess = Math.max(0, (errorRatio[candidate] ?? 0) - (errorRatio[baseline] ?? 0));

  const latencyScore =
    slower && Number.isFinite(flowLatency.ratio) && flowLatency.ratio > 0
      ? Math.min(1, 1 / Math.max(flowLatency.ratio, ...slowerSteps.map((s) => stepLatency.get(s)?.ratio ?? 1)))
      : slower
        ? 0
        : 1;
  const components = [statusParity, bodyParity, 1 - errorExcess, latencyScore, ...(sums.mutationCompared > 0 ? [mutationParity] : [])];
  const score = components.reduce((sum, value) => sum + value, 0) / components.length;
  const passed = statusParity === 1 && bodyParity === 1 && mutationParity === 1 && !slower && errorExcess === 0;
  return {
    ...sums,
    statusParity,
    bodyParity,
    mutationParity,
    errorRatio,
    errorExcess,
    flowLatency,
    stepLatency,
    slowerSteps,
    slower,
    score,
    passed,
  };
}

function flowSeries(check: FlowCheck, tally: FlowTally, judged: FlowJudgement): MetricSample[] {
  const { baseline, candidate } = check;
  const { flowLatency } = judged;
  const pair = { check: check.name, baseline, candidate };
  const series: MetricSample[] = [
    sample('fidelity_flow_status_parity_ratio', pair, judged.statusParity),
    sample('fidelity_flow_body_parity_ratio', pair, judged.bodyParity),
    sample('fidelity_flow_error_ratio', { check: check.name, side: baseline }, judged.errorRatio[baseline] ?? 0),
    sample('fidelity_flow_error_ratio', { check: check.name, side: candidate }, judged.errorRatio[candidate] ?? 0),
  ];
  if (judged.mutationCompared > 0) series.push(sample('fidelity_flow_mutation_parity_ratio', pair, judged.mutationParity));
  for (const side of [baseline, candidate]) {
    const durations = tally.flowDurations[side] ?? [];
    if (durations.length > 0) series.push(sample('fidelity_flow_duration_seconds', { check: check.name, side }, median(durations) / 1000));
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
  for (const [step, latency] of judged.stepLatency) {
    if (Number.isFinite(latency.ratio)) series.push(sample('fidelity_flow_step_latency_ratio', { ...pair, step }, latency.ratio));
  }
  for (const [key, values] of tally.phaseSamples) {
    const [step, side, connection, phase] = JSON.parse(key) as [string, string, string, string];
    series.push(sample('fidelity_flow_step_duration_seconds', { check: check.name, step, side, connection, phase }, median(values)));
  }
  return series;
}

function flowSummary(check: FlowCheck, judged: FlowJudgement): string {
  const { baseline, candidate } = check;
  const { compared, bodyCompared, mutationCompared, flowLatency, slowerSteps } = judged;
  const problems: string[] = [];
  if (judged.statusParity < 1) problems.push(`status differs in ${compared - judged.statusMatches} of ${compared} steps`);
  if (judged.bodyParity < 1) problems.push(`body differs in ${bodyCompared - judged.bodyIdentical} of ${bodyCompared} steps`);
  if (judged.mutationParity < 1)
    problems.push(`data mutation differs in ${mutationCompared - judged.mutationMatches} of ${mutationCompared} checks`);
  if (judged.errorExcess > 0)
    problems.push(
      `error ratio ${candidate} ${(judged.errorRatio[candidate] ?? 0).toFixed(2)} vs ${baseline} ${(judged.errorRatio[baseline] ?? 0).toFixed(2)}`,
    );
  if (judged.slower)
    problems.push(
      `${candidate} slower${slowerSteps.length > 0 ? ` in ${slowerSteps.join(', ')}` : ''} (x${flowLatency.ratio.toFixed(2)} overall)`,
    );
  const latencyNote = flowLatency.verdict === 'inconclusive' ? `; latency inconclusive (${flowLatency.reason})` : '';
  return problems.length > 0
    ? `${problems.join('; ')}${latencyNote}`
    : `${check.steps.length} steps x ${check.iterations} iterations: same status and bodies${latencyNote}`;
}

function flowDetails(check: FlowCheck, tally: FlowTally, judged: FlowJudgement): Record<string, unknown> {
  const { baseline, candidate } = check;
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
    iterations: check.iterations,
    connection: check.connection,
    statusParity: judged.statusParity,
    bodyParity: judged.bodyParity,
    ...(judged.mutationCompared > 0 ? { mutationParity: judged.mutationParity } : {}),
    errorRatio: { [baseline]: judged.errorRatio[baseline] ?? 0, [candidate]: judged.errorRatio[candidate] ?? 0 },
    latency: {
      flow: latencyDetails(judged.flowLatency),
      steps: Object.fromEntries([...judged.stepLatency].map(([name, latency]) => [name, latencyDetails(latency)])),
    },
    steps: check.steps.map((step, index) => {
      const steps = tally.steps.get(step.name) as StepTally;
      const last = (side: string) => tally.lastRuns[side]?.[index];
      return {
        name: step.name,
        method: step.method,
        path: { [baseline]: last(baseline)?.path ?? step.path, [candidate]: last(candidate)?.path ?? step.path },
        statuses: steps.statuses,
        statusParity: ratio(steps.statusMatches, steps.compared),
        bodyParity: ratio(steps.bodyIdentical, steps.bodyCompared),
        differences: steps.differences,
        noise: [...steps.noise],
        errors: steps.errors,
        failures: steps.failures,
        ...(steps.mutation ? { mutation: steps.mutation } : {}),
      };
    }),
  };
}

export function renderFlows(check: FlowCheck, tally: FlowTally, judged: FlowJudgement): KindResult {
  return {
    passed: judged.passed,
    summary: flowSummary(check, judged),
    series: flowSeries(check, tally, judged),
    scores: [{ candidate: check.candidate, value: Math.max(0, Math.min(1, judged.score)) }],
    details: flowDetails(check, tally, judged),
  };
}
