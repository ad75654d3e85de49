// A login role with the documented least-privilege grants for `query` checks on one database, for
// tests that need a plain reader (superuser only to build fixtures).
import type { DatabaseServer } from './binaries.js';
import { createLeastPrivilegeRole } from './least-privilege.js';

/** The URL of a new role that may read `database` (default: the server's own) as docs/configuration.md says. */
export async function createReadOnlyRole(server: DatabaseServer, database?: string): Promise<string> {
  const name = database ?? decodeURIComponent(new URL(server.url()).pathname.slice(1));
  const role = await createLeastPrivilegeRole(server, { databases: [name], kinds: ['query'] });
  return role.url(name);
}
