// Hot reload on the real exporter process against a real PostgreSQL: POST /-/reload applies a
// good file and keeps the history of unchanged checks; a bad file keeps the old configuration
// and flips fidelity_config_last_reload_successful to 0; SIGHUP reloads too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { fetchText, metricValue, spawnExporter, waitFor, type ExporterProcess } from '../helpers/exporter.js';

let dir: string;
let configFile: string;
let postgres: PostgresServer;
let reader: LeastPrivilegeRole;
let exporter: ExporterProcess;

function config(checks: Array<{ name: string; sql: string }>, extra = ''): string {
  return [
    'environments:',
    '  production: { databases: { shop: { url: "${RELOAD_TEST_PG_URL}" } } }',
    '  staging: { databases: { shop: { url: "${RELOAD_TEST_PG_URL}" } } }',
    'defaults: { every: 1s, timeout: 5s }',
    'checks:',
    ...checks.map((check) => `  - { name: ${check.name}, kind: query, database: shop, sql: "${check.sql}" }`),
    extra,
  ].join('\n');
}

const scrape = async () => (await fetchText(`${exporter.baseUrl}/metrics`)).body;
const runs = (metrics: string, check: string) => metricValue(metrics, 'fidelity_check_runs_total', { check, outcome: 'success' });
const reloadOk = async () => metricValue(await scrape(), 'fidelity_config_last_reload_successful');

before(async () => {
  postgres = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'fidelity-reload-'));
  configFile = join(dir, 'config.yml');
  writeFileSync(
    configFile,
    config([
      { name: 'stays', sql: 'SELECT 1 AS one' },
      { name: 'changes', sql: 'SELECT 2 AS two' },
      { name: 'goes_away', sql: 'SELECT 3 AS three' },
    ]),
  );
  // The exporter reads with the documented least-privilege role.
  reader = await createLeastPrivilegeRole(postgres, { databases: ['fidelity'], kinds: ['query'] });
  exporter = await spawnExporter([`--config.file=${configFile}`], { env: { RELOAD_TEST_PG_URL: reader.url() } });
  await waitFor('two successful samples of "stays"', async () => ((runs(await scrape(), 'stays') ?? 0) >= 2 ? true : undefined));
});

after(async () => {
  await exporter?.stop();
  await postgres?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a good reload applies the new checks and unchanged checks keep their history', async () => {
  const before = await scrape();
  const staysRuns = runs(before, 'stays') ?? 0;
  assert.ok(staysRuns >= 2);
  assert.equal(metricValue(before, 'fidelity_config_last_reload_successful'), 1);
  writeFileSync(
    configFile,
    config([
      { name: 'stays', sql: 'SELECT 1 AS one' },
      { name: 'changes', sql: 'SELECT 22 AS two' },
      { name: 'arrives', sql: 'SELECT 4 AS four' },
    ]),
  );
  const reply = await fetchText(`${exporter.baseUrl}/-/reload`, { method: 'POST' });
  assert.equal(reply.status, 200, reply.body);
  assert.equal(reply.body, 'configuration reloaded: 3 checks\n');

  const after = await waitFor('the new check to run', async () => {
    const metrics = await scrape();
    return (runs(metrics, 'arrives') ?? 0) >= 1 ? metrics : undefined;
  });
  assert.equal(runs(after, 'goes_away'), undefined, 'the removed check is no longer exported');
  assert.ok((runs(after, 'stays') ?? 0) >= staysRuns, 'the unchanged check kept its counters');
  assert.equal(metricValue(after, 'fidelity_config_last_reload_successful'), 1);
  assert.match(exporter.stderr(), /"msg":"configuration reloaded"/);
  assert.match(exporter.stderr(), /"trigger":"http","checks":3,"added":1,"removed":1,"changed":1,"unchanged":1/);
});

test('a bad reload keeps the old configuration running and sets the gauge to 0', async () => {
  writeFileSync(
    configFile,
    config(
      [{ name: 'stays', sql: 'SELECT 1 AS one' }],
      '  - { name: broken, kind: query, database: shop, sql: "SELECT 1", schedule: "61 * * * *" }',
    ),
  );
  const reply = await fetchText(`${exporter.baseUrl}/-/reload`, { method: 'POST' });
  assert.equal(reply.status, 500);
  assert.match(reply.body, /previous configuration stays in force/);
  assert.match(reply.body, /checks\[1\]\.schedule: invalid cron expression "61 \* \* \* \*"/);
  assert.equal(await reloadOk(), 0);
  assert.match(exporter.stderr(), /"msg":"configuration reload failed; the previous configuration stays in force"/);

  // Still the previous configuration: all three checks keep running.
  const arrivesBefore = runs(await scrape(), 'arrives') ?? 0;
  const metrics = await waitFor('the old checks to keep running', async () => {
    const text = await scrape();
    return (runs(text, 'arrives') ?? 0) > arrivesBefore ? text : undefined;
  });
  assert.ok(runs(metrics, 'changes') !== undefined);
  assert.equal(runs(metrics, 'broken'), undefined);
  assert.ok(!exporter.stderr().includes(reader.url()), 'the database URL never reaches the log');
});

test('SIGHUP reloads the configuration file', async () => {
  writeFileSync(
    configFile,
    config([
      { name: 'stays', sql: 'SELECT 1 AS one' },
      { name: 'after_sighup', sql: 'SELECT 5 AS five' },
    ]),
  );
  exporter.child.kill('SIGHUP');
  const metrics = await waitFor('the SIGHUP reload', async () => {
    const text = await scrape();
    return (runs(text, 'after_sighup') ?? 0) >= 1 ? text : undefined;
  });
  assert.equal(metricValue(metrics, 'fidelity_config_last_reload_successful'), 1);
  assert.equal(runs(metrics, 'arrives'), undefined);
  assert.match(exporter.stderr(), /"trigger":"SIGHUP"/);
  assert.equal(exporter.child.exitCode, null, 'the process is still running');
});
