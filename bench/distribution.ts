/**
 * Benchmark of the `distribution` kind.
 *
 *   npx tsx bench/distribution.ts          (ROWS=1000000 by default; the target is 10M,
 *                                           ROWS=10000000 where the machine has the minutes;
 *                                           ENGINES=postgres or ENGINES=mariadb for one engine)
 *
 * Per engine (PostgreSQL, MariaDB), a production and a staging database of ROWS orders each (two
 * numeric columns, one timestamp, two categorical), and the same at ROWS/10 to show how cost grows:
 * 1. the reference: the engine's own client reading the five columns out to /dev/null (psql
 *    COPY TO STDOUT, mariadb --batch --quick), one side;
 * 2. one sample of a distribution check over the whole table (both sides profiled concurrently);
 * 3. the same with a 1 % sample (sample_fraction: 0.01).
 * Targets: (2) <= 0.5x the reference, (3) <= 0.05x; exporter RSS growth <= 50 MiB.
 * Ends in RESULT lines.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type { DatabaseServer } from '../test/helpers/binaries.js';
import { CheckRunner, configWith } from '../test/helpers/harness.js';
import { startMariaDb } from '../test/helpers/mariadb.js';
import { startPostgres } from '../test/helpers/postgres.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const COLUMNS = 'total, score, created_at, status, country';
const results: string[] = [];

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

const pgTable = (
  rows: number,
) => `CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2), score float8, created_at timestamp, status text, country text);
  INSERT INTO orders SELECT i, round((exp(3.5 + 0.8 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))::numeric, 2), 50 + 10 * random(),
    timestamp '2026-01-01' + (random() * 365) * interval '1 day', (ARRAY['shipped','pending','delivered','cancelled'])[1 + i % 4],
    (ARRAY['DE','FR','US','JP','BR','IT','ES'])[1 + i % 7]
  FROM generate_series(1, ${rows}) i; ANALYZE orders;`;

const mariaTable = (
  rows: number,
) => `CREATE TABLE orders (id bigint PRIMARY KEY, total decimal(12,2), score double, created_at datetime, status varchar(20), country varchar(2));
  INSERT INTO orders SELECT seq, ROUND(EXP(3.5 + 0.8 * SQRT(-2 * LN(1 - RAND())) * COS(2 * PI() * RAND())), 2), 50 + 10 * RAND(),
    TIMESTAMP '2026-01-01 00:00:00' + INTERVAL FLOOR(RAND() * 365 * 86400) SECOND, ELT(1 + seq % 4, 'shipped','pending','delivered','cancelled'),
    ELT(1 + seq % 7, 'DE','FR','US','JP','BR','IT','ES')
  FROM seq_1_to_${rows}; ANALYZE TABLE orders;`;

function reference(engine: 'postgres' | 'mariadb', server: DatabaseServer, database: string): number {
  const sql = `SELECT ${COLUMNS} FROM orders`;
  const start = performance.now();
  if (engine === 'postgres') {
    const url = new URL(server.url());
    url.pathname = `/${database}`;
    execFileSync('psql', [url.toString(), '-Atq', '-c', `COPY (${sql}) TO STDOUT`], { stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    const url = new URL(server.url());
    const client = spawnSync(
      'mariadb',
      [
        '--batch',
        '--quick',
        '-h',
        url.hostname,
        '-P',
        url.port,
        '-u',
        url.username,
        `-p${decodeURIComponent(url.password)}`,
        database,
        '-e',
        sql,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (client.status !== 0) throw new Error('mariadb client failed');
  }
  return seconds(start);
}

async function sampleOnce(
  server: DatabaseServer,
  check: Record<string, unknown>,
): Promise<{ wall: number; rssGrowth: number; summary: string }> {
  const url = (database: string) => {
    const parsed = new URL(server.url());
    parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  const runner = new CheckRunner(
    configWith({ production: { shop: url('production') }, staging: { shop: url('staging') } }, [
      {
        name: 'orders_spread',
        kind: 'distribution',
        database: 'shop',
        table: 'orders',
        columns: ['total', 'score', 'created_at', 'status', 'country'],
        key: ['id'],
        timeout: '20m',
        ...check,
      },
    ]),
  );
  let peak = process.memoryUsage().rss;
  const before = peak;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = performance.now();
  try {
    const state = await runner.run('orders_spread');
    if (!state.lastRun?.success) throw new Error(state.lastRun?.error);
    return { wall: seconds(start), rssGrowth: (peak - before) / 2 ** 20, summary: state.result?.summary ?? '' };
  } finally {
    clearInterval(timer);
    await runner.close();
  }
}

async function engineBenchmark(engine: 'postgres' | 'mariadb'): Promise<void> {
  const walls: { whole: number; sampled: number }[] = [];
  for (const rows of [Math.round(ROWS / 10), ROWS]) {
    const server = engine === 'postgres' ? await startPostgres({ database: 'production' }) : await startMariaDb({ database: 'production' });
    try {
      await server.exec('CREATE DATABASE staging', engine === 'postgres' ? 'production' : undefined);
      const start = performance.now();
      for (const database of ['production', 'staging'])
        await server.exec(engine === 'postgres' ? pgTable(rows) : mariaTable(rows), database);
      console.log(`# ${engine}, ${rows.toLocaleString('en-US')} rows per side (setup ${seconds(start).toFixed(1)} s)`);
      const ref = reference(engine, server, 'production');
      console.log(`reference client read of ${COLUMNS}: ${ref.toFixed(2)} s`);
      const whole = await sampleOnce(server, {});
      console.log(
        `whole table: ${whole.wall.toFixed(2)} s (${(whole.wall / ref).toFixed(2)}x), RSS +${whole.rssGrowth.toFixed(1)} MiB: ${whole.summary}`,
      );
      const sampled = await sampleOnce(server, { sample_fraction: 0.01 });
      console.log(
        `1 % sample: ${sampled.wall.toFixed(2)} s (${(sampled.wall / ref).toFixed(3)}x), RSS +${sampled.rssGrowth.toFixed(1)} MiB: ${sampled.summary}`,
      );
      walls.push({ whole: whole.wall, sampled: sampled.wall });
      const tag = `${engine}_${rows}`;
      results.push(
        `RESULT distribution_reference_seconds_${tag} ${ref.toFixed(3)}`,
        `RESULT distribution_whole_seconds_${tag} ${whole.wall.toFixed(3)}`,
        `RESULT distribution_whole_vs_reference_${tag} ${(whole.wall / ref).toFixed(3)}`,
        `RESULT distribution_sample1pct_seconds_${tag} ${sampled.wall.toFixed(3)}`,
        `RESULT distribution_sample1pct_vs_reference_${tag} ${(sampled.wall / ref).toFixed(3)}`,
        `RESULT distribution_rss_growth_mib_${tag} ${Math.max(whole.rssGrowth, sampled.rssGrowth).toFixed(1)}`,
      );
    } finally {
      await server.destroy();
    }
  }
  const [small, large] = walls;
  if (small && large) {
    // How cost grows with the table: 10x the rows, ideally 10x the time (one scan per side).
    console.log(
      `${engine}: from ${Math.round(ROWS / 10)} to ${ROWS} rows the whole-table sample took ${(large.whole / small.whole).toFixed(1)}x the time, the 1 % sample ${(large.sampled / small.sampled).toFixed(1)}x`,
    );
    results.push(
      `RESULT distribution_whole_growth_10x_${engine} ${(large.whole / small.whole).toFixed(2)}`,
      `RESULT distribution_sample1pct_growth_10x_${engine} ${(large.sampled / small.sampled).toFixed(2)}`,
    );
  }
}

for (const engine of (process.env.ENGINES ?? 'postgres,mariadb').split(','))
  await engineBenchmark(engine === 'mariadb' ? 'mariadb' : 'postgres');
for (const line of results) console.log(line);
