// A login role that can only read, for tests that connect the exporter the way the docs
// recommend (superuser only to build fixtures).
import { randomBytes } from 'node:crypto';
import type { DatabaseServer } from './binaries.js';

/**
 * Creates a read-only login role on `server` and returns a URL for it to `database` (default:
 * the server's own). PostgreSQL: `pg_read_all_data`; MySQL/MariaDB: `SELECT` on the database.
 */
export async function createReadOnlyRole(server: DatabaseServer, name = 'fidelity_reader', database?: string): Promise<string> {
  const password = randomBytes(12).toString('hex');
  const url = new URL(server.superuserUrl(database));
  const schema = decodeURIComponent(url.pathname.slice(1));
  if (url.protocol.startsWith('postgres')) {
    await server.exec(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'; GRANT pg_read_all_data TO ${name}`, database);
  } else {
    await server.exec(
      `CREATE USER '${name}'@'127.0.0.1' IDENTIFIED BY '${password}'; GRANT SELECT ON \`${schema}\`.* TO '${name}'@'127.0.0.1'`,
      database,
    );
  }
  url.username = name;
  url.password = password;
  return url.toString();
}
