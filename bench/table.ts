/**
 * Whole-table comparison: our `table` kind against pg_comparator on the same PostgreSQL pair in
 * the same run, then a PostgreSQL-vs-MariaDB pair.
 *
 *   npx tsx bench/table.ts                      # 10M rows, 1M cross-engine rows
 *   npx tsx bench/table.ts --rows 1000000 --cross-rows 100000
 *   BENCH_ROWS=200000 BENCH_CROSS_ROWS=0 npx tsx bench/table.ts   # 0 skips the cross-engine pair
 *
 * Our comparison runs in a child process so that its peak RSS is its own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireBinary } from '../test/helpers/binaries.js';
import { startMariaDb } from '../test/helpers/mariadb.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { driftFor, MARIADB_TABLE, postgresPairSql, productionRowsSql, type Drift } from './table-data.js';

interface Difference {
  type: string;
  key: Record<string, string | null>;
}

interface OursResult {
  wallSeconds: number;
  success: boolean;
  error?: string;
  summary?: string;
  hash?: string;
  examples: Difference[];
  missing: number;
  extra: number;
  changed: number;
  maxRssMiB: number;
  baseRssMiB: number;
  sides?: unknown;
}

function option(name: string, env: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const raw = index >= 0 ? process.argv[index + 1] : process.env[env];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} / ${env} must be a non-negative number`);
  return Math.floor(value);
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** The expected differences as "type:key" strings. */
function expected(drift: Drift): Set<string> {
  return new Set([
    ...drift.deleted.map((key) => `missing:${key}`),
    ...drift.inserted.map((key) => `extra:${key}`),
    ...drift.changed.map((key) => `changed:${key}`),
  ]);
}

function verdict(found: Set<string>, wanted: Set<string>): string {
  const missed = [...wanted].filter((entry) => !found.has(entry));
  const wrong = [...found].filter((entry) => !wanted.has(entry));
  return missed.length === 0 && wrong.length === 0
    ? `all ${wanted.size} differing keys exact`
    : `NOT exact: ${missed.length} expected keys not reported, ${wrong.length} reported keys not expected`;
}

/** Runs our comparison in a child process (this file with --child) and returns what it measured. */
function runOurs(databases: Record<string, string>, check: Record<string, unknown>): Promise<OursResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify({ databases, check })],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as OursResult);
      } catch {
        reject(new Error(`comparison child exited with ${code}: ${output.slice(-2000)}`));
      }
    });
  });
}

/** The child: one sample of a table check through the exporter's own sample runner. */
async function child(argument: string): Promise<void> {
  const { databases, check } = JSON.parse(argument) as { databases: Record<string, string>; check: Record<string, unknown> };
  const { CheckRunner, configWith } = await import('../test/helpers/harness.js');
  const config = configWith({ production: { shop: databases.production ?? '' }, staging: { shop: databases.staging ?? '' } }, [
    { name: 'bench_table', kind: 'table', database: 'shop', timeout: '600s', max_examples: 1000, ...check },
  ]);
  const runner = new CheckRunner(config);
  const baseRssMiB = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const state = await runner.run('bench_table');
  const wallSeconds = (performance.now() - started) / 1000;
  await runner.close();
  const details = (state.result?.details ?? {}) as Record<string, unknown>;
  const result: OursResult = {
    wallSeconds,
    success: state.lastRun?.success ?? false,
    ...(state.lastRun?.error ? { error: state.lastRun.error } : {}),
    ...(state.result ? { summary: state.result.summary } : {}),
    hash: String(details.hash ?? ''),
    examples: (details.examples ?? []) as Difference[],
    missing: Number(details.missingRows ?? 0),
    extra: Number(details.extraRows ?? 0),
    changed: Number(details.changedRows ?? 0),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    baseRssMiB,
    sides: details.sides,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function ourKeys(result: OursResult): Set<string> {
  return new Set(result.examples.map((d) => `${d.type}:${Object.values(d.key).join('/')}`));
}

function printOurs(label: string, result: OursResult, wanted: Set<string>): void {
  if (!result.success) {
    console.log(`${label}: FAILED: ${result.error}`);
    return;
  }
  console.log(`${label}: ${seconds(result.wallSeconds * 1000)} s wall, hash ${result.hash}; ${result.summary}`);
  console.log(
    `  differences: missing ${result.missing}, extra ${result.extra}, changed ${result.changed}; ${verdict(ourKeys(result), wanted)}`,
  );
  console.log(`  peak RSS ${result.maxRssMiB.toFixed(0)} MiB (process after start-up and imports: ${result.baseRssMiB.toFixed(0)} MiB)`);
  console.log(`  per side: ${JSON.stringify(result.sides)}`);
}

/** pg_comparator on the pair: wall time and the keys it reports (INSERT / UPDATE / DELETE lines). */
function runPgComparator(
  url: URL,
  production: string,
  staging: string,
): { wallSeconds: number; keys: Set<string>; status: number | null; stderr: string } {
  const binary = requireBinary('pg_comparator', 'postgresql-comparator', ['/usr/bin/pg_comparator']);
  const base = `pgsql://${url.username}@${url.hostname}:${url.port}${url.pathname}`;
  const started = performance.now();
  const run = spawnSync(binary, ['--env-pass=BENCH_PGPASS', `${base}/${production}?id`, `${base}/${staging}?id`], {
    env: { ...process.env, BENCH_PGPASS: decodeURIComponent(url.password) },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  // pg_comparator names what staging needs to become production: INSERT = missing there, DELETE = extra.
  const types: Record<string, string> = { INSERT: 'missing', DELETE: 'extra', UPDATE: 'changed' };
  const keys = new Set<string>();
  for (const line of run.stdout.split('\n')) {
    const match = /^(INSERT|UPDATE|DELETE) (\S+)$/.exec(line.trim());
    if (match) keys.add(`${types[match[1] ?? ''] ?? '?'}:${match[2]}`);
  }
  return { wallSeconds, keys, status: run.status, stderr: run.stderr };
}

async function main(): Promise<void> {
  const rows = option('rows', 'BENCH_ROWS', 10_000_000);
  const crossRows = option('cross-rows', 'BENCH_CROSS_ROWS', 1_000_000);
  console.log(`table benchmark: ${rows} rows PostgreSQL pair, ${crossRows} rows PostgreSQL-vs-MariaDB pair`);

  const pg = await startPostgres();
  try {
    const drift = driftFor(rows);
    const started = performance.now();
    for (const sql of postgresPairSql(rows, drift)) await pg.exec(sql);
    await pg.exec('CREATE EXTENSION IF NOT EXISTS pgcmp');
    console.log(
      `built the PostgreSQL pair in ${seconds(performance.now() - started)} s (production: even keys 2..${2 * rows}; staging: 50 deleted, 50 inserted, 100 changed)`,
    );
    const wanted = expected(drift);
    const url = new URL(pg.url());

    const comparator = runPgComparator(url, 'orders_production', 'orders_staging');
    if (comparator.status !== 0) console.log(`pg_comparator exited with ${comparator.status}: ${comparator.stderr.slice(-500)}`);
    console.log(
      `pg_comparator: ${seconds(comparator.wallSeconds * 1000)} s wall; ${comparator.keys.size} differences; ${verdict(comparator.keys, wanted)}`,
    );

    const ours = await runOurs(
      { production: pg.url(), staging: pg.url() },
      { table: 'orders_production', table_per_side: { staging: 'orders_staging' }, key: ['id'] },
    );
    printOurs('ours (table kind)', ours, wanted);
    if (ours.success && comparator.wallSeconds > 0) {
      const ratio = ours.wallSeconds / comparator.wallSeconds;
      console.log(`ratio ours / pg_comparator: ${ratio.toFixed(3)} (goal <= 0.35)`);
    }

    if (crossRows > 0) await crossEngine(pg, crossRows);
  } finally {
    await pg.destroy();
  }
}

/** PostgreSQL production against MariaDB staging with the same data and a little drift. */
async function crossEngine(pg: Awaited<ReturnType<typeof startPostgres>>, rows: number): Promise<void> {
  const maria = await startMariaDb();
  try {
    const drift = driftFor(rows, { deleted: 5, inserted: 5, changed: 10 });
    const started = performance.now();
    await pg.exec('DROP TABLE IF EXISTS orders_cross');
    await pg.exec(`CREATE TABLE orders_cross AS ${productionRowsSql(rows)}`);
    await pg.exec('ALTER TABLE orders_cross ADD PRIMARY KEY (id)');
    await pg.exec('VACUUM ANALYZE orders_cross');
    await maria.exec(MARIADB_TABLE);
    // The same rows generated by MariaDB itself (its sequence engine instead of generate_series).
    await maria.exec(`INSERT INTO orders SELECT 2 * seq, (seq * 7919) % 100000, ELT(1 + seq % 5, 'new', 'paid', 'shipped', 'delivered', 'cancelled'),
      ROUND(((seq * 7919) % 5000000) / 100 + 1, 2),
      TIMESTAMP'2024-01-01 00:00:00' + INTERVAL (seq * 3) SECOND + INTERVAL (seq % 997) MICROSECOND,
      IF(seq % 7 = 0, NULL, CONCAT('note ', seq, ' ünïcødé')) FROM seq_1_to_${rows}`);
    const list = (keys: bigint[]) => keys.join(',');
    await maria.exec(`DELETE FROM orders WHERE id IN (${list(drift.deleted)})`);
    await maria.exec(
      `INSERT INTO orders SELECT id + 1, customer_id, status, total + 1, created_at, 'inserted' FROM orders WHERE id IN (${list(drift.inserted.map((key) => key - 1n))})`,
    );
    await maria.exec(`UPDATE orders SET total = total + 0.01 WHERE id IN (${list(drift.changed)})`);
    await maria.exec('ANALYZE TABLE orders');
    console.log(
      `built the PostgreSQL-vs-MariaDB pair (${rows} rows, 5 deleted, 5 inserted, 10 changed in MariaDB) in ${seconds(performance.now() - started)} s`,
    );
    const ours = await runOurs(
      { production: pg.url(), staging: maria.url() },
      { table: 'orders_cross', table_per_side: { staging: 'orders' }, key: ['id'] },
    );
    printOurs('ours, PostgreSQL vs MariaDB', ours, expected(drift));
  } finally {
    await maria.destroy();
  }
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) await child(process.argv[childIndex + 1] ?? '{}');
else await main();
