import type { Dimension } from '../core/dimensions.js';
import { registerKind, type RegisteredKind } from './check.js';
import { configKind } from './config.js';
import { coverageKind } from './coverage.js';
import { distributionKind } from './distribution.js';
import { faultKind } from './fault.js';
import { flowKind } from './flow.js';
import { freshnessKind } from './freshness.js';
import { integrityKind } from './integrity.js';
import { maskingKind } from './masking.js';
import { planKind } from './plan.js';
import { queryKind } from './query.js';
import { schemaKind } from './schema.js';
import { tableKind } from './table.js';
import { virtualKind } from './virtual.js';

/** The one map of check kinds: config validation, scheduling, docs and the demo all read it. */
export const kinds: Readonly<Record<string, RegisteredKind>> = Object.fromEntries(
  // registerKind per entry: each kind has its own option type, erased here.
  [
    registerKind(queryKind),
    registerKind(schemaKind),
    registerKind(planKind),
    registerKind(freshnessKind),
    registerKind(configKind),
    registerKind(integrityKind),
    registerKind(coverageKind),
    registerKind(distributionKind),
    registerKind(maskingKind),
    registerKind(flowKind),
    registerKind(faultKind),
    registerKind(virtualKind),
    registerKind(tableKind),
  ].map((kind) => [kind.kind, kind]),
);

export const kindNames = Object.keys(kinds);

/** The dimension a kind feeds: what scoring is handed, so that it never imports the kinds. */
export function kindDimension(kind: string): Dimension | undefined {
  return kinds[kind]?.dimension;
}
