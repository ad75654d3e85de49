/**
 * A load-time guard on configured SQL: one statement that reads. The real protection is the
 * read-only transaction and single-statement protocol of the connectors; this guard gives the
 * operator a clear error before anything reaches a database.
 */
const READ_STATEMENT = /^(select|with|values|table|\()/i;

function stripCommentsAndLiterals(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/`[^`]*`/g, '``');
}

/** Returns a problem message, or null when the statement looks like a single read. */
export function readOnlyProblem(sql: string): string | null {
  const text = stripCommentsAndLiterals(sql).trim().replace(/;\s*$/, '');
  if (text === '') return 'is empty';
  if (text.includes(';')) return 'must be a single statement (found ";" before the end)';
  if (!READ_STATEMENT.test(text)) {
    const word = /^\S+/.exec(text)?.[0] ?? '';
    return `only read-only statements can be sampled (SELECT, WITH, VALUES, TABLE); got "${word.toUpperCase()}"`;
  }
  return null;
}
