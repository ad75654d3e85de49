import { SampleError } from '../core/errors.js';

/**
 * Privilege errors as `permission` failures that name what the exporter's role lacks and the
 * statement that grants it, so that the fix is one copy-paste away. The statements match the
 * least-privilege roles of docs/configuration.md.
 */

const DOCS = 'docs/configuration.md#least-privilege-roles';

/** The failure for a privilege the role lacks: what could not be read, the privilege and its GRANT. */
export function permissionError(what: string, privilege: string, grant: string): SampleError {
  return new SampleError('permission', `${what}: the role lacks ${privilege}; grant it with: ${grant}`);
}

function pgIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** PostgreSQL SQLSTATE 42501 (insufficient_privilege) with the role the connection logged in as. */
export function postgresPermissionError(message: string, role: string | undefined): SampleError {
  const grantee = role ? pgIdent(role) : '<exporter role>';
  const found = /permission denied for (table|view|materialized view|sequence|schema|database|function|relation) ("?[^\s"]+"?)/i.exec(
    message,
  );
  const object = found?.[2] ?? '';
  switch (found?.[1]?.toLowerCase()) {
    case 'table':
    case 'view':
    case 'materialized view':
    case 'relation':
      return permissionError(message, `SELECT on ${object}`, `GRANT SELECT ON ${object} TO ${grantee};`);
    case 'sequence':
      return permissionError(message, `SELECT on sequence ${object}`, `GRANT SELECT ON SEQUENCE ${object} TO ${grantee};`);
    case 'schema':
      return permissionError(message, `USAGE on schema ${object}`, `GRANT USAGE ON SCHEMA ${object} TO ${grantee};`);
    case 'database':
      return permissionError(message, `CONNECT on database ${object}`, `GRANT CONNECT ON DATABASE ${object} TO ${grantee};`);
    case 'function':
      return permissionError(message, `EXECUTE on function ${object}`, `GRANT EXECUTE ON FUNCTION ${object} TO ${grantee};`);
    default:
      return new SampleError('permission', `${message} (see ${DOCS} for the grants each kind needs)`);
  }
}

/** MySQL/MariaDB error numbers that mean a missing privilege (not a failed login). */
const MYSQL_PRIVILEGE_ERRORS = new Set([1142, 1143, 1227, 1345, 1044]);

/**
 * The `permission` failure for a MySQL/MariaDB privilege error, or null when `errno` is not one.
 * The server names the account (`'fidelity'@'%'`) in the message; the GRANT reuses it.
 */
export function mysqlPermissionError(errno: number | undefined, message: string): SampleError | null {
  if (errno === undefined || !MYSQL_PRIVILEGE_ERRORS.has(errno)) return null;
  const named = /(?:to|for) user '([^']*)'@'([^']*)'/i.exec(message);
  const account = mysqlAccount(named ? `${named[1]}@${named[2]}` : '');
  // MariaDB: for table `shop`.`orders`; MySQL 8: for table 'orders'.
  const table = /for table (`[^`]+`(?:\.`[^`]+`)?|'[^']+')/i.exec(message)?.[1]?.replaceAll("'", '`');
  if (errno === 1142 || errno === 1143) {
    const command = /^(\w+) command denied/i.exec(message)?.[1]?.toUpperCase() ?? 'SELECT';
    const on = table ?? '<database>.*';
    return permissionError(
      message,
      `${command} on ${on}`,
      `GRANT ${command} ON ${on.includes('.') ? on : `<database>.${on}`} TO ${account};`,
    );
  }
  if (errno === 1227) {
    const privilege = /the (\w+(?: \w+)?) privilege/i.exec(message)?.[1]?.toUpperCase() ?? 'PROCESS';
    return permissionError(message, privilege, `GRANT ${privilege} ON *.* TO ${account};`);
  }
  if (errno === 1345) {
    // EXPLAIN of a view needs SHOW VIEW on it and SELECT on every table under it.
    return permissionError(
      message,
      'SHOW VIEW (and SELECT on the tables under the view)',
      `GRANT SELECT, SHOW VIEW ON <database>.* TO ${account};`,
    );
  }
  const database = /to database '([^']+)'/i.exec(message)?.[1] ?? '<database>';
  return permissionError(message, `SELECT on ${database}.*`, `GRANT SELECT ON \`${database}\`.* TO ${account};`);
}

/**
 * `fidelity@%` as CURRENT_USER() prints it, quoted for a GRANT: `` `fidelity`@`%` `` (identifier
 * quotes, which GRANT accepts, so that message scrubbing of string literals keeps the account).
 */
export function mysqlAccount(currentUser: string): string {
  const at = currentUser.lastIndexOf('@');
  const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;
  return at < 0 ? '`<exporter user>`@`%`' : `${quote(currentUser.slice(0, at))}@${quote(currentUser.slice(at + 1))}`;
}

/**
 * The server's message names the client's address ('fidelity'@'10.0.0.7'), while the GRANT must
 * name the account it matched ('fidelity'@'%'): the GRANT is rewritten for CURRENT_USER().
 */
export function withMysqlAccount(error: SampleError, currentUser: string): SampleError {
  if (error.reason !== 'permission' || !currentUser.includes('@')) return error;
  return new SampleError('permission', error.message.replace(/ TO \S+@\S+;$/, ` TO ${mysqlAccount(currentUser)};`));
}
