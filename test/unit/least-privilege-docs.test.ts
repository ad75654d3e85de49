// The roles the integration tests connect with are the ones docs/configuration.md prints.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { leastPrivilegeGrants, type DatabaseKind } from '../helpers/least-privilege.js';

const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const section = docs.slice(docs.indexOf('## Least-privilege roles'), docs.indexOf('## Defaults'));
const allKinds: DatabaseKind[] = ['flow', 'query', 'table', 'schema', 'plan', 'freshness', 'integrity', 'coverage', 'masking'];

test('docs/configuration.md prints every GRANT of the test roles, for both engines', () => {
  assert.ok(section.length > 0, 'the section exists');
  const postgres =
    leastPrivilegeGrants('postgres', 'fidelity', { databases: ['shop'], kinds: allKinds, owner: 'shop_owner' }).get('shop') ?? [];
  const mysql = leastPrivilegeGrants('mysql', 'fidelity', { databases: ['shop'], kinds: allKinds, views: true }).get('shop') ?? [];
  assert.equal(postgres.length, 4);
  assert.equal(mysql.length, 2);
  for (const statement of [...postgres, ...mysql]) assert.ok(section.includes(statement), `docs lack: ${statement}`);
  // Every kind that reads a database has a row in the table of what each kind reads.
  for (const kind of allKinds) assert.match(section, new RegExp(`^\\| [^|]*\`${kind}\``, 'm'), kind);
});

test('a schema-only PostgreSQL role gets no SELECT: the catalog is readable by every role', () => {
  const grants = leastPrivilegeGrants('postgres', 'fidelity', { databases: ['shop'], kinds: ['schema'] }).get('shop') ?? [];
  assert.deepEqual(grants, ['GRANT CONNECT ON DATABASE shop TO fidelity;', 'GRANT USAGE ON SCHEMA public TO fidelity;']);
});
