// The least-privilege roles of docs/configuration.md ("Least-privilege roles"), created on a test
// server so that integration tests connect the exporter the way users are told to: never as the
// superuser or root, which only builds the fixtures.
import { randomBytes } from 'node:crypto';
import type { DatabaseServer } from './binaries.js';

export type Engine = 'postgres' | 'mysql';
/** The kinds that read a database (flow: its verify queries). */
export type DatabaseKind =
  'flow' | 'query' | 'table' | 'schema' | 'plan' | 'freshness' | 'integrity' | 'coverage' | 'distribution' | 'masking';

export interface LeastPrivilegeOptions {
  /** Databases the role reads (each side's database). */
  databases: readonly string[];
  kinds: readonly DatabaseKind[];
  /** PostgreSQL schemas of those databases; default `public`. */
  schemas?: readonly string[];
  /** Plan checks whose queries read views (MariaDB/MySQL: SHOW VIEW). */
  views?: boolean;
  /** For tests of what a role cannot see: a table left out of the SELECT grant. */
  withoutSelectOn?: { database: string; table: string; schema?: string };
}

export interface LeastPrivilegeRole {
  readonly user: string;
  /** The statements that created the role, as the documentation prints them. */
  readonly statements: readonly string[];
  /** Like the server's url(): `database` defaults to the one the server was started with. */
  url(database?: string): string;
}

export function engineOf(server: DatabaseServer): Engine {
  return server.url().startsWith('postgres') ? 'postgres' : 'mysql';
}

/**
 * The GRANTs of docs/configuration.md for `role` on `databases`: PostgreSQL CONNECT, USAGE on
 * the schemas and SELECT on their tables (also tables created later); MySQL/MariaDB SELECT on
 * the databases, and SHOW VIEW for plan checks over views. `schema` checks on PostgreSQL need no
 * SELECT: pg_catalog is readable by every role.
 */
export function leastPrivilegeGrants(
  engine: Engine,
  role: string,
  options: Omit<LeastPrivilegeOptions, 'withoutSelectOn'> & { owner?: string },
): Map<string, string[]> {
  const byDatabase = new Map<string, string[]>();
  const needsSelect = options.kinds.some((kind) => kind !== 'schema');
  for (const database of options.databases) {
    if (engine === 'postgres') {
      const statements = [`GRANT CONNECT ON DATABASE ${database} TO ${role};`];
      for (const schema of options.schemas ?? ['public']) {
        statements.push(`GRANT USAGE ON SCHEMA ${schema} TO ${role};`);
        if (needsSelect) {
          statements.push(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role};`);
          statements.push(
            `ALTER DEFAULT PRIVILEGES FOR ROLE ${options.owner ?? 'postgres'} IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${role};`,
          );
        }
      }
      byDatabase.set(database, statements);
    } else {
      const statements = [`GRANT SELECT ON \`${database}\`.* TO '${role}'@'%';`];
      if (options.views && options.kinds.includes('plan')) statements.push(`GRANT SHOW VIEW ON \`${database}\`.* TO '${role}'@'%';`);
      byDatabase.set(database, statements);
    }
  }
  return byDatabase;
}

let roles = 0;

function defaultDatabase(server: DatabaseServer): string {
  return decodeURIComponent(new URL(server.url()).pathname.slice(1));
}

/** Creates a login role with exactly the documented grants for `kinds` on `databases`. */
export async function createLeastPrivilegeRole(server: DatabaseServer, options: LeastPrivilegeOptions): Promise<LeastPrivilegeRole> {
  const engine = engineOf(server);
  roles += 1;
  const user = `fidelity_${process.pid}_${roles}`;
  const password = randomBytes(12).toString('hex');
  const grants = leastPrivilegeGrants(engine, user, options);
  const statements: string[] = [];
  if (engine === 'postgres') {
    await server.exec(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`, 'postgres');
    // PUBLIC holds CONNECT on every database and USAGE on public by default; the role gets its own.
    for (const [database, list] of grants) {
      for (const statement of list) await server.exec(statement, database);
      statements.push(...list);
    }
    const left = options.withoutSelectOn;
    if (left) await server.exec(`REVOKE SELECT ON ${left.schema ?? 'public'}.${left.table} FROM ${user}`, left.database);
  } else {
    await server.exec(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    for (const [database, list] of grants) {
      const left = options.withoutSelectOn;
      if (left?.database === database) {
        // Database-wide SELECT cannot leave one table out: grant SELECT table by table instead.
        const tables = await server.query<{ name: string }>(
          'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
          [database],
        );
        for (const { name } of tables)
          if (name !== left.table) await server.exec(`GRANT SELECT ON \`${database}\`.\`${name}\` TO '${user}'@'%'`);
        continue;
      }
      for (const statement of list) await server.exec(statement);
      statements.push(...list);
    }
  }
  const scheme = engine === 'postgres' ? 'postgres' : 'mysql';
  return {
    user,
    statements,
    url: (database = defaultDatabase(server)) =>
      `${scheme}://${user}:${password}@${server.host}:${server.port}/${encodeURIComponent(database)}`,
  };
}
