// The audit report in a real headless Chromium (Debian `chromium`): a live exporter samples a
// real PostgreSQL pair with drift; the rendered page shows the gate, the score charts and the
// failing check's differences, and a screenshot lands in test-output/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';
import { createApp } from '../../src/server/app.js';
import { requireBinary } from '../helpers/binaries.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

const OUTPUT_DIR = resolve('test-output');
let postgres: PostgresServer;
let reader: LeastPrivilegeRole;
let exporter: Exporter;
let server: Server;
let url: string;

before(async () => {
  postgres = await startPostgres({ database: 'shop_production' });
  await postgres.exec('CREATE DATABASE shop_staging', 'postgres');
  for (const database of ['shop_production', 'shop_staging']) {
    await postgres.exec(
      `CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2) NOT NULL);
       INSERT INTO products SELECT 'SKU-' || lpad(i::text, 3, '0'), 'product ' || i, i * 1.25 FROM generate_series(1, 40) AS i;`,
      database,
    );
  }
  // Drift: one price changed, one product missing in staging.
  await postgres.exec(
    "UPDATE products SET price = 99.99 WHERE sku = 'SKU-007'; DELETE FROM products WHERE sku = 'SKU-031';",
    'shop_staging',
  );
  // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
  reader = await createLeastPrivilegeRole(postgres, { databases: ['shop_production', 'shop_staging'], kinds: ['query'] });
  const config = loadConfigObject(
    {
      environments: {
        production: { databases: { shop: { url: reader.url('shop_production') } } },
        staging: { databases: { shop: { url: reader.url('shop_staging') } } },
      },
      defaults: { every: '1h', start_spread: '0s' },
      scores: { thresholds: { overall: 0.9 } },
      checks: [
        {
          name: 'product_prices',
          kind: 'query',
          database: 'shop',
          sql: 'SELECT sku, name, price FROM products',
          key: ['sku'],
          examples: 'show',
          description: 'every price by SKU',
        },
        { name: 'product_count', kind: 'query', database: 'shop', sql: "SELECT count(*) AS n FROM products WHERE sku < 'SKU-020'" },
      ],
    },
    { env: {}, file: 'report-e2e.yml' },
  );
  exporter = new Exporter(config, silentLogger);
  exporter.recordScores(Date.now() - 120_000);
  exporter.start();
  await exporter.idle();
  exporter.recordScores();
  const app = createApp(exporter, silentLogger);
  server = await new Promise<Server>((done) => {
    const listening = app.listen(0, '127.0.0.1', () => done(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await exporter?.stop();
  await postgres?.destroy();
});

function chromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const binary = requireBinary('chromium', 'chromium', ['/usr/bin/chromium']);
  const profile = mkdtempSync(join(tmpdir(), 'fidelity-chromium-'));
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
  ];
  return new Promise((done, fail) => {
    const child = spawn(binary, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      done({ code, stdout, stderr });
    });
  });
}

test('the rendered report shows the gate, score charts and the failing check with its differences', async () => {
  const { code, stdout, stderr } = await chromium(['--virtual-time-budget=5000', '--dump-dom', url]);
  assert.equal(code, 0, stderr.slice(-2000));
  assert.match(stdout, /<h2>Gate: <span class="badge fail" id="gate-verdict">fail<\/span><\/h2>/);
  // The failing check, its changed row with the changed column marked, and the missing row.
  const failing = /<section class="failing" id="failing-product_prices">([\s\S]*?)<\/section>/.exec(stdout)?.[1] ?? '';
  assert.match(failing, /2 rows differ \(missing 1, extra 0, changed 1\)/);
  assert.match(failing, /<span class="kv changed">price=99\.99<\/span>/);
  assert.match(failing, /price=8\.75<\/span>/);
  assert.match(failing, /<tr class="diff-missing">[\s\S]*?SKU-031/);
  // Score cards with inline SVG charts and the threshold line.
  assert.match(stdout, /data-dimension="data"[\s\S]*?<svg class="chart"[\s\S]*?class="threshold"/);
  assert.match(stdout, /data: score 50\.0% is below the threshold 95\.0%/);
  assert.doesNotMatch(stdout, /<script/i);
  assert.doesNotMatch(stdout, new RegExp(reader.url('shop_production').split('@')[0]!.split(':')[2]!), 'no database password on the page');
});

for (const [width, name] of [
  [1400, 'report-1400.png'],
  [390, 'report-390.png'],
] as const) {
  test(`a screenshot of the report at ${width} px is produced under test-output/`, async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const file = join(OUTPUT_DIR, name);
    rmSync(file, { force: true });
    // Below Chromium's 500 px minimum layout width, the page is framed at its exact width.
    const shoot = (address: string) =>
      chromium(['--virtual-time-budget=5000', '--hide-scrollbars', `--window-size=${width},1600`, `--screenshot=${file}`, address]);
    const { code, stderr } = width < 500 ? await framed(await (await fetch(url)).text(), width, shoot) : await shoot(url);
    assert.equal(code, 0, stderr.slice(-2000));
    assert.ok(existsSync(file), 'screenshot written');
    assert.ok(statSync(file).size > 10_000, `screenshot has content (${statSync(file).size} bytes)`);
    const png = readFileSync(file);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.equal(png.readUInt32BE(16), width, 'the screenshot is as wide as the window');
  });
}

interface Measure {
  width: number;
  scrollWidth: number;
  overflowing: string[];
  lowContrast: string[];
  h1: number;
  firstHeading: number;
  skipped: number;
  thWithoutScope: number;
  silentBadges: number;
  badges: number;
}

/**
 * Serves `page` framed at exactly `width` px (headless Chromium lays a window out at least 500 px
 * wide: an iframe gives the page its exact width) and hands the framing page's address to `use`.
 */
async function framed<T>(page: string, width: number, use: (address: string) => Promise<T>): Promise<T> {
  const frame = `<!doctype html><body style="margin:0"><iframe src="/report" title="report" style="border:0;width:${width}px;height:1600px"></iframe></body>`;
  const local = createServer((req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(req.url === '/report' ? page : frame),
  );
  await new Promise<void>((done) => local.listen(0, '127.0.0.1', done));
  try {
    return await use(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`);
  } finally {
    local.close();
  }
}

/**
 * Measures `page` (by default the report) in Chromium at `width`: a copy with
 * test/fixtures/report-measure.js appended (the served page allows no script) is framed and the DOM dumped.
 */
async function measure(width: number, page?: string): Promise<Measure> {
  const html = page ?? (await (await fetch(url)).text());
  const script = readFileSync(resolve('test/fixtures/report-measure.js'), 'utf8');
  const copy = html.replace('</body>', `<script>${script}</script></body>`);
  return framed(copy, width, async (address) => {
    const { code, stdout, stderr } = await chromium([
      '--virtual-time-budget=5000',
      '--hide-scrollbars',
      `--window-size=${Math.max(width, 500)},1600`,
      '--dump-dom',
      address,
    ]);
    assert.equal(code, 0, stderr.slice(-2000));
    const json = /<pre id="measure">([^<]*)<\/pre>/.exec(stdout)?.[1];
    assert.ok(json, 'the measurement ran');
    return JSON.parse(
      json
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ) as Measure;
  });
}

test('the measurement finds what it looks for: a wide element, faint text, a skipped heading, a th without scope, a silent badge', async () => {
  const broken = `<!doctype html><html><body><h2>first</h2><h1>title</h1><h4>deep</h4>
    <div id="wide" style="width:900px">wide</div><p style="color:#bbb;background:#fff">faint</p>
    <table><tr><th>no scope</th></tr></table><span class="badge"></span></body></html>`;
  const found = await measure(390, broken);
  assert.equal(found.width, 390);
  assert.ok(found.scrollWidth > found.width, 'the wide element makes the page scroll sideways');
  assert.ok(
    found.overflowing.some((entry) => entry.startsWith('div#wide')),
    `overflowing: ${found.overflowing.join(', ')}`,
  );
  assert.ok(
    found.lowContrast.some((entry) => entry.includes('"faint"')),
    `low contrast: ${found.lowContrast.join(', ')}`,
  );
  assert.equal(found.firstHeading, 2, 'the h1 does not come first');
  assert.ok(found.skipped >= 1, 'a heading level skipped');
  assert.equal(found.thWithoutScope, 1);
  assert.equal(found.silentBadges, 1);
});

for (const width of [1400, 390]) {
  test(`at ${width} px nothing is wider than the viewport, and the page passes the accessibility checks`, async () => {
    const found = await measure(width);
    assert.equal(found.width, width);
    assert.ok(found.scrollWidth <= found.width, `the page scrolls sideways: ${found.scrollWidth} > ${found.width}`);
    assert.deepEqual(found.overflowing, [], 'elements past the right edge outside scroll boxes');
    assert.deepEqual(found.lowContrast, [], 'text below 4.5:1 contrast');
    assert.equal(found.h1, 1, 'one h1');
    assert.equal(found.firstHeading, 1, 'the h1 comes first');
    assert.equal(found.skipped, 0, 'no heading level skipped');
    assert.equal(found.thWithoutScope, 0, 'every th has a scope');
    assert.ok(found.badges > 5, `badges: ${found.badges}`);
    assert.equal(found.silentBadges, 0, 'every coloured badge says its status in words');
  });
}
