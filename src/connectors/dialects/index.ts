import type { Dialect, Engine } from './dialect.js';
import { mysqlDialect } from './mysql.js';
import { postgresDialect } from './postgres.js';

/** The one map from engine name to its dialect: adding an engine adds one line here. */
export const dialects: Readonly<Record<Engine, Dialect>> = {
  postgres: postgresDialect,
  mysql: mysqlDialect,
};

export function dialectOf(engine: Engine): Dialect {
  return dialects[engine];
}

export type { Dialect, Engine } from './dialect.js';
