/**
 * Benchmark of the `query` kind and the scrape path.
 *
 *   npx tsx bench/query.ts            (ROWS=1000000 SERIES=10000 SCALE=100000,1000000,3000000 by default)
 *
 * 1. A ROWS-row result compared PostgreSQL vs PostgreSQL and PostgreSQL vs MariaDB (keyed, 10 rows
 *    changed on the candidate): rows/s per side (rows streamed, canonicalised and digested), against
 *    the same result read by the engine's own command-line client into /dev/null in the same run
 *    (the reference; both psql sides at once), RSS above the idle process and the event-loop
 *    delay max during the sample.
 *    Then the peak RSS of `node dist/main.js run --check` on the PostgreSQL pair (built first).
 * 2. Time and RSS of a PostgreSQL-vs-PostgreSQL sample for each row count of SCALE (empty: none).
 * 3. /metrics latency (p50/p99 over sequential scrapes from a worker thread) with SERIES series in the results store while
 *    checks keep landing samples, against prom-client serving the same number of pre-set series
 *    through express.
 * The last lines are `RESULT <name> <value>`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Gauge, Registry } from 'prom-client';
import { loadConfigObject } from '../src/runtime/load.js';
import { Exporter } from '../src/runtime/exporter.js';
import { silentLogger } from '../src/log.js';
import { sample } from '../src/metrics/catalogue.js';
import { createApp } from '../src/server/app.js';
import { startMariaDb } from '../test/helpers/mariadb.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { CheckRunner, configWith } from '../test/helpers/harness.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const SERIES = Number(process.env.SERIES ?? 10_000);
const SCALE = (process.env.SCALE ?? '100000,1000000,3000000').split(',').filter(Boolean).map(Number);
const SQL = 'SELECT id, status, total, created_at, note FROM orders';
const results: Array<[string, number]> = [];

function result(name: string, value: number): void {
  results.push([name, value]);
}

/** Runs one sample, measuring RSS above the process before it (sampled every 10 ms) and the event-loop delay max. */
async function measuredSample(runner: CheckRunner) {
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 10);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const start = performance.now();
  const state = await runner.run('orders');
  const wall = seconds(start);
  delay.disable();
  clearInterval(sampler);
  return { state, wall, rssAboveMiB: (rssPeak - rssBefore) / 2 ** 20, loopMaxMs: delay.max / 1e6 };
}

function pgSetup(rows: number, table = 'orders'): string {
  return `CREATE TABLE ${table} (id bigint PRIMARY KEY, status text, total numeric(12,2), created_at timestamptz, note text);
      INSERT INTO ${table} SELECT i, (ARRAY['new','paid','shipped'])[1 + i % 3], (i % 100000) / 100.0,
        timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second', CASE WHEN i % 5 = 0 THEN NULL ELSE 'note ' || i END
      FROM generate_series(1, ${rows}) i; ANALYZE ${table};`;
}

/** Ten changed totals spread over the key range: the usual case of a few differing rows. */
function drift(rows: number, table = 'orders'): string {
  return `UPDATE ${table} SET total = total + 1 WHERE id % ${Math.max(1, Math.floor(rows / 10))} = 7`;
}

function psqlCopy(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [url, '-Atq', '-c', `COPY (${SQL}) TO STDOUT`], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}`))));
  });
}

/**
 * Peak RSS of the CLI comparing the pair once (`node dist/main.js run --check=orders`, built first):
 * VmHWM of the child, read every 20 ms until it exits.
 */
async function runCheckPeak(
  baselineUrl: string,
  candidateUrl: string,
  rows: number,
): Promise<{ peakMiB: number; wall: number; code: number | null }> {
  const build = spawnSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run build failed');
  const dir = mkdtempSync(join(tmpdir(), 'bench-query-'));
  const config = join(dir, 'fidelity.yml');
  const check = { name: 'orders', kind: 'query', database: 'shop', sql: SQL, key: ['id'], max_rows: rows + 1, timeout: '20m' };
  const environments = {
    production: { databases: { shop: { url: baselineUrl } } },
    staging: { databases: { shop: { url: candidateUrl } } },
  };
  writeFileSync(config, JSON.stringify({ environments, checks: [check] }));
  const start = performance.now();
  const child = spawn(process.execPath, ['dist/main.js', 'run', `--config.file=${config}`, '--check=orders'], { stdio: 'ignore' });
  let peakKiB = 0;
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      peakKiB = Math.max(peakKiB, Number(hwm?.[1] ?? 0));
    } catch {
      // the child has exited
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  rmSync(dir, { recursive: true, force: true });
  return { peakMiB: peakKiB / 1024, wall: seconds(start), code };
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

function rate(rows: number, s: number): string {
  return `${Math.round(rows / s).toLocaleString('en-US')} rows/s`;
}

async function queryBenchmark(): Promise<void> {
  console.log(`# query comparison, ${ROWS.toLocaleString('en-US')} rows per side`);
  const [pgA, pgB, maria] = await Promise.all([startPostgres(), startPostgres(), startMariaDb()]);
  try {
    const setup = pgSetup(ROWS);
    const mariaSetup = `CREATE TABLE orders (id bigint PRIMARY KEY, status text, total decimal(12,2), created_at datetime(6), note text);
      INSERT INTO orders SELECT seq, ELT(1 + seq % 3, 'new','paid','shipped'), (seq % 100000) / 100.0,
        TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND, IF(seq % 5 = 0, NULL, CONCAT('note ', seq))
      FROM seq_1_to_${ROWS};`;
    let start = performance.now();
    await Promise.all([pgA.exec(setup), pgB.exec(`${setup}; ${drift(ROWS)}`), maria.exec(`${mariaSetup} ${drift(ROWS)}`)]);
    console.log(`setup: ${seconds(start).toFixed(1)} s`);

    // References: the engines' own clients reading the same result into /dev/null (psql: both
    // PostgreSQL sides at once, as a sample reads them).
    start = performance.now();
    await Promise.all([psqlCopy(pgA.url()), psqlCopy(pgB.url())]);
    const psqlSeconds = seconds(start);
    const mariaUrl = new URL(maria.url());
    start = performance.now();
    const client = spawnSync(
      'mariadb',
      [
        '--batch',
        '--quick',
        '-h',
        mariaUrl.hostname,
        '-P',
        mariaUrl.port,
        '-u',
        mariaUrl.username,
        `-p${decodeURIComponent(mariaUrl.password)}`,
        mariaUrl.pathname.slice(1),
        '-e',
        SQL,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (client.status !== 0) throw new Error('mariadb client failed');
    const mariaClientSeconds = seconds(start);
    console.log(`reference psql COPY to /dev/null: ${psqlSeconds.toFixed(2)} s (${rate(ROWS, psqlSeconds)})`);
    console.log(`reference mariadb --batch --quick to /dev/null: ${mariaClientSeconds.toFixed(2)} s (${rate(ROWS, mariaClientSeconds)})`);

    // A small sample first, so that module loading and connection set-up are not measured.
    await pgA.exec(`${pgSetup(1000, 'warm')}`);
    const warm = new CheckRunner(
      configWith({ production: { shop: pgA.url() }, staging: { shop: pgA.url() } }, [
        { name: 'orders', kind: 'query', database: 'shop', sql: 'SELECT * FROM warm', key: ['id'] },
      ]),
    );
    await warm.run('orders');
    await warm.close();

    for (const [label, candidate, reference, name] of [
      ['PostgreSQL vs PostgreSQL', pgB.url(), psqlSeconds, 'pg'],
      ['PostgreSQL vs MariaDB', maria.url(), mariaClientSeconds, 'mariadb'],
    ] as const) {
      const runner = new CheckRunner(
        configWith({ production: { shop: pgA.url() }, staging: { shop: candidate } }, [
          { name: 'orders', kind: 'query', database: 'shop', sql: SQL, max_rows: ROWS + 1, key: ['id'], timeout: '10m' },
        ]),
      );
      const { state, wall, rssAboveMiB, loopMaxMs } = await measuredSample(runner);
      await runner.close();
      if (!state.lastRun?.success) throw new Error(`${label}: ${state.lastRun?.error}`);
      const sides = state.result?.details.sides as Record<string, { durationSeconds: number; engine: string }>;
      const production = sides.production?.durationSeconds ?? NaN;
      const staging = sides.staging?.durationSeconds ?? NaN;
      console.log(`${label}: wall ${wall.toFixed(2)} s, verdict ${state.result?.passed ? 'match' : 'differ'} (${state.result?.summary})`);
      console.log(
        `  production (postgres): ${rate(ROWS, production)} (${production.toFixed(2)} s; ${(production / psqlSeconds).toFixed(2)}x psql's time, sides read concurrently)`,
      );
      console.log(
        `  staging (${sides.staging?.engine}): ${rate(ROWS, staging)} (${staging.toFixed(2)} s; ${(staging / reference).toFixed(2)}x the reference client's time)`,
      );
      console.log(
        `  peak RSS ${rssAboveMiB.toFixed(0)} MiB above the process before the sample; event-loop delay max ${loopMaxMs.toFixed(1)} ms; reads per side ${String(state.result?.details.reads)}`,
      );
      if (name === 'pg') result('query_pg_rows_per_second', Math.round(ROWS / production));
      result(`query_${name}_side_ratio_to_client`, Number((reference / staging).toFixed(3)));
      result(`query_${name}_rss_above_idle_mib`, Math.round(rssAboveMiB));
      result(`query_${name}_event_loop_max_ms`, Number(loopMaxMs.toFixed(1)));
      if (name === 'mariadb') result('query_mariadb_rows_per_second', Math.round(ROWS / staging));
    }
    const cli = await runCheckPeak(pgA.url(), pgB.url(), ROWS);
    console.log(
      `run --check on the PostgreSQL pair: peak RSS ${cli.peakMiB.toFixed(0)} MiB, ${cli.wall.toFixed(2)} s, exit code ${cli.code}`,
    );
    result('query_run_check_peak_rss_mib', Math.round(cli.peakMiB));
  } finally {
    await Promise.all([pgA.destroy(), pgB.destroy(), maria.destroy()]);
  }
}

async function scalingBenchmark(): Promise<void> {
  if (SCALE.length === 0) return;
  console.log(`\n# scaling, PostgreSQL vs PostgreSQL, keyed, 10 changed rows`);
  const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
  try {
    for (const rows of SCALE) {
      await Promise.all([
        a.exec(`DROP TABLE IF EXISTS orders; ${pgSetup(rows)}`),
        b.exec(`DROP TABLE IF EXISTS orders; ${pgSetup(rows)}; ${drift(rows)}`),
      ]);
      const runner = new CheckRunner(
        configWith({ production: { shop: a.url() }, staging: { shop: b.url() } }, [
          { name: 'orders', kind: 'query', database: 'shop', sql: SQL, max_rows: rows + 1, key: ['id'], timeout: '20m' },
        ]),
      );
      const { state, wall, rssAboveMiB, loopMaxMs } = await measuredSample(runner);
      await runner.close();
      if (!state.lastRun?.success) throw new Error(`${rows} rows: ${state.lastRun?.error}`);
      console.log(
        `${rows.toLocaleString('en-US')} rows: ${wall.toFixed(2)} s (${rate(rows, wall)}), peak RSS +${rssAboveMiB.toFixed(0)} MiB, loop max ${loopMaxMs.toFixed(1)} ms, ${state.result?.summary}`,
      );
      result(`scale_${rows}_seconds`, Number(wall.toFixed(2)));
      result(`scale_${rows}_rss_above_idle_mib`, Math.round(rssAboveMiB));
    }
  } finally {
    await Promise.all([a.destroy(), b.destroy()]);
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Series lines of a scrape (gzip decoded by fetch, as Prometheus sends Accept-Encoding: gzip). */
async function seriesCount(url: string): Promise<number> {
  return (await (await fetch(url)).text()).split('\n').filter((l) => l && !l.startsWith('#')).length;
}

/**
 * The scraper, in a worker thread of its own, as Prometheus is a process of its own: its reads,
 * gunzip and garbage do not run on the exporter's thread, which keeps landing samples meanwhile.
 * Like Prometheus it asks for gzip and gunzips the body in one go once it is read (fetch's
 * streaming gunzip would add a thread-pool round trip per 16 KiB chunk). Each request times
 * `count` sequential scrapes, from the request to the decoded text.
 */
const SCRAPER = `
const { parentPort } = require('node:worker_threads');
const { get } = require('node:http');
const { gunzipSync } = require('node:zlib');
const scrape = (url) => new Promise((resolve, reject) => {
  get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve((res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
    });
  }).on('error', reject);
});
parentPort.on('message', async ({ url, count }) => {
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await scrape(url);
    times.push(performance.now() - start);
  }
  parentPort.postMessage(times);
});`;

class Scraper {
  private readonly worker = new Worker(SCRAPER, { eval: true });

  /** Wall times of `count` sequential scrapes of `url`, in ms. */
  scrape(url: string, count: number): Promise<number[]> {
    return new Promise((resolve) => {
      this.worker.once('message', resolve);
      this.worker.postMessage({ url, count });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

function percentiles(times: number[]): { p50: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

async function listen(app: express.Express): Promise<{ url: string; close(): void }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/metrics`, close: () => server.close() });
    });
  });
}

async function scrapeBenchmark(): Promise<void> {
  // 7 comparison + 9 health series per query check.
  const checks = Math.ceil(SERIES / 16);
  console.log(`\n# /metrics with ${checks} query checks (~${SERIES} series)`);
  const config = loadConfigObject(
    {
      environments: {
        production: { databases: { shop: { url: 'postgres://u:p@127.0.0.1:1/db' } } },
        staging: { databases: { shop: { url: 'postgres://u:p@127.0.0.1:1/db' } } },
      },
      checks: Array.from({ length: checks }, (_, i) => ({ name: `check_${i}`, kind: 'query', database: 'shop', sql: 'SELECT 1' })),
    },
    { env: {} },
  );
  const exporter = new Exporter(config, silentLogger);
  const land = (name: string, value: number) => {
    const pair = { check: name, baseline: 'production', candidate: 'staging' };
    exporter.store.begin(name);
    exporter.store.succeed(
      name,
      {
        passed: true,
        summary: 'ok',
        series: [
          sample('fidelity_query_match', pair, 1),
          sample('fidelity_query_mismatched_rows', pair, 0),
          sample('fidelity_query_duration_ratio', pair, 1.1),
          sample('fidelity_query_rows', { check: name, side: 'production' }, value),
          sample('fidelity_query_rows', { check: name, side: 'staging' }, value),
          sample('fidelity_query_duration_seconds', { check: name, side: 'production' }, 0.1),
          sample('fidelity_query_duration_seconds', { check: name, side: 'staging' }, 0.11),
        ],
        scores: [{ dimension: 'data', candidate: 'staging', value: 1 }],
        details: {},
      },
      { startedAt: Date.now(), finishedAt: Date.now(), durationMs: 10 },
    );
  };
  for (const check of config.checks) land(check.name, 100);
  const ours = await listen(createApp(exporter, silentLogger));
  const oursLines = await seriesCount(ours.url);

  // Reference: prom-client alone, the same number of series set once, rendered through express.
  const registry = new Registry();
  const gauge = new Gauge({ name: 'reference_series', help: 'reference', labelNames: ['check', 'side', 'n'], registers: [registry] });
  for (let i = 0; i < oursLines; i += 1) gauge.set({ check: `check_${i % checks}`, side: 'production', n: String(i) }, i);
  const app = express();
  app.get('/metrics', async (_req, res) => {
    res.type('text/plain').send(await registry.metrics());
  });
  const reference = await listen(app);
  const referenceLines = await seriesCount(reference.url);

  // Blocks of scrapes alternate between the two, so that a change of the machine's load between
  // them falls on both. Checks keep sampling while ours is scraped: one sample lands every 100 ms
  // (each check about once a minute); prom-client alone has nothing landing.
  const oursTimes: number[] = [];
  const referenceTimes: number[] = [];
  let landed = 0;
  const scraper = new Scraper();
  for (let round = 0; round < 3; round += 1) {
    await scraper.scrape(ours.url, 10); // warm-up
    const sampling = setInterval(() => land(`check_${landed++ % checks}`, landed), 100);
    oursTimes.push(...(await scraper.scrape(ours.url, 100)));
    clearInterval(sampling);
    await scraper.scrape(reference.url, 10);
    referenceTimes.push(...(await scraper.scrape(reference.url, 100)));
  }
  await scraper.close();
  ours.close();
  reference.close();
  await exporter.stop();

  const oursP = percentiles(oursTimes);
  const referenceP = percentiles(referenceTimes);
  console.log(`ours: ${oursLines} series, ${landed} samples landed, p50 ${oursP.p50.toFixed(1)} ms, p99 ${oursP.p99.toFixed(1)} ms`);
  console.log(
    `reference (prom-client, pre-set series): ${referenceLines} series, p50 ${referenceP.p50.toFixed(1)} ms, p99 ${referenceP.p99.toFixed(1)} ms`,
  );
  console.log(`ratio ours/reference: p50 ${(oursP.p50 / referenceP.p50).toFixed(2)}, p99 ${(oursP.p99 / referenceP.p99).toFixed(2)}`);
  result('metrics_series', oursLines);
  result('metrics_p50_ms', Number(oursP.p50.toFixed(2)));
  result('metrics_p99_ms', Number(oursP.p99.toFixed(2)));
  result('metrics_reference_p50_ms', Number(referenceP.p50.toFixed(2)));
  result('metrics_reference_p99_ms', Number(referenceP.p99.toFixed(2)));
  result('metrics_p50_ratio_to_prom_client', Number((oursP.p50 / referenceP.p50).toFixed(3)));
  result('metrics_p99_ratio_to_prom_client', Number((oursP.p99 / referenceP.p99).toFixed(3)));
}

if (ROWS > 0) await queryBenchmark();
await scalingBenchmark();
if (SERIES > 0) await scrapeBenchmark();
console.log(`\npeak RSS of the whole run ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
for (const [name, value] of results) console.log(`RESULT ${name} ${value}`);
