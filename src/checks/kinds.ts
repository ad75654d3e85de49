import { registerKind, type RegisteredKind } from './check.js';
import { queryKind } from './query.js';

/** The one map of check kinds: config validation, scheduling, docs and the demo all read it. */
export const kinds: Readonly<Record<string, RegisteredKind>> = Object.fromEntries(
  [queryKind].map((kind) => [kind.kind, registerKind(kind)]),
);

export const kindNames = Object.keys(kinds);
