import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { scrape, startExporterProcess, waitFor, writeTempFile } from '../helpers/process.js';

/**
 * An operator (or a failover) terminating every exporter session, again and again, while checks
 * sample and connections sit idle in the pool: the process never dies of a connection's error, and
 * every check samples successfully again once the terminations stop.
 */

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
  await server.exec(
    'CREATE TABLE events AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 20000) g; ALTER TABLE events ADD PRIMARY KEY (id); ANALYZE;',
  );
});
after(async () => {
  await server?.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(
  'pg_terminate_backend of every exporter session, 25 s long, never stops the process; every check recovers',
  { timeout: 120_000 },
  async () => {
    const url = (await createLeastPrivilegeRole(server, { databases: ['fidelity'], kinds: ['query', 'table', 'schema'] })).url();
    const config = `
environments:
  production: { databases: { shop: { url: "${url}", pool_size: 6, max_concurrency: 6 } } }
  staging: { databases: { shop: { url: "${url}", pool_size: 6, max_concurrency: 6 } } }
defaults:
  every: 1s
  timeout: 3s
  start_spread: 0s
checks:
  - { name: few_rows, kind: query, database: shop, sql: "SELECT id, payload FROM events WHERE id < 100", key: [id] }
  - { name: all_rows, kind: query, database: shop, sql: "SELECT id, payload FROM events", key: [id] }
  - { name: events_table, kind: table, database: shop, table: events, key: [id] }
  - { name: shop_schema, kind: schema, database: shop }
  - { name: slow, kind: query, database: shop, sql: "SELECT pg_sleep(0.5 + random() * 3), 1 AS x" }
`;
    const exporter = await startExporterProcess([`--config.file=${writeTempFile('terminated.yaml', config)}`]);
    try {
      const end = Date.now() + 25_000;
      let terminated = 0;
      while (Date.now() < end && exporter.child.exitCode === null) {
        const rows = await server.query(
          "SELECT pg_terminate_backend(pid) AS gone FROM pg_stat_activity WHERE application_name LIKE 'fidelity%' AND pid <> pg_backend_pid()",
        );
        terminated += rows.length;
        await sleep(200 + Math.random() * 800);
      }
      assert.equal(exporter.child.exitCode, null, `the exporter exited:\n${exporter.output().slice(-3000)}`);
      assert.ok(terminated >= 20, `sessions terminated: ${terminated}`);
      const since = Date.now() / 1000;
      // Every check lands a successful sample after the terminations stopped.
      await waitFor('every check to sample successfully again', async () => {
        const { series } = await scrape(exporter.url);
        const checks = ['few_rows', 'all_rows', 'events_table', 'shop_schema', 'slow'];
        const lastSuccess = (check: string) =>
          [...series].find(([name]) => name.startsWith(`fidelity_check_last_success_timestamp_seconds{check="${check}",`))?.[1] ?? 0;
        const fresh = checks.every((check) => lastSuccess(check) > since);
        return fresh ? true : undefined;
      });
    } finally {
      await exporter.stop();
    }
  },
);
