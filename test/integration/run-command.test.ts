// The one-shot `run` command as a process, against real PostgreSQL and MariaDB servers:
// exit 0 on a faithful pair, 1 after drift, 3 on a bad config, 4 when a side is unreachable;
// JSON and JUnit outputs validated (the JUnit file is parsed as XML).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { childEnv, freePort, requireBinary } from '../helpers/binaries.js';
import { startMariaDb, type MariaDbServer } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

let postgres: PostgresServer;
let mariadb: MariaDbServer;
let dir: string;

const SHOP = `
  CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2) NOT NULL);
  INSERT INTO products VALUES ('A-1', 'anvil', 19.99), ('B-2', 'bucket', 4.50), ('C-3', 'chain', 12.00);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL, total NUMERIC(10,2) NOT NULL);
  INSERT INTO orders VALUES (1, 'paid', 19.99), (2, 'paid', 4.50), (3, 'shipped', 12.00);`;
const STOCK = [
  'CREATE TABLE stock (sku VARCHAR(10) PRIMARY KEY, quantity INT NOT NULL)',
  "INSERT INTO stock VALUES ('A-1', 5), ('B-2', 0), ('C-3', 12)",
];

let shopReader: LeastPrivilegeRole;
let stockReader: LeastPrivilegeRole;

before(async () => {
  [postgres, mariadb] = await Promise.all([startPostgres({ database: 'shop_production' }), startMariaDb({ database: 'stock_production' })]);
  await postgres.exec('CREATE DATABASE shop_staging', 'postgres');
  await mariadb.exec('CREATE DATABASE stock_staging');
  for (const database of ['shop_production', 'shop_staging']) await postgres.exec(SHOP, database);
  for (const database of ['stock_production', 'stock_staging']) for (const sql of STOCK) await mariadb.exec(sql, database);
  // The exporter reads with the documented least-privilege roles; the superuser only builds fixtures.
  [shopReader, stockReader] = await Promise.all([
    createLeastPrivilegeRole(postgres, { databases: ['shop_production', 'shop_staging'], kinds: ['query'] }),
    createLeastPrivilegeRole(mariadb, { databases: ['stock_production', 'stock_staging'], kinds: ['query'] }),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'fidelity-run-'));
});

after(async () => {
  await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, stagingShopUrl: string, extra = ''): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `environments:
  production:
    databases:
      shop: { url: "\${PROD_SHOP_URL}", connect_timeout: 2s }
      stock: { url: "\${PROD_STOCK_URL}", connect_timeout: 2s }
  staging:
    databases:
      shop: { url: "${stagingShopUrl}", connect_timeout: 2s }
      stock: { url: "\${STAGING_STOCK_URL}", connect_timeout: 2s }
defaults: { timeout: 20s }
${extra}
checks:
  - { name: product_prices, kind: query, database: shop, sql: "SELECT sku, name, price FROM products", key: [sku], examples: show }
  - { name: orders_by_status, kind: query, database: shop, sql: "SELECT status, count(*) AS n, sum(total) AS revenue FROM orders GROUP BY status" }
  - { name: stock_levels, kind: query, database: stock, sql: "SELECT sku, quantity FROM stock", key: [sku] }
`,
  );
  return file;
}

const env = () => ({
  ...childEnv(),
  PROD_SHOP_URL: shopReader.url('shop_production'),
  STAGING_SHOP_URL: shopReader.url('shop_staging'),
  PROD_STOCK_URL: stockReader.url('stock_production'),
  STAGING_STOCK_URL: stockReader.url('stock_staging'),
  NO_COLOR: '1',
});

function run(args: string[], options: { tty?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = [process.execPath, '--import', 'tsx', 'src/main.ts', 'run', '--log.level=error', ...args];
  // util-linux `script` gives the command a pseudo-terminal, as a person's shell would.
  const [file, argv] = options.tty
    ? [requireBinary('script', 'bsdutils'), ['-qec', command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null']]
    : [command[0]!, command.slice(1)];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      env: { ...env(), ...(options.tty ? { NO_COLOR: undefined, COLUMNS: '140' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface JunitCase {
  '@_name': string;
  '@_classname': string;
  failure?: { '@_message': string };
  error?: { '@_type': string };
}
function parseJunit(file: string): { suite: Record<string, string>; cases: JunitCase[] } {
  const xml = readFileSync(file, 'utf8');
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' || name === 'property' });
  const doc = parser.parse(xml, true) as { testsuites: { testsuite: Record<string, string> & { testcase: JunitCase[] } } };
  return { suite: doc.testsuites.testsuite, cases: doc.testsuites.testsuite.testcase };
}

interface RunJson {
  verdict: string;
  exitCode: number;
  checks: Array<{ name: string; status: string; reason?: string; details?: Record<string, unknown> }>;
  gate: {
    candidates: Array<{
      candidate: string;
      dimensions: Array<{ dimension: string; score: number | null; threshold: number | null; failingChecks: Array<{ check: string }> }>;
    }>;
  };
}

test('faithful pair: exit 0, JSON and JUnit with one passing test case per check', async () => {
  const config = writeConfig('faithful.yml', '${STAGING_SHOP_URL}');
  const json = join(dir, 'out', 'faithful.json');
  const junit = join(dir, 'out', 'faithful.xml');
  const result = await run([`--config.file=${config}`, `--output.json=${json}`, `--output.junit=${junit}`]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /product_prices\s+query\s+production→staging\s+PASS/);
  assert.match(result.stdout, /Gate for staging: PASS/);
  assert.ok(!result.stdout.includes('\u001b['), 'no terminal escapes when stdout is not a TTY');

  const report = JSON.parse(readFileSync(json, 'utf8')) as RunJson;
  assert.equal(report.verdict, 'pass');
  assert.equal(report.exitCode, 0);
  assert.deepEqual(report.checks.map((c) => [c.name, c.status]).sort(), [
    ['orders_by_status', 'pass'],
    ['product_prices', 'pass'],
    ['stock_levels', 'pass'],
  ]);
  const data = report.gate.candidates[0]?.dimensions.find((d) => d.dimension === 'data');
  assert.deepEqual([data?.score, data?.threshold], [1, 0.95]);

  const { suite, cases } = parseJunit(junit);
  assert.equal(cases.length, 3, 'one test case per check');
  assert.deepEqual(cases.map((c) => c['@_name']).sort(), ['orders_by_status', 'product_prices', 'stock_levels']);
  assert.ok(cases.every((c) => c.failure === undefined && c.error === undefined && c['@_classname'] === 'fidelity.query'));
  assert.equal(suite['@_tests'], '3');
  assert.equal(suite['@_failures'], '0');
});

test('on a terminal: a progress line and a coloured table', async () => {
  const config = writeConfig('tty.yml', '${STAGING_SHOP_URL}');
  const result = await run([`--config.file=${config}`], { tty: true });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const ESC = '\u001b';
  assert.ok(result.stdout.includes(`\r${ESC}[2K[0/3] running `), 'progress line rewritten in place');
  assert.ok(result.stdout.includes(`${ESC}[32mPASS`), 'status in colour');
  assert.ok(result.stdout.includes(`Gate for staging: ${ESC}[32mPASS`));
});

test('selection: --check and --kind pick checks; unknown names are configuration errors (exit 3)', async () => {
  const config = writeConfig('select.yml', '${STAGING_SHOP_URL}');
  const junit = join(dir, 'select.xml');
  const one = await run([`--config.file=${config}`, '--check=stock_levels', '--kind=query', `--output.junit=${junit}`]);
  assert.equal(one.code, 0, one.stdout + one.stderr);
  assert.deepEqual(
    parseJunit(junit).cases.map((c) => c['@_name']),
    ['stock_levels'],
  );
  const unknown = await run([`--config.file=${config}`, '--check=nope']);
  assert.equal(unknown.code, 3);
  assert.match(unknown.stderr, /--check: no check named "nope"/);
});

test('drift injected in staging: exit 1, the failing check and its differences in JSON, JUnit and the report', async () => {
  await postgres.exec("UPDATE products SET price = 21.00 WHERE sku = 'A-1'", 'shop_staging');
  await mariadb.exec("DELETE FROM stock WHERE sku = 'C-3'", 'stock_staging');
  try {
    const config = writeConfig('drift.yml', '${STAGING_SHOP_URL}');
    const json = join(dir, 'drift.json');
    const junit = join(dir, 'drift.xml');
    const html = join(dir, 'drift.html');
    const result = await run([`--config.file=${config}`, `--output.json=${json}`, `--output.junit=${junit}`, `--report=${html}`]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /product_prices\s+query\s+production→staging\s+DRIFT/);
    assert.match(result.stdout, /data: score 33\.3% is below the threshold 95\.0%/);

    const report = JSON.parse(readFileSync(json, 'utf8')) as RunJson;
    assert.equal(report.verdict, 'fail');
    const failing = report.gate.candidates[0]?.dimensions
      .find((d) => d.dimension === 'data')
      ?.failingChecks.map((f) => f.check)
      .sort();
    assert.deepEqual(failing, ['product_prices', 'stock_levels']);
    const prices = report.checks.find((c) => c.name === 'product_prices');
    assert.match(JSON.stringify(prices?.details), /"candidate":\{"sku":"A-1","name":"anvil","price":"21"\}/);

    const { suite, cases } = parseJunit(junit);
    assert.equal(cases.length, 3);
    assert.equal(suite['@_failures'], '2');
    assert.match(cases.find((c) => c['@_name'] === 'stock_levels')?.failure?.['@_message'] ?? '', /1 row differs/);
    assert.equal(cases.find((c) => c['@_name'] === 'orders_by_status')?.failure, undefined);

    const page = readFileSync(html, 'utf8');
    assert.match(page, /id="failing-product_prices"/);
    assert.match(page, /price=19\.99<\/span>/);
    assert.match(page, /<span class="kv changed">price=21<\/span>/);
    assert.doesNotMatch(page, /<script/i);
  } finally {
    await postgres.exec("UPDATE products SET price = 19.99 WHERE sku = 'A-1'", 'shop_staging');
    await mariadb.exec("INSERT INTO stock VALUES ('C-3', 12)", 'stock_staging');
  }
});

test('bad configuration: exit 3 with the config path, no report written', async () => {
  const config = writeConfig('bad.yml', '${STAGING_SHOP_URL}', 'scores: { thresholds: { data: 1.5 } }');
  const json = join(dir, 'bad.json');
  const result = await run([`--config.file=${config}`, `--output.json=${json}`]);
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(result.stderr, /scores\.thresholds\.data: /);
  assert.equal(existsSync(json), false);
  const missing = await run([`--config.file=${join(dir, 'absent.yml')}`]);
  assert.equal(missing.code, 3);
});

test('a side unreachable: exit 4, the checks on it reported as errors, the secret URL never printed', async () => {
  const port = await freePort();
  const config = writeConfig('unreachable.yml', `postgres://fidelity:hunter2-secret@127.0.0.1:${port}/shop`);
  const json = join(dir, 'unreachable.json');
  const junit = join(dir, 'unreachable.xml');
  const html = join(dir, 'unreachable.html');
  const result = await run([`--config.file=${config}`, `--output.json=${json}`, `--output.junit=${junit}`, `--report=${html}`]);
  assert.equal(result.code, 4, result.stdout + result.stderr);
  // The sides were probed as serve probes them: the report says which environment is down.
  assert.match(readFileSync(html, 'utf8'), /<strong>production<\/strong> <span class="badge up">up<\/span>/);
  assert.match(readFileSync(html, 'utf8'), /<strong>staging<\/strong> <span class="badge down">down<\/span>/);
  assert.match(result.stdout, /product_prices\s+query\s+production→staging\s+ERROR\s+.*connect/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as RunJson;
  assert.equal(report.exitCode, 4);
  assert.deepEqual(
    report.checks
      .filter((c) => c.status === 'error')
      .map((c) => [c.name, c.reason])
      .sort(),
    [
      ['orders_by_status', 'connect'],
      ['product_prices', 'connect'],
    ],
  );
  assert.equal(report.checks.find((c) => c.name === 'stock_levels')?.status, 'pass');
  const { cases } = parseJunit(junit);
  assert.equal(cases.filter((c) => c.error?.['@_type'] === 'connect').length, 2);
  for (const text of [result.stdout, result.stderr, readFileSync(json, 'utf8'), readFileSync(junit, 'utf8')])
    assert.doesNotMatch(text, /hunter2-secret/);
});

test('outputs replace the previous files whole (temporary file, fsync, rename): no torn report, nothing left over', async () => {
  const config = writeConfig('swap.yml', '${STAGING_SHOP_URL}');
  const out = join(dir, 'swap');
  mkdirSync(out);
  const json = join(out, 'result.json');
  const html = join(out, 'report.html');
  writeFileSync(json, '{"previous": true}\n');
  writeFileSync(html, '<p>previous</p>\n');
  const before = { json: statSync(json).ino, html: statSync(html).ino };
  const result = await run([`--config.file=${config}`, '--check=stock_levels', `--output.json=${json}`, `--report=${html}`]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  // A new file renamed over the old one (a new inode), never the old one rewritten in place.
  assert.notEqual(statSync(json).ino, before.json);
  assert.notEqual(statSync(html).ino, before.html);
  assert.equal((JSON.parse(readFileSync(json, 'utf8')) as RunJson).exitCode, 0);
  assert.deepEqual(readdirSync(out).sort(), ['report.html', 'result.json'], 'no temporary file left');
  assert.notEqual(statSync(json).mode & 0o044, 0, 'readable by the CI job as before (umask applies), not owner-only');
});

test('run sets the HTTP prober scheduling of the configuration, as serve does', async () => {
  const config = writeConfig('prober.yml', '${STAGING_SHOP_URL}', 'prober: { scheduling: realtime, realtime_priority: 5 }');
  const result = await run([`--config.file=${config}`, '--check=stock_levels', '--log.level=info']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  // Granted (CAP_SYS_NICE) or refused with the reason: either way the runtime asked for it.
  assert.match(result.stderr, /"msg":"HTTP prober (scheduling set|runs under normal scheduling)"/);
  assert.match(result.stderr, /"prober":"[^"]*(SCHED_FIFO|realtime|real-time|chrt|CAP_SYS_NICE)[^"]*"/i);
});
