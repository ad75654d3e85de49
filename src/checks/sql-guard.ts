/**
 * A load-time guard on configured SQL: one statement that reads. The real protection is the
 * read-only transaction and single-statement protocol of the connectors; this guard gives the
 * operator a clear error before anything reaches a database.
 */
const READ_STATEMENT = /^(select|with|values|table|\()/i;

// Clauses and functions that a read-only transaction lets through but that still act outside the
// sample: row locks, results written to tables, files or variables, session locks held after the
// sample, sequences, settings, signals to other sessions. The connectors also undo session locks
// when a connection goes back to its pool; this list gives the clear error first.
const SIDE_EFFECTS: ReadonlyArray<[RegExp, string]> = [
  [/\bfor\s+(update|no\s+key\s+update|share|key\s+share)\b|\block\s+in\s+share\s+mode\b/i, 'locks rows (FOR UPDATE / FOR SHARE)'],
  [/\binto\b/i, 'writes its result somewhere (SELECT ... INTO a table, a file or variables)'],
  [/\b(pg_(try_)?advisory_(xact_)?lock(_shared)?|get_lock|release_lock|release_all_locks)\s*\(/i, 'takes or releases a named lock'],
  [/\b(nextval|setval|lastval)\s*\(/i, 'advances a sequence'],
  [
    /\b(set_config|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_notify|pg_read_(binary_)?file|lo_(import|export))\s*\(/i,
    'changes server or session state',
  ],
  [/\bload_file\s*\(/i, 'reads server files'],
  [/@\w+\s*:=/, 'assigns a session variable'],
];

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
  for (const [pattern, what] of SIDE_EFFECTS) {
    const found = pattern.exec(text);
    if (found) return `must only read; "${found[0].replace(/\s*\($/, '').toUpperCase()}" ${what}`;
  }
  return null;
}
