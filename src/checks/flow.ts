import type { CheckKind, CheckProblem, KindResult } from './check.js';
import { judgeFlows, renderFlows } from './flow-judge.js';
import { flowSchema, type FlowOptions } from './flow-schema.js';
import { tallyFlows } from './flow-tally.js';
import { httpReferences, variableReferences } from './http-steps.js';

/**
 * `flow`: a multi-step HTTP user flow (login, search, checkout) run against the baseline and the
 * candidate; status, body and data-mutation parity per step, error ratio per side, and latency
 * compared over a window of samples (ratio of medians and a Mann-Whitney U test).
 *
 * A sample runs in three stages: run the flows and tally them (flow-tally.ts), judge the tally and
 * render the judgement (flow-judge.ts). The options are in flow-schema.ts.
 */

export const flowKind: CheckKind<FlowOptions> = {
  kind: 'flow',
  description: 'multi-step HTTP user flows on both sides: status, body and mutation parity, error ratio, latency',
  dimension: 'behavior',
  schema: flowSchema,

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

  async run(check, context): Promise<KindResult> {
    const tally = await tallyFlows(check, context);
    const judged = judgeFlows(check, context.memory, tally);
    return renderFlows(check, tally, judged);
  },
};
