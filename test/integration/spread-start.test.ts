import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { firstSampleDelays } from '../../src/scheduler/spread.js';
import { runExporter } from '../helpers/exporter.js';
import { createReadOnlyRole } from '../helpers/read-only-role.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { startExporterProcess, waitFor, writeTempFile, type ExporterProcess } from '../helpers/process.js';

/**
 * First samples spread over each check's interval instead of all starting in the same second; a
 * reload keeps the cadence of unchanged checks; the one-shot run still starts everything at once.
 */

const CHECKS = Array.from({ length: 20 }, (_, i) => `orders_${String(i).padStart(2, '0')}`);

function configText(checks: readonly string[], defaults = 'every: 10s, timeout: 5s', schedule = ''): string {
  return `environments:
  production: { databases: { shop: { url: "\${SHOP_URL}" } } }
  staging: { databases: { shop: { url: "\${SHOP_URL}" } } }
defaults: { ${defaults} }
checks:
${checks.map((name) => `  - { name: ${name}, kind: query, database: shop, sql: "SELECT status, count(*) AS n FROM orders GROUP BY status"${schedule} }`).join('\n')}
`;
}

interface Results {
  exporter: { startedAt: string };
  checks: Array<{ name: string; lastRun?: { startedAt: string } }>;
}

async function results(exporter: ExporterProcess): Promise<Results> {
  return (await (await fetch(`${exporter.url}/api/v1/results`)).json()) as Results;
}

/** Start times of the samples that began first for every check seen so far (ms since epoch). */
function lastStarts(view: Results): Map<string, number> {
  return new Map(view.checks.flatMap((check) => (check.lastRun ? [[check.name, Date.parse(check.lastRun.startedAt)] as const] : [])));
}

describe('a spread start', () => {
  let postgres: PostgresServer;
  let exporter: ExporterProcess;
  let configFile: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    postgres = await startPostgres();
    await postgres.exec(`CREATE TABLE orders (id int PRIMARY KEY, status text);
      INSERT INTO orders SELECT i, 'paid' FROM generate_series(1, 100) i;`);
    // The least-privilege role docs/configuration.md gives for query checks.
    env = { SHOP_URL: await createReadOnlyRole(postgres) };
    configFile = writeTempFile('fidelity.yml', configText(CHECKS));
    exporter = await startExporterProcess([`--config.file=${configFile}`], env);
  });
  after(async () => {
    await exporter?.stop();
    await postgres?.destroy();
  });

  test('twenty checks with a 10 s interval start spread over the first 10 s', async () => {
    const firstStarts = new Map<string, number>();
    let startedAt = 0;
    await waitFor('a first sample of every check', async () => {
      const view = await results(exporter);
      startedAt = Date.parse(view.exporter.startedAt);
      for (const [name, at] of lastStarts(view)) firstStarts.set(name, Math.min(at, firstStarts.get(name) ?? Infinity));
      return firstStarts.size === CHECKS.length ? true : undefined;
    });
    const offsets = [...firstStarts.values()].map((at) => at - startedAt).sort((a, b) => a - b);
    const seconds = offsets.map((ms) => (ms / 1000).toFixed(2)).join(' ');
    assert.ok(offsets[0]! >= 0, `no sample before the start: ${seconds}`);
    // Within the first interval (with a little room for a busy machine), and not bunched: 0.5 s
    // apart as planned, so no second holds more than a few of them and they cover most of it.
    assert.ok(offsets.at(-1)! < 12_000, `every first sample within the first interval: ${seconds}`);
    assert.ok(offsets.at(-1)! - offsets[0]! >= 5_000, `first samples spread over the interval: ${seconds}`);
    const mostInOneSecond = Math.max(...offsets.map((from) => offsets.filter((ms) => ms >= from && ms < from + 1000).length));
    assert.ok(mostInOneSecond <= 5, `at most 5 first samples in any second (${mostInOneSecond}): ${seconds}`);
    console.log(`first samples, seconds after start: ${seconds}`);
  });

  test('a reload keeps the cadence of unchanged checks instead of starting them all again', async () => {
    const before = lastStarts(await results(exporter));
    assert.equal(before.size, CHECKS.length);
    writeFileSync(configFile, configText([...CHECKS, 'orders_added']));
    const reply = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
    assert.equal(reply.status, 200, await reply.text());
    const reloadedAt = Date.now();
    // Watch three seconds of samples after the reload.
    const next = new Map<string, number>();
    while (Date.now() < reloadedAt + 3000) {
      for (const [name, at] of lastStarts(await results(exporter))) {
        if (at > (before.get(name) ?? Infinity) && !next.has(name)) next.set(name, at);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const [name, at] of next) {
      const gap = at - before.get(name)!;
      assert.ok(gap >= 9_000, `${name} sampled ${gap} ms after its previous sample, before its 10 s interval was up`);
    }
    assert.ok(next.size <= 10, `${next.size} of 20 checks sampled in the 3 s after the reload`);
    await waitFor('the added check sampled', async () => (lastStarts(await results(exporter)).has('orders_added') ? true : undefined));
  });

  test('cron checks: first samples spread over the window before the first tick; the tick takes the rest', async () => {
    // Every 20 s on the clock (a six-field cron expression): eight checks planned 2.5 s apart.
    const names = CHECKS.slice(0, 8).map((name) => name.replace('orders_', 'cron_'));
    const planned = firstSampleDelays(names.map((name) => ({ name, windowMs: 20_000 })));
    const file = writeTempFile('cron.yml', configText(names, 'timeout: 5s', ', schedule: "*/20 * * * * *"'));
    const cronExporter = await startExporterProcess([`--config.file=${file}`], env);
    try {
      const firstStarts = new Map<string, number>();
      await waitFor(
        'a first sample of every cron check',
        async () => {
          for (const [name, at] of lastStarts(await results(cronExporter)))
            firstStarts.set(name, Math.min(at, firstStarts.get(name) ?? Infinity));
          return firstStarts.size === names.length ? true : undefined;
        },
        60_000,
      );
      // The scheduler starts just before the exporter logs that it listens (the line's ISO `time`); the first
      // tick is the next 20 s mark. A start-up sample that could still run at that tick (planned
      // offset + the 5 s timeout past it) is left to the tick, so a start just before a mark sends
      // every check to the tick.
      const listening = /\{[^\n]*"msg":"exporter listening"[^\n]*\}/.exec(cronExporter.output());
      assert.ok(listening, 'the exporter logs that it listens');
      const start = Date.parse((JSON.parse(listening[0]) as { time: string }).time);
      assert.ok(Number.isFinite(start), `the listening line has a time: ${listening[0]}`);
      const tick = Math.floor(start / 20_000) * 20_000 + 20_000;
      const report = names
        .map((name) => `${name}: planned ${planned.get(name)} ms, ran at ${firstStarts.get(name)! - start} ms (tick at ${tick - start} ms)`)
        .join('\n');
      for (const name of names) {
        const ranAt = firstStarts.get(name)!;
        const plannedAt = start + planned.get(name)!;
        // Never before its planned offset (or the tick, when that comes first), never after the tick.
        // A loaded machine makes timers fire late, never early: the late bound allows for it, and a
        // check left to a later tick would be 20 s late.
        assert.ok(ranAt >= Math.min(plannedAt, tick) - 250, `${name} ran early:\n${report}`);
        assert.ok(ranAt <= tick + 5000, `${name} ran after the first tick:\n${report}`);
        // Planned well before the tick (its timeout included): it ran at its own offset, not at the tick.
        if (plannedAt + 5000 <= tick - 3000) assert.ok(ranAt <= plannedAt + 3000, `${name} waited for the tick:\n${report}`);
      }
      console.log(report);
    } finally {
      await cronExporter.stop();
    }
  });

  test('the one-shot run command is not delayed: twenty hourly checks with a one-hour spread all run at once', async () => {
    const file = writeTempFile('run.yml', configText(CHECKS, 'every: 1h, start_spread: 1h, timeout: 10s'));
    const run = await runExporter(['run', `--config.file=${file}`, '--log.level=error'], { env: { ...env, NO_COLOR: '1' } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const name of CHECKS) assert.match(run.stdout, new RegExp(`${name}\\s+query\\s+production→staging\\s+PASS`));
  });
});
