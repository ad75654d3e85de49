import { z } from 'zod';
import { comparePlans, ignoreNodes, renderPlan, type PlanDifference, type PlanNode } from '../compare/plan.js';
import { identifier } from '../config/fields.js';
import { checkSchema } from '../config/schema.js';
import type { Dialect } from '../connectors/dialects/dialect.js';
import { dialectOf } from '../connectors/dialects/index.js';
import { engineOf, type Engine } from '../core/engines.js';
import type { RootConfig } from '../config/schema.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, KindResult, SampleContext, KindOptions } from './check.js';
import { SampleError } from '../core/errors.js';
import { databaseReferences } from './references.js';
import { readOnlyProblem } from './sql-guard.js';

/**
 * `plan`: EXPLAIN of configured queries on both sides, plan shapes compared (node types, join
 * methods, index names), never costs. Only plain EXPLAIN is run: it plans without executing.
 */

const planQuery = z.strictObject({
  name: identifier,
  sql: z.string().min(1),
  sql_per_side: z.record(identifier, z.string().min(1)).default({}),
});

const schema = checkSchema('plan', {
  database: identifier,
  queries: z.array(planQuery).min(1),
  /** Node types left out of the shape (their children take their place), e.g. Gather, Memoize. */
  ignore_nodes: z.array(z.string().min(1)).default([]),
});

type PlanOptions = KindOptions<typeof schema>;
type PlanQuery = z.output<typeof planQuery>;

const LEADING_COMMENTS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/** The configured text must be the query alone: the check adds EXPLAIN, and never ANALYZE. */
export function explainProblem(sql: string): string | null {
  const text = sql.replace(LEADING_COMMENTS, '');
  if (/^explain\b/i.test(text)) {
    // The options sit between EXPLAIN and the statement: "EXPLAIN ANALYZE", "EXPLAIN (ANALYZE, ...)".
    const options = text.split(/\b(?:select|with|values|table|insert|update|delete|merge)\b/i)[0] ?? '';
    if (/\banaly[sz]e\b/i.test(options)) {
      return 'EXPLAIN ANALYZE executes the statement and is never run; give the query alone (the check runs a plain EXPLAIN itself)';
    }
    return 'give the query without EXPLAIN; the check runs EXPLAIN (FORMAT JSON) itself';
  }
  return readOnlyProblem(sql);
}

/**
 * Plans compare between sides of one engine only: two engines' optimisers weigh the same data
 * differently and name different operations, so a difference would not say that the candidate
 * predicts the baseline less well (docs/cross-engine.md).
 */
function crossEngineProblem(root: RootConfig, check: PlanOptions & { baseline: string; candidate: string }): string | null {
  const dialectOfSide = (side: string) => {
    const url = root.environments[side]?.databases[check.database]?.url;
    const engine = url ? engineOf(url.reveal()) : null;
    return engine ? dialectOf(engine) : null;
  };
  const [baseline, candidate] = [dialectOfSide(check.baseline), dialectOfSide(check.candidate)];
  if (!baseline || !candidate || baseline === candidate) return null;
  return (
    `plans cannot be compared across engines: database "${check.database}" is ${baseline.label} on "${check.baseline}" and ` +
    `${candidate.label} on "${check.candidate}", whose optimisers choose and name operations differently (see docs/cross-engine.md)`
  );
}

function explainSql(dialect: Dialect, sql: string): string {
  return dialect.explain(sql.trim().replace(/;\s*$/, ''));
}

interface SidePlan {
  raw: unknown;
  shape: PlanNode;
}

async function explainSide(context: SampleContext, check: PlanOptions, side: string): Promise<{ engine: Engine; plans: SidePlan[] }> {
  const database = context.database(side, check.database);
  const ignored = new Set(check.ignore_nodes);
  const plans = await database.readOnly(async (session) => {
    const result: SidePlan[] = [];
    for (const query of check.queries) {
      const { rows } = await session.query(explainSql(database.dialect, query.sql_per_side[side] ?? query.sql));
      const text = rows[0]?.[0];
      if (typeof text !== 'string') throw new SampleError('parse', `EXPLAIN of query "${query.name}" on ${side} returned no plan`);
      let raw: unknown;
      let shape: PlanNode;
      try {
        raw = JSON.parse(text);
        shape = database.dialect.planShape(raw);
      } catch (error) {
        throw new SampleError('parse', `plan of query "${query.name}" on ${side}: ${(error as Error).message}`);
      }
      result.push({ raw, shape: ignoreNodes(shape, ignored) });
    }
    return result;
  });
  return { engine: database.engine, plans };
}

interface QueryOutcome {
  query: PlanQuery;
  differences: PlanDifference[];
  baseline: SidePlan;
  candidate: SidePlan;
}

export const planKind: CheckKind<PlanOptions> = {
  kind: 'plan',
  description: 'EXPLAIN of the same queries on both sides; plan shapes (node types, joins, indexes) compared, not costs',
  dimension: 'data',
  schema,

  references(check, root): CheckProblem[] {
    const problems = databaseReferences(root, check.database, [check.baseline, check.candidate]);
    const crossEngine = crossEngineProblem(root, check);
    if (crossEngine) problems.push({ path: ['database'], message: crossEngine });
    const seen = new Set<string>();
    check.queries.forEach((query, index) => {
      if (seen.has(query.name)) problems.push({ path: ['queries', index, 'name'], message: `duplicate query name "${query.name}"` });
      seen.add(query.name);
      const problem = explainProblem(query.sql);
      if (problem) problems.push({ path: ['queries', index, 'sql'], message: problem });
      for (const [side, sql] of Object.entries(query.sql_per_side)) {
        const sideProblem = explainProblem(sql);
        if (sideProblem) problems.push({ path: ['queries', index, 'sql_per_side', side], message: sideProblem });
      }
    });
    return problems;
  },

  async run(check, context): Promise<KindResult> {
    const [baseline, candidate] = await Promise.all([
      explainSide(context, check, check.baseline),
      explainSide(context, check, check.candidate),
    ]);
    const names = { baseline: check.baseline, candidate: check.candidate };
    const outcomes: QueryOutcome[] = check.queries.map((query, index) => {
      const baselinePlan = baseline.plans[index] as SidePlan;
      const candidatePlan = candidate.plans[index] as SidePlan;
      return {
        query,
        baseline: baselinePlan,
        candidate: candidatePlan,
        differences: comparePlans(baselinePlan.shape, candidatePlan.shape, names),
      };
    });
    const differing = outcomes.filter((outcome) => outcome.differences.length > 0);
    const pair = { check: check.name, baseline: check.baseline, candidate: check.candidate };
    const first = differing[0];
    return {
      passed: differing.length === 0,
      summary:
        differing.length === 0
          ? `${outcomes.length} quer${outcomes.length === 1 ? 'y has' : 'ies have'} the same plan shape`
          : `${differing.length} of ${outcomes.length} plans differ; ${first?.query.name}: ${first?.differences[0]?.message ?? ''}`,
      series: [sample('fidelity_plan_differences', pair, differing.length)],
      scores: [{ candidate: check.candidate, value: (outcomes.length - differing.length) / outcomes.length }],
      details: {
        database: check.database,
        engines: { [check.baseline]: baseline.engine, [check.candidate]: candidate.engine },
        ignoredNodes: check.ignore_nodes,
        differingQueries: differing.map((outcome) => outcome.query.name),
        queries: outcomes.map((outcome) => ({
          name: outcome.query.name,
          sameShape: outcome.differences.length === 0,
          differences: outcome.differences,
          shapes: { [check.baseline]: renderPlan(outcome.baseline.shape), [check.candidate]: renderPlan(outcome.candidate.shape) },
          plans: { [check.baseline]: outcome.baseline.raw, [check.candidate]: outcome.candidate.raw },
        })),
      },
    };
  },
};
