import { engineOf, engineUrls } from '../core/engines.js';

/**
 * Checks a database URL's shape at load time, so that `check-config` refuses what the driver would
 * only refuse at the first sample. Messages never echo the URL or any part that may hold a secret
 * (a password typed where the port goes is still a password).
 */
const SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^/?#]*)@)?(\[[^\]]*\]|[^:/?#@]*)(?::([^/?#]*))?(\/[^?#]*)?(\?[^#]*)?$/;

export function databaseUrlProblems(url: string): string[] {
  const schemes = Object.values(engineUrls).map((known) => known.schemes);
  const all = schemes.flat();
  const expected = `expected ${schemes.map((names) => `${names[0]}://`).join(' or ')}`;
  const match = SHAPE.exec(url);
  if (!match) return [`is not a database URL (expected SCHEME://user:password@host:port/database, SCHEME one of ${all.join(', ')})`];
  const [, scheme = '', , host = '', port, path = '', query = ''] = match;
  // The engine table in core decides which schemes exist, for the connectors and this check alike.
  if (engineOf(url) === null) return [`unsupported database URL scheme "${scheme.slice(0, 20)}" (${expected})`];
  const problems: string[] = [];
  const params = new URLSearchParams(query.slice(1));
  if (host === '' && !params.get('host'))
    problems.push('names no host (user:password@HOST:port/database, or ?host= for a socket directory)');
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    problems.push('has a port that is not a number from 1 to 65535');
  }
  if (path.replace(/^\//, '').trim() === '') problems.push('names no database (add /DATABASE after host:port)');
  if (problems.length === 0) {
    try {
      new URL(url);
    } catch {
      problems.push('is not a valid URL (percent-encode "@", ":", "/" and "%" in the user name and password)');
    }
  }
  return problems;
}
