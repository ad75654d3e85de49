import type { RootConfig } from '../config/schema.js';
import type { CheckProblem } from './check.js';

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
