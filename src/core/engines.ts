/**
 * The database engines the exporter speaks, and how a connection URL names one. The configuration
 * schema recognises URLs from this table; everything else an engine writes its own way lives in its
 * dialect (connectors/dialects/).
 */

export type Engine = 'postgres' | 'mysql';

interface EngineUrl {
  /** URL schemes of the engine's connection URLs (`postgres://`), lower case. */
  readonly schemes: readonly string[];
  /** The port a URL without one connects to. */
  readonly defaultPort: number;
}

export const engineUrls: Readonly<Record<Engine, EngineUrl>> = {
  postgres: { schemes: ['postgres', 'postgresql'], defaultPort: 5432 },
  mysql: { schemes: ['mysql', 'mariadb'], defaultPort: 3306 },
};

/** The engine of a connection URL, from its scheme; null when no engine claims the scheme. */
export function engineOf(url: string): Engine | null {
  const scheme = /^([a-z0-9+]+):\/\//i.exec(url)?.[1]?.toLowerCase() ?? '';
  const found = Object.entries(engineUrls).find(([, known]) => known.schemes.includes(scheme));
  return found ? (found[0] as Engine) : null;
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
  const port = parsed.port || parsed.searchParams.get('port') || (engine ? String(engineUrls[engine].defaultPort) : 'default port');
  return `${host}:${port}`;
}
