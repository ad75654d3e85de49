import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseFirstSeen } from '../../src/checks/config-state.js';
import { parseMetrics, startExporterProcess, waitFor, writeTempFile, type ExporterProcess } from '../helpers/process.js';

/**
 * The whole exporter (serve) killed with SIGKILL at random moments, 20 times, while its config
 * checks rewrite their state files every second (the staging source gains a differing
 * key every 40 ms while the exporter runs, so every sample has something new to persist). Each restart must start, serve
 * /metrics, and find every state file whole: the last complete write, never a torn or empty one
 * set aside, and no temporary file left once it has sampled.
 */

const RUNS = 20;
// Eight checks sampling every second (the shortest interval): a write is under way most of the time.
const CHECKS = Array.from({ length: 8 }, (_, i) => `drift_${i}`);
const dir = mkdtempSync(join(tmpdir(), 'fidelity-sigkill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const production = join(dir, 'production.json');
const staging = join(dir, 'staging.json');
const stateFile = (check: string) => join(dir, 'state', `${check}.json`);
let keys = 0;
/** Rewrites the staging source whole (rename), with one more key that differs from production. */
function growStaging(): void {
  keys += 1;
  const document = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`key_${i}`, `staging-${i}`]));
  writeFileSync(`${staging}.next`, JSON.stringify(document));
  renameSync(`${staging}.next`, staging);
}

writeFileSync(production, JSON.stringify({ key_0: 'production-0' }));
growStaging();
const configFile = writeTempFile(
  'sigkill.yaml',
  `environments:
  production: { configs: { app: { file: "${production}" } } }
  staging: { configs: { app: { file: "${staging}" } } }
defaults:
  every: 1s
  start_spread: 0s
checks:
${CHECKS.map((name) => `  - { name: ${name}, kind: config, source: app, state_file: "${stateFile(name)}" }`).join('\n')}
`,
);

/** The state file as a reader sees it now (a rename replaces it whole), or undefined before the first write. */
function snapshot(check: string): Map<string, number> | undefined {
  return existsSync(stateFile(check)) ? parseFirstSeen(readFileSync(stateFile(check), 'utf8'), check) : undefined;
}

async function startServing(): Promise<ExporterProcess> {
  const exporter = await startExporterProcess([`--config.file=${configFile}`], {}, { startTimeoutMs: 60_000 });
  const metrics = parseMetrics(await (await fetch(`${exporter.url}/metrics`)).text());
  assert.equal(metrics.get('fidelity_config_last_reload_successful'), 1, 'serves /metrics with its configuration loaded');
  return exporter;
}

test(
  `the exporter killed with SIGKILL ${RUNS} times while writing its state restarts with the last complete state`,
  { timeout: 900_000 },
  async () => {
    for (let run = 0; run < RUNS; run += 1) {
      const exporter = await startServing();
      // The source grows only while this life writes, so the files stay small across the runs.
      const grower = setInterval(growStaging, 40);
      try {
        // Killed once it has written at least once in this life, at a random moment of its writing.
        const before = new Map(CHECKS.map((check) => [check, snapshot(check)?.size ?? 0]));
        await waitFor(
          'a state write',
          async () => (CHECKS.some((check) => (snapshot(check)?.size ?? 0) > (before.get(check) ?? 0)) ? true : undefined),
          60_000,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 1500));
        const seenBeforeKill = new Map(CHECKS.map((check) => [check, snapshot(check)]));
        const exited = new Promise((resolve) => exporter.child.once('exit', resolve));
        exporter.child.kill('SIGKILL');
        clearInterval(grower);
        const keysAtKill = keys;
        await exited;
        console.log(`run ${run}: killed with ${keysAtKill} source keys`);

        for (const check of CHECKS) {
          const text = readFileSync(stateFile(check), 'utf8');
          const state = parseFirstSeen(text, check); // throws on a torn or empty file
          const seen = seenBeforeKill.get(check);
          // The last complete write, or one that completed after the reader looked: never older.
          for (const [key, at] of seen ?? []) assert.equal(state.get(key), at, `run ${run}, ${check}: ${key} kept its first-seen time`);
          assert.ok(state.size <= keysAtKill + 1, `run ${run}, ${check}: ${state.size} keys, at most what the source held`);
        }
      } finally {
        clearInterval(grower);
      }
    }
    // The last start: every check samples, reads its state back whole, and nothing is left over.
    const exporter = await startServing();
    try {
      await waitFor('every check sampled after the last restart', async () => {
        const metrics = parseMetrics(await (await fetch(`${exporter.url}/metrics`)).text());
        return CHECKS.every((check) => metrics.get(`fidelity_check_success{check="${check}",kind="config"}`) !== undefined)
          ? true
          : undefined;
      });
      const left = readdirSync(join(dir, 'state'));
      assert.deepEqual(left.sort(), CHECKS.map((check) => `${check}.json`).sort(), 'no temporary or set-aside file');
      assert.doesNotMatch(exporter.output(), /set aside/i, 'no state file was set aside');
    } finally {
      await exporter.stop();
    }
  },
);
