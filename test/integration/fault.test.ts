import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';
import { scrape, startExporterProcess, waitFor, writeTempFile, type ExporterProcess } from '../helpers/process.js';

/** Production goes away while the exporter runs: it keeps answering, says so, and recovers. */
describe('a side that stops during operation', () => {
  let production: DatabaseServer;
  let staging: DatabaseServer;
  let exporter: ExporterProcess;

  before(async () => {
    [production, staging] = await Promise.all([startPostgres(), startPostgres()]);
    const setup =
      "CREATE TABLE orders (id int PRIMARY KEY, status text); INSERT INTO orders SELECT i, 'paid' FROM generate_series(1, 100) i;";
    await Promise.all([production.exec(setup), staging.exec(setup)]);
    // The exporter reads with the documented least-privilege roles; the superuser only builds fixtures.
    const reads = { databases: ['fidelity'], kinds: ['query'] } as const;
    const [productionReader, stagingReader] = await Promise.all([
      createLeastPrivilegeRole(production, reads),
      createLeastPrivilegeRole(staging, reads),
    ]);
    const config = writeTempFile(
      'fidelity.yml',
      `environments:
  production: { databases: { shop: { url: "\${PROD_URL}", connect_timeout: 1s } } }
  staging: { databases: { shop: { url: "\${STAGING_URL}", connect_timeout: 1s } } }
defaults: { every: 1s, timeout: 3s, side_probe_interval: 1s }
checks:
  - { name: orders_by_status, kind: query, database: shop, sql: "SELECT status, count(*) FROM orders GROUP BY status" }
`,
    );
    exporter = await startExporterProcess([`--config.file=${config}`], {
      PROD_URL: productionReader.url(),
      STAGING_URL: stagingReader.url(),
    });
  });
  after(async () => {
    await exporter?.stop();
    await Promise.all([production?.destroy(), staging?.destroy()]);
  });

  const match = 'fidelity_query_match{check="orders_by_status",baseline="production",candidate="staging"}';

  test('series disappear, side_up drops to 0, /metrics keeps answering, and the next sample after a restart succeeds', async () => {
    await waitFor('a first match', async () => ((await scrape(exporter.url)).series.get(match) === 1 ? true : undefined));

    await production.stop();
    const down = await waitFor('production reported down', async () => {
      const { series } = await scrape(exporter.url);
      return series.get('fidelity_side_up{side="production"}') === 0 && !series.has(match) ? series : undefined;
    });
    assert.equal(down.get('fidelity_side_up{side="staging"}'), 1);
    assert.equal(down.get('fidelity_check_success{check="orders_by_status",kind="query"}'), 0);
    assert.ok((down.get('fidelity_check_errors_total{check="orders_by_status",kind="query",reason="connect"}') ?? 0) >= 1);
    assert.equal(
      [...down.keys()].some((key) => key.startsWith('fidelity_query_')),
      false,
      'no comparison series while production is down',
    );
    assert.equal(
      [...down.keys()].some((key) => key.startsWith('fidelity_score{')),
      false,
      'no score from a failed sample',
    );

    const latencies: number[] = [];
    for (let i = 0; i < 20; i += 1) latencies.push((await scrape(exporter.url)).ms);
    latencies.sort((a, b) => a - b);
    console.log(`/metrics while production is down: median ${latencies[10]?.toFixed(1)} ms, max ${latencies[19]?.toFixed(1)} ms`);
    assert.equal(exporter.child.exitCode, null, 'the exporter process is alive');

    await production.start();
    const recovered = await waitFor('recovery after restart', async () => {
      const { series } = await scrape(exporter.url);
      return series.get(match) === 1 && series.get('fidelity_side_up{side="production"}') === 1 ? series : undefined;
    });
    assert.equal(recovered.get('fidelity_check_success{check="orders_by_status",kind="query"}'), 1);
    assert.doesNotMatch(exporter.output(), /postgres:\/\/[^ ]*:[^ @]*@/, 'no DSN with a password in the logs');
  });
});
