import type { RootConfig } from '../config/schema.js';
import { didYouMean } from '../config/suggest.js';
import type { CheckProblem } from './check.js';
import { readOnlyProblem } from './sql-guard.js';

/** Shared cross-reference checks used by the kinds' `references` hooks. */

export function sideReferences(root: RootConfig, sides: string[]): CheckProblem[] {
  const known = Object.keys(root.environments);
  return sides
    .filter((side) => !(side in root.environments))
    .map((side) => ({
      path: [],
      message: `environment "${side}" is not defined${didYouMean(side, known) || ` (defined: ${known.join(', ')})`}`,
    }));
}

/** "environment \"a\"" or "environments \"a\" and \"b\"" */
export function environmentsPhrase(sides: string[]): string {
  const quoted = sides.map((side) => `"${side}"`);
  return quoted.length === 1 ? `environment ${quoted[0]}` : `environments ${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

export function databaseReferences(root: RootConfig, database: string, sides: string[]): CheckProblem[] {
  const missing: string[] = [];
  const known = new Set<string>();
  for (const side of new Set(sides)) {
    const environment = root.environments[side];
    if (!environment) continue; // reported once by sideReferences
    if (!(database in environment.databases)) missing.push(side);
    for (const name of Object.keys(environment.databases)) known.add(name);
  }
  if (missing.length === 0) return [];
  return [
    {
      path: ['database'],
      message: `database "${database}" is not defined in ${environmentsPhrase(missing)}${didYouMean(database, known)}`,
    },
  ];
}

/** The database exists on both sides, and `sql` and every per-side override is a single read. */
export function sqlCheckReferences(
  root: RootConfig,
  check: { database: string; sql: string; sql_per_side: Record<string, string>; baseline: string; candidate: string },
): CheckProblem[] {
  const problems = databaseReferences(root, check.database, [check.baseline, check.candidate]);
  const guard = readOnlyProblem(check.sql);
  if (guard) problems.push({ path: ['sql'], message: guard });
  for (const [side, sql] of Object.entries(check.sql_per_side)) {
    const problem = readOnlyProblem(sql);
    if (problem) problems.push({ path: ['sql_per_side', side], message: problem });
  }
  return problems;
}
