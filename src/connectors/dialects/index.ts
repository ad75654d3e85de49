import type { Dialect } from './dialect.js';
import type { Engine } from '../../core/engines.js';
import { mysqlDialect } from './mysql.js';
import { postgresDialect } from './postgres.js';

/**
 * The one map from engine name to its dialect: adding an engine adds one line here. URL schemes
 * and default ports are in core/engines.ts.
 */
export const dialects: Readonly<Record<Engine, Dialect>> = {
  postgres: postgresDialect,
  mysql: mysqlDialect,
};

export function dialectOf(engine: Engine): Dialect {
  return dialects[engine];
}

export type { Dialect } from './dialect.js';
