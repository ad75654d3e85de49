import { z } from 'zod';
import { PathSet, compareBodies, noisePaths, type JsonDifference } from '../compare/responses.js';
import { checkSchema } from '../config/schema.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckConfig, CheckKind, CheckProblem, KindResult, KindOptions, SampleContext } from './check.js';
import { SampleError } from '../core/errors.js';
import {
  connectionField,
  httpReferences,
  ignorePath,
  oneBody,
  requestFields,
  runRequest,
  variableReferences,
  type RequestRun,
} from './http-steps.js';

/**
 * `virtual`: the same requests sent to a real service (baseline) and to its mock (candidate).
 * Accuracy = identical responses / requests; coverage = real endpoints and status codes that the
 * mock reproduces.
 */

const requestSchema = z
  .strictObject({
    ...requestFields,
    compare_body: z.boolean().default(true),
    ignore: z.array(ignorePath).default([]),
  })
  .superRefine(oneBody);

const schema = checkSchema('virtual', {
  requests: z
    .array(requestSchema)
    .min(1)
    .superRefine((requests, ctx) => {
      const seen = new Set<string>();
      requests.forEach((request, index) => {
        if (seen.has(request.name))
          ctx.addIssue({ code: 'custom', message: `duplicate request name "${request.name}"`, path: [index, 'name'] });
        seen.add(request.name);
      });
    }),
  ignore: z.array(ignorePath).default([]),
  /** Send each request to the real service twice; paths that differ between the two are noise. */
  noise_cancellation: z.boolean().default(true),
  /** Accuracy at or above which the check passes. */
  min_accuracy: z.number().min(0).max(1).default(1),
  connection: connectionField,
  max_examples: z.number().int().min(0).max(1000).optional(),
});

type VirtualOptions = KindOptions<typeof schema>;

/** Statuses that mean "this endpoint does not exist here". */
const ABSENT = new Set([404, 405, 501]);

/**
 * Whether the mock answered as the real service did: same status and, when compared, the same body
 * less ignored paths and the real service's own noise (two of its answers that differ). Writes the
 * verdict, differences and noise into the request's row.
 */
async function sameResponse(
  check: CheckConfig<VirtualOptions>,
  context: SampleContext,
  request: CheckConfig<VirtualOptions>['requests'][number],
  runs: { real: RequestRun; mock: RequestRun },
  row: Record<string, unknown>,
): Promise<boolean> {
  const { real, mock } = runs;
  let noise: string[] = [];
  if (check.noise_cancellation) {
    const again = await runRequest(context, check.baseline, request, { variables: new Map(), connection: check.connection });
    if (again.status !== undefined) noise = noisePaths(real.body, again.body);
  }
  let differences: JsonDifference[] = [];
  let same = mock.status === real.status;
  if (same && request.compare_body && mock.status !== undefined) {
    const comparison = compareBodies(real.body, mock.body, {
      ignore: new PathSet([...check.ignore, ...request.ignore]),
      noise: new PathSet(noise),
      maxDifferences: check.max_examples ?? context.defaults.max_examples,
    });
    same = comparison.identical;
    differences = comparison.differences;
    if (comparison.noise.length > 0) row.noise = comparison.noise;
  }
  row.identical = same;
  if (differences.length > 0) row.differences = differences;
  return same;
}

export const virtualKind: CheckKind<VirtualOptions> = {
  kind: 'virtual',
  description: 'requests to a real service and its mock: identical-response accuracy, endpoint and status coverage',
  dimension: 'behavior',
  schema,

  references(check, root): CheckProblem[] {
    return [
      ...httpReferences(root, [check.baseline, check.candidate], check.requests, 'requests'),
      ...variableReferences(
        check.requests.map((request) => ({ ...request, extract: {}, expect: { json: [] } })),
        [],
      ).map((problem) => ({ ...problem, path: ['requests', ...problem.path.slice(1)] })),
    ];
  },

  async run(check, context): Promise<KindResult> {
    const { baseline, candidate } = check;
    const noVariables = new Map<string, string>();
    const rows: Record<string, unknown>[] = [];
    let compared = 0;
    let identical = 0;
    const realEndpoints = new Set<string>();
    const coveredEndpoints = new Set<string>();
    const realStatuses = new Set<string>();
    const coveredStatuses = new Set<string>();
    let firstError: string | undefined;
    for (const request of check.requests) {
      if (context.signal.aborted) throw new SampleError('timeout', 'check timeout reached while sending requests');
      const options = { variables: noVariables, connection: check.connection };
      const real = await runRequest(context, baseline, request, options);
      const mock = await runRequest(context, candidate, request, options);
      const endpoint = `${request.method} ${request.path}`;
      const row: Record<string, unknown> = {
        name: request.name,
        endpoint,
        status: { [baseline]: real.status ?? null, [candidate]: mock.status ?? null },
      };
      const errors = Object.fromEntries(
        [real, mock].filter((run) => run.error).map((run) => [run.side, `${run.error?.reason}: ${run.error?.message}`]),
      );
      if (Object.keys(errors).length > 0) row.errors = errors;
      rows.push(row);
      if (real.status === undefined) {
        firstError ??= real.error?.message;
        continue;
      }
      compared++;
      if (!ABSENT.has(real.status)) {
        realEndpoints.add(endpoint);
        if (mock.status !== undefined && !ABSENT.has(mock.status)) coveredEndpoints.add(endpoint);
      }
      const statusKey = `${endpoint} -> ${real.status}`;
      realStatuses.add(statusKey);
      if (mock.status === real.status) coveredStatuses.add(statusKey);
      if (await sameResponse(check, context, request, { real, mock }, row)) identical++;
    }
    if (compared === 0) throw new SampleError('connect', `real service "${baseline}" answered no request: ${firstError ?? 'no response'}`);
    const accuracy = identical / compared;
    const endpointCoverage = realEndpoints.size > 0 ? coveredEndpoints.size / realEndpoints.size : 1;
    const statusCoverage = realStatuses.size > 0 ? coveredStatuses.size / realStatuses.size : 1;
    const uncovered = [...realStatuses].filter((key) => !coveredStatuses.has(key));
    return {
      passed: accuracy >= check.min_accuracy,
      summary: `${identical} of ${compared} responses identical; mock covers ${coveredEndpoints.size} of ${realEndpoints.size} endpoints and ${coveredStatuses.size} of ${realStatuses.size} status codes`,
      series: [
        sample('fidelity_virtual_accuracy_ratio', { check: check.name }, accuracy),
        sample('fidelity_virtual_endpoint_coverage_ratio', { check: check.name }, endpointCoverage),
        sample('fidelity_virtual_status_coverage_ratio', { check: check.name }, statusCoverage),
      ],
      scores: [{ candidate, value: (accuracy + endpointCoverage + statusCoverage) / 3 }],
      details: {
        accuracy,
        endpointCoverage,
        statusCoverage,
        requests: rows,
        uncoveredEndpoints: [...realEndpoints].filter((endpoint) => !coveredEndpoints.has(endpoint)),
        uncoveredStatuses: uncovered,
      },
    };
  },
};
