/**
 * Benchmark of the `schema` kind.
 *
 *   npx tsx bench/schema.ts            (TABLES=500 by default)
 *
 * TABLES tables per side (10 columns, a primary key, a unique constraint, a foreign key to the
 * previous table, two indexes), production and staging as two databases of one server, staging
 * without one index. For PostgreSQL and MariaDB: the wall time of one schema sample (both
 * catalogs read concurrently, then compared), against the engine's own schema dump of one side
 * to /dev/null in the same run (pg_dump --schema-only, mariadb-dump --no-data): the reference.
 * Also the pure comparison time of the two catalogs, median of 20 runs.
 */
import { spawnSync } from 'node:child_process';
import { compareSchemas } from '../src/compare/schema.js';
import { readCatalog } from '../src/connectors/catalog.js';
import { CheckRunner, configWith } from '../test/helpers/harness.js';
import type { DatabaseServer } from '../test/helpers/binaries.js';
import { startMariaDb } from '../test/helpers/mariadb.js';
import { startPostgres } from '../test/helpers/postgres.js';

const TABLES = Number(process.env.TABLES ?? 500);

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

function ddl(engine: 'postgres' | 'mysql'): string {
  const text = engine === 'postgres' ? 'text' : 'varchar(200)';
  const statements: string[] = [];
  for (let i = 1; i <= TABLES; i += 1) {
    const reference = i > 1 ? `, CONSTRAINT t${i}_parent_fk FOREIGN KEY (parent_id) REFERENCES t${i - 1} (id)` : '';
    statements.push(
      `CREATE TABLE t${i} (id bigint PRIMARY KEY, parent_id bigint, code ${text} NOT NULL, name ${text}, amount decimal(12,2) DEFAULT 0, ` +
        `qty integer NOT NULL DEFAULT 1, flag boolean, created_at timestamp NULL, updated_at timestamp NULL, note ${text}, ` +
        `CONSTRAINT t${i}_code_key UNIQUE (code)${reference})`,
      `CREATE INDEX t${i}_created_idx ON t${i} (created_at)`,
      `CREATE INDEX t${i}_name_qty_idx ON t${i} (name${engine === 'mysql' ? '(50)' : ''}, qty)`,
    );
  }
  return `${statements.join(';\n')};`;
}

async function bench(label: string, server: DatabaseServer, engine: 'postgres' | 'mysql', dump: () => void): Promise<void> {
  let start = performance.now();
  await server.exec('CREATE DATABASE staging');
  await server.exec(ddl(engine));
  await server.exec(ddl(engine), 'staging');
  await server.exec(engine === 'postgres' ? 'DROP INDEX t7_created_idx' : 'DROP INDEX t7_created_idx ON t7', 'staging');
  console.log(`${label}: setup of ${TABLES} tables per side ${seconds(start).toFixed(1)} s`);

  start = performance.now();
  dump();
  const reference = seconds(start);

  const runner = new CheckRunner(
    configWith({ production: { shop: server.url() }, staging: { shop: server.url('staging') } }, [
      { name: 'schema', kind: 'schema', database: 'shop', timeout: '5m' },
    ]),
  );
  try {
    await runner.run('schema'); // warm-up: connections, catalog caches
    const walls: number[] = [];
    let summary = '';
    for (let i = 0; i < 5; i += 1) {
      start = performance.now();
      const state = await runner.run('schema');
      walls.push(seconds(start));
      if (!state.lastRun?.success) throw new Error(`${label}: ${state.lastRun?.error}`);
      summary = state.result?.summary ?? '';
    }
    walls.sort((a, b) => a - b);
    const wall = walls[2] ?? NaN;

    const handle = (side: string) => runner.sides.handle(side, 'shop', AbortSignal.timeout(300_000), () => 300_000);
    const schemas = engine === 'postgres' ? ['public'] : undefined;
    const read = async (side: string) => {
      const database = handle(side);
      return database.readOnly((session) => readCatalog(session, engine, schemas ?? [side === 'production' ? 'fidelity' : 'staging']));
    };
    const [production, staging] = await Promise.all([read('production'), read('staging')]);
    const compareTimes: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      start = performance.now();
      compareSchemas(production, staging, { baselineName: 'production', candidateName: 'staging', qualify: false });
      compareTimes.push(performance.now() - start);
    }
    compareTimes.sort((a, b) => a - b);
    console.log(`${label}: schema sample (median of 5) ${wall.toFixed(3)} s -> ${summary}`);
    console.log(`  reference schema dump of one side: ${reference.toFixed(3)} s; sample / dump = ${(wall / reference).toFixed(2)}`);
    console.log(`  pure comparison of the two catalogs: ${(compareTimes[10] ?? NaN).toFixed(2)} ms (median of 20)`);
  } finally {
    await runner.close();
  }
}

const [pg, maria] = await Promise.all([startPostgres(), startMariaDb()]);
try {
  await bench('PostgreSQL', pg, 'postgres', () => {
    const result = spawnSync('pg_dump', ['--schema-only', pg.url()], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error('pg_dump failed');
  });
  const url = new URL(maria.url());
  await bench('MariaDB', maria, 'mysql', () => {
    const result = spawnSync(
      'mariadb-dump',
      ['--no-data', '-h', url.hostname, '-P', url.port, '-u', url.username, `-p${decodeURIComponent(url.password)}`, url.pathname.slice(1)],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (result.status !== 0) throw new Error('mariadb-dump failed');
  });
} finally {
  await Promise.all([pg.destroy(), maria.destroy()]);
}
