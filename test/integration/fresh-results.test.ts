import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';
import { createApp } from '../../src/server/app.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { REPO_ROOT } from '../helpers/exporter.js';
import { createReadOnlyRole } from '../helpers/read-only-role.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { startExporterProcess, waitFor, writeTempFile, type ExporterProcess } from '../helpers/process.js';

/**
 * GET /api/v1/results?since=&wait=&check=: a CI job waits for results newer than its deployment,
 * on a real exporter sampling a real PostgreSQL; bad parameters are refused by name.
 */

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const validateResults = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'api', 'results.schema.json'), 'utf8')) as object);

interface FreshResults {
  checks: Array<{ name: string; lastRun?: { finishedAt: string } }>;
  fresh: { since: string; complete: boolean; waitingFor: string[] };
  gate: { verdict: string };
}

describe('waiting for fresh results', () => {
  let postgres: PostgresServer;
  let exporter: ExporterProcess;

  before(async () => {
    postgres = await startPostgres();
    await postgres.exec(`CREATE TABLE orders (id int PRIMARY KEY, status text);
      INSERT INTO orders SELECT i, 'paid' FROM generate_series(1, 50) i;`);
    const env = { SHOP_URL: await createReadOnlyRole(postgres) };
    const config = writeTempFile(
      'fidelity.yml',
      `environments:
  production: { databases: { shop: { url: "\${SHOP_URL}" } } }
  staging: { databases: { shop: { url: "\${SHOP_URL}" } } }
defaults: { every: 2s, timeout: 5s, start_spread: 0s }
checks:
  - { name: orders, kind: query, database: shop, sql: "SELECT status, count(*) AS n FROM orders GROUP BY status" }
  - { name: ids, kind: query, database: shop, sql: "SELECT max(id) AS top FROM orders" }
  - { name: off, kind: query, database: shop, sql: "SELECT 1 AS one", enabled: false }
`,
    );
    exporter = await startExporterProcess([`--config.file=${config}`], env);
  });
  after(async () => {
    await exporter?.stop();
    await postgres?.destroy();
  });

  const get = async (query: string) => {
    const response = await fetch(`${exporter.url}/api/v1/results?${query}`);
    return { status: response.status, text: await response.text() };
  };

  test('wait holds the request until every enabled check sampled after since', async () => {
    await waitFor('a first sample', async () => ((JSON.parse((await get('')).text) as FreshResults).checks[0]?.lastRun ? true : undefined));
    const deployed = new Date().toISOString();
    const reply = await get(`since=${encodeURIComponent(deployed)}&wait=60s`);
    assert.equal(reply.status, 200, reply.text);
    const body = JSON.parse(reply.text) as FreshResults;
    assert.ok(validateResults(body), ajv.errorsText(validateResults.errors));
    assert.deepEqual(body.fresh, { since: deployed, complete: true, waitingFor: [] });
    assert.deepEqual(body.checks.map((check) => check.name).sort(), ['ids', 'orders'], 'the disabled check is not waited for');
    for (const check of body.checks) assert.ok(Date.parse(check.lastRun?.finishedAt ?? '') > Date.parse(deployed), check.name);
    assert.equal(body.gate.verdict, 'pass');
  });

  test('since in Unix seconds and one named check', async () => {
    const seconds = (Date.now() / 1000).toFixed(3);
    const body = JSON.parse((await get(`since=${seconds}&wait=60s&check=ids`)).text) as FreshResults;
    assert.equal(body.fresh.complete, true);
    assert.deepEqual(
      body.checks.map((check) => check.name),
      ['ids'],
    );
  });

  test('without wait, or when the wait ends first, the answer says what is still missing', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const now = JSON.parse((await get(`since=${future}`)).text) as FreshResults;
    assert.deepEqual(now.checks, []);
    assert.deepEqual(now.fresh, { since: future, complete: false, waitingFor: ['orders', 'ids'] });
    const held = JSON.parse((await get(`since=${future}&wait=1s&check=orders`)).text) as FreshResults;
    assert.deepEqual(held.fresh.waitingFor, ['orders']);
  });

  test('bad values are refused with 400 naming the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['since=yesterday', /^parameter since: "yesterday" is neither an RFC 3339 time/],
      ['since=2026-13-01', /^parameter since:/],
      ['since=0&wait=10x', /^parameter wait: "10x" is not a duration/],
      ['since=0&wait=6m', /^parameter wait: must be at most 5m/],
      ['wait=30s', /^parameter wait: needs since/],
      ['since=0&check=nope', /^parameter check: no check is named "nope"/],
      ['since=0&since=1', /^parameter since: give it once/],
    ];
    for (const [query, message] of cases) {
      const reply = await get(query);
      assert.equal(reply.status, 400, query);
      assert.match(reply.text, message, query);
    }
  });
});

test('a held request that the client abandons leaves no listener behind', async () => {
  const config = loadConfigObject(
    {
      environments: {
        production: { databases: { shop: { url: 'postgres://reader:secret@127.0.0.1:1/shop' } } },
        staging: { databases: { shop: { url: 'postgres://reader:secret@127.0.0.1:1/shop' } } },
      },
      checks: [{ name: 'orders', kind: 'query', database: 'shop', sql: 'SELECT 1' }],
    },
    { env: {} },
  );
  const exporter = new Exporter(config, silentLogger);
  const listeners = () => exporter.store['listeners'].size;
  const baseline = listeners();
  const server = createApp(exporter, silentLogger).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const abort = new AbortController();
    const held = fetch(`http://127.0.0.1:${port}/api/v1/results?since=0&wait=5m`, { signal: abort.signal }).catch(() => 'aborted');
    await waitFor('the request is held', async () => (listeners() > baseline ? true : undefined));
    abort.abort();
    assert.equal(await held, 'aborted');
    await waitFor('its listener is removed', async () => (listeners() === baseline ? true : undefined));
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
