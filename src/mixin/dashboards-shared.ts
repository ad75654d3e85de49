import { metric as M } from './metrics.js';
import type { Scope } from './promql.js';

/** What the dashboards share. */

export const BY = 'job, instance';

export const SCORE = { unit: 'percentunit', min: 0, max: 1 } as const;

/** Rows a table check found different: missing + extra + changed (same labels on all three). */
export const tableDifferingRows = (s: Scope) => `(${s.m(M.tableMissingRows)} + ${s.m(M.tableExtraRows)} + ${s.m(M.tableChangedRows)})`;
