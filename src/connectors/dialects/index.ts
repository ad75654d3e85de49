import type { Dialect, Engine } from './dialect.js';
import { mysqlDialect } from './mysql.js';
import { postgresDialect } from './postgres.js';

/**
 * The one map from engine name to its dialect: adding an engine adds one line here. URL schemes
 * and default ports are read from the dialects too.
 */
export const dialects: Readonly<Record<Engine, Dialect>> = {
  postgres: postgresDialect,
  mysql: mysqlDialect,
};

export function dialectOf(engine: Engine): Dialect {
  return dialects[engine];
}

/** The engine of a connection URL, from its scheme; null when no dialect claims the scheme. */
export function engineOf(url: string): Engine | null {
  const scheme = /^([a-z0-9+]+):\/\//i.exec(url)?.[1]?.toLowerCase() ?? '';
  return Object.values(dialects).find((dialect) => dialect.urlSchemes.includes(scheme))?.engine ?? null;
}

/**
 * `host:port` of a database URL, for error messages: never the user, password or database name.
 * PostgreSQL URLs may name the host in `?host=` (a socket directory) instead.
 */
export function endpointOf(url: string): string {
  const engine = engineOf(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'unknown host';
  }
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const port = parsed.port || parsed.searchParams.get('port') || (engine ? String(dialects[engine].defaultPort) : 'default port');
  return `${host}:${port}`;
}

export type { Dialect, Engine } from './dialect.js';
