import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith } from '../helpers/harness.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';

/**
 * A role that lacks a privilege a check needs: every database kind fails its sample with reason
 * `permission`, names the GRANT that fixes it, and never passes. The role is the documented
 * least-privilege role with SELECT on staging's orders table left out.
 */

const FIXTURE = `
CREATE TABLE customers (id integer PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, email varchar(100), created_at timestamp NOT NULL,
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id));
INSERT INTO customers VALUES (1, 'a'), (2, 'b');
INSERT INTO orders VALUES (1, 1, 'x@example.org', '2026-12-01 10:00:00'), (2, 2, NULL, '2026-12-02 10:00:00');`;

const CHECKS: Array<Record<string, unknown>> = [
  { name: 'orders_query', kind: 'query', sql: 'SELECT id, customer_id FROM orders' },
  { name: 'orders_table', kind: 'table', table: 'orders', key: ['id'] },
  { name: 'orders_coverage', kind: 'coverage', table: 'orders', columns: ['customer_id'] },
  { name: 'orders_masking', kind: 'masking', table: 'orders', columns: ['email'] },
  { name: 'orders_freshness', kind: 'freshness', sql: 'SELECT max(created_at) FROM orders' },
  { name: 'orders_plan', kind: 'plan', queries: [{ name: 'by_id', sql: 'SELECT * FROM orders WHERE id = 1' }] },
  { name: 'orders_integrity', kind: 'integrity' },
];

for (const [label, start] of [
  ['PostgreSQL', startPostgres],
  ['MariaDB', startMariaDb],
] as const) {
  describe(`${label}: a role without SELECT on staging's orders`, () => {
    let server: DatabaseServer;
    let role: LeastPrivilegeRole;

    before(async () => {
      server = await start({ database: 'production' });
      await server.exec('CREATE DATABASE staging');
      for (const database of ['production', 'staging']) {
        for (const statement of FIXTURE.split(';')
          .map((s) => s.trim())
          .filter(Boolean))
          await server.exec(statement, database);
      }
      role = await createLeastPrivilegeRole(server, {
        databases: ['production', 'staging'],
        kinds: ['query', 'table', 'coverage', 'masking', 'freshness', 'plan', 'integrity', 'schema'],
        withoutSelectOn: { database: 'staging', table: 'orders' },
      });
    });
    after(async () => {
      await server?.destroy();
    });

    // PostgreSQL's catalog is readable by every role: a schema check there needs no SELECT at all.
    const checks = label === 'MariaDB' ? [...CHECKS, { name: 'orders_schema', kind: 'schema' }] : CHECKS;
    for (const check of checks) {
      test(`${check.kind}: reason permission with the GRANT, never a pass`, async () => {
        const runner = new CheckRunner(
          configWith({ production: { shop: role.url('production') }, staging: { shop: role.url('staging') } }, [
            { database: 'shop', ...check },
          ]),
        );
        try {
          const state = await runner.run(String(check.name));
          assert.equal(state.lastRun?.success, false, `${check.kind} sampled: ${state.result?.summary}`);
          assert.equal(state.lastRun?.reason, 'permission', state.lastRun?.error);
          const grant =
            label === 'PostgreSQL'
              ? `GRANT SELECT ON orders TO ${role.user};`
              : `GRANT SELECT ON \`staging\`.\`orders\` TO \`${role.user}\`@\`%\`;`;
          assert.ok(state.lastRun?.error?.includes(`grant it with: ${grant}`), state.lastRun?.error);
          assert.equal(state.result, undefined);
        } finally {
          await runner.close();
        }
      });
    }

    if (label === 'MariaDB') {
      test('table: a table readable only column by column is permission, not a comparison of the visible columns', async () => {
        const user = `${role.user}_cols`;
        await server.exec(
          `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'; GRANT SELECT ON production.* TO '${user}'@'%'; GRANT SELECT (id, customer_id) ON staging.orders TO '${user}'@'%'`,
        );
        const url = (database: string) =>
          role
            .url(database)
            .replace(`${role.user}:`, `${user}:`)
            .replace(/:[0-9a-f]+@/, ':pw@');
        const runner = new CheckRunner(
          configWith({ production: { shop: url('production') }, staging: { shop: url('staging') } }, [{ database: 'shop', ...CHECKS[1] }]),
        );
        try {
          const state = await runner.run('orders_table');
          assert.equal(state.lastRun?.reason, 'permission', state.lastRun?.error ?? state.result?.summary);
          assert.match(state.lastRun?.error ?? '', /staging\.orders is readable only column by column.*GRANT SELECT ON `staging`\.\* TO /);
        } finally {
          await runner.close();
        }
      });
    }
  });
}
