import type { RootConfig } from '../config/schema.js';
import type { CheckProblem } from './check.js';
import { readOnlyProblem } from './sql-guard.js';

/** Shared cross-reference checks used by the kinds' `references` hooks. */

export function sideReferences(root: RootConfig, sides: string[]): CheckProblem[] {
  const known = Object.keys(root.environments);
  return sides
    .filter((side) => !(side in root.environments))
    .map((side) => ({ path: [], message: `environment "${side}" is not defined (defined: ${known.join(', ')})` }));
}

export function databaseReferences(root: RootConfig, database: string, sides: string[]): CheckProblem[] {
  const problems: CheckProblem[] = [];
  for (const side of sides) {
    const environment = root.environments[side];
    if (!environment) continue; // reported once by sideReferences
    if (!(database in environment.databases)) {
      problems.push({ path: ['database'], message: `database "${database}" is not defined in environment "${side}"` });
    }
  }
  return problems;
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
