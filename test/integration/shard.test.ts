// Three exporter processes with --shard=0/3, 1/3, 2/3 on the same configuration against a real
// PostgreSQL run every check exactly once between them. A real Prometheus then scrapes the three
// and the recording rules of alerts/recording.rules.yml combine their scores into the score an
// unsharded exporter computes on the same configuration. `run --shard` runs the same share.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireBinary } from '../helpers/binaries.js';
import { ownerOf } from '../../src/scheduler/shard.js';
import { fetchText, metricValue, REPO_ROOT, runExporter, spawnExporter, waitFor, type ExporterProcess } from '../helpers/exporter.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

const CHECKS = Array.from({ length: 24 }, (_, i) => `items_${i}`);
let dir: string;
let postgres: PostgresServer;
let shards: ExporterProcess[] = [];
let unsharded: ExporterProcess;
let prometheus: ChildProcess | undefined;

const scrape = async (exporter: ExporterProcess) => (await fetchText(`${exporter.baseUrl}/metrics`)).body;

before(async () => {
  postgres = await startPostgres();
  await postgres.exec('CREATE DATABASE prod');
  await postgres.exec('CREATE DATABASE stage');
  const seed =
    'CREATE TABLE items (id integer PRIMARY KEY, v integer NOT NULL); INSERT INTO items SELECT g, g * 10 FROM generate_series(1, 120) g;';
  await postgres.exec(seed, 'prod');
  await postgres.exec(seed, 'stage');
  // Drift in staging: a few buckets differ, so the data score is neither 0 nor 1.
  await postgres.exec('UPDATE items SET v = v + 1 WHERE id IN (3, 17, 29, 40)', 'stage');
  // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
  const reader = await createLeastPrivilegeRole(postgres, { databases: ['prod', 'stage'], kinds: ['query'] });

  dir = mkdtempSync(join(tmpdir(), 'fidelity-shard-'));
  const config = [
    'environments:',
    `  production: { databases: { shop: { url: "${reader.url('prod')}" } } }`,
    `  staging: { databases: { shop: { url: "${reader.url('stage')}" } } }`,
    'defaults: { every: 2s, timeout: 5s }',
    'checks:',
    ...CHECKS.map(
      (name, i) => `  - { name: ${name}, kind: query, database: shop, sql: "SELECT id, v FROM items WHERE id % 24 = ${i} ORDER BY id" }`,
    ),
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const args = [`--config.file=${join(dir, 'config.yml')}`];
  shards = await Promise.all([0, 1, 2].map((index) => spawnExporter([...args, `--shard=${index}/3`])));
  unsharded = await spawnExporter(args);
});

after(async () => {
  prometheus?.kill('SIGKILL');
  await Promise.all([...shards, unsharded].filter(Boolean).map((exporter) => exporter.stop()));
  await postgres?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('three shards run every check exactly once between them', async (t) => {
  const texts = await waitFor('every check to have run on some shard', async () => {
    const all = await Promise.all(shards.map(scrape));
    const ran = CHECKS.filter((check) =>
      all.some((text) => (metricValue(text, 'fidelity_check_runs_total', { check, outcome: 'success' }) ?? 0) >= 1),
    );
    return ran.length === CHECKS.length ? all : undefined;
  });
  const owners = new Map<string, number[]>();
  for (const check of CHECKS) {
    owners.set(
      check,
      texts.flatMap((text, index) =>
        metricValue(text, 'fidelity_check_runs_total', { check, outcome: 'success' }) === undefined ? [] : [index],
      ),
    );
  }
  for (const [check, replicas] of owners) assert.equal(replicas.length, 1, `${check} is exported by replicas ${replicas.join(', ')}`);
  texts.forEach((text, index) => {
    assert.equal(metricValue(text, 'fidelity_shard_info', { shard: String(index), shards: '3' }), 1);
    // Nothing of a check another replica owns: no failure counter, no comparison series.
    for (const [check, [owner]] of owners) {
      if (owner !== index) assert.ok(!text.includes(`check="${check}"`), `replica ${index} exports ${check}`);
    }
  });
  const perShard = [0, 1, 2].map((index) => [...owners.values()].filter(([owner]) => owner === index).length);
  t.diagnostic(`checks per shard: ${perShard.join(' / ')} of ${CHECKS.length}`);
  assert.ok(
    perShard.every((count) => count > 0),
    `a shard owns nothing: ${perShard.join('/')}`,
  );
  assert.match(shards[0]!.stderr(), /"shard":"0\/3","checks":\d+,"configuredChecks":24/);
});

test('Prometheus combines the shards with the recording rules into the unsharded score', async () => {
  const binary = requireBinary('prometheus', 'prometheus');
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ["${join(REPO_ROOT, 'alerts/recording.rules.yml')}"]`,
      'scrape_configs:',
      '  - job_name: fidelity-exporter',
      `    static_configs: [{ targets: [${shards.map((shard) => `"127.0.0.1:${shard.port}"`).join(', ')}] }]`,
    ].join('\n'),
  );
  let log = '';
  prometheus = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));

  const query = async (promql: string) => {
    const reply = await fetchText(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = JSON.parse(reply.body) as { data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    return body.data?.result ?? [];
  };
  const reference = await waitFor('every check to have a result on the unsharded exporter', async () => {
    const text = await scrape(unsharded);
    return metricValue(text, 'fidelity_score_checks', { dimension: 'data', candidate: 'staging' }) === CHECKS.length ? text : undefined;
  });
  const expectedData = metricValue(reference, 'fidelity_score', { dimension: 'data', candidate: 'staging' });
  const expectedOverall = metricValue(reference, 'fidelity_score', { dimension: 'overall', candidate: 'staging' });
  assert.ok(expectedData !== undefined && expectedData > 0 && expectedData < 1, `unsharded data score ${expectedData}`);

  let completeAt: number | undefined;
  const combined = await waitFor(
    'the recording rules over all three shards',
    async () => {
      const [checks] = await query('sum(fidelity_score_checks{dimension="data",candidate="staging"})');
      if (Number(checks?.value[1]) !== CHECKS.length) return undefined;
      // The recording rules see the complete set at their next evaluations (1 s interval).
      completeAt ??= Number(checks?.value[0]);
      const [data] = await query('fidelity:score:combined{dimension="data",candidate="staging"}');
      const [overall] = await query('fidelity:score:combined{dimension="overall",candidate="staging"}');
      if (!data || !overall || Number(data.value[0]) < completeAt + 3) return undefined;
      return { data: Number(data.value[1]), overall: Number(overall.value[1]) };
    },
    60_000,
  ).catch((error: Error) => assert.fail(`${error.message}\nprometheus log:\n${log.slice(-2000)}`));
  assert.ok(Math.abs(combined.data - expectedData) < 1e-9, `sharded ${combined.data} vs unsharded ${expectedData}`);
  assert.ok(
    Math.abs(combined.overall - (expectedOverall ?? Number.NaN)) < 1e-9,
    `sharded overall ${combined.overall} vs unsharded ${expectedOverall}`,
  );
  const [reporting] = await query('count(fidelity_shard_info)');
  assert.equal(Number(reporting?.value[1]), 3);
});

test('run --shard=I/N runs only its share, the checks serve --shard=I/N runs', async () => {
  const config = join(dir, 'config.yml');
  const ran: string[][] = [];
  for (const index of [0, 1, 2]) {
    const json = join(dir, `run-${index}.json`);
    const run = await runExporter(['run', `--config.file=${config}`, `--shard=${index}/3`, `--output.json=${json}`, '--log.level=error']);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { exitCode: number; checks: Array<{ name: string; status: string }> };
    assert.equal(run.code, report.exitCode, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`^running ${report.checks.length} checks \\(shard ${index}/3 of 24\\)`));
    const names = report.checks.map((check) => check.name).sort();
    assert.deepEqual(names, CHECKS.filter((check) => ownerOf(check, 3) === index).sort(), `shard ${index}/3`);
    const served = JSON.parse((await fetchText(`${shards[index]!.baseUrl}/api/v1/results`)).body) as { checks: Array<{ name: string }> };
    assert.deepEqual(names, served.checks.map((check) => check.name).sort(), `run and serve of shard ${index}/3 own the same checks`);
    assert.ok(
      report.checks.every((check) => check.status === 'pass' || check.status === 'fail'),
      JSON.stringify(report.checks),
    );
    ran.push(names);
  }
  assert.deepEqual(ran.flat().sort(), [...CHECKS].sort(), 'the three shares are disjoint and cover every check');

  const refused = await runExporter(['run', `--config.file=${config}`, '--check=items_0', `--shard=${(ownerOf('items_0', 3) + 1) % 3}/3`]);
  assert.equal(refused.code, 3, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /--shard: shard \d\/3 owns none of the 1 selected checks/);
});
