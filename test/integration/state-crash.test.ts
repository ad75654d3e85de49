import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readFirstSeen } from '../../src/checks/config-state.js';
import { childEnv } from '../helpers/binaries.js';

/**
 * What the exporter persists survives a crash at any point of a write: a process rewriting the
 * config-drift state file is killed with SIGKILL at random moments, 50 times, and each start reads
 * a complete file holding the last write that returned (or the one in flight, which the rename
 * may have completed), never a torn or empty one, and no temporary file is left behind.
 */

const KEYS = 400;
const RUNS = 50;
const dir = mkdtempSync(join(tmpdir(), 'fidelity-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer, kills it `delayMs` after its first completed write, returns the last number it printed. */
function writeUntilKilled(file: string, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/state-writer.ts', file], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let printed = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      if (!armed && printed.includes('\n')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited with ${code ?? signal} before the kill`));
      const lines = printed.split('\n').filter((line) => /^\d+$/.test(line));
      resolve(Number(lines.at(-1)));
    });
  });
}

test(
  `a state file killed mid-write ${RUNS} times always reads back whole, holding the last complete write`,
  { timeout: 600_000 },
  async () => {
    const file = join(dir, 'drift.json');
    const seen: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const lastReturned = await writeUntilKilled(file, Math.floor(Math.random() * 200));
      const read = await readFirstSeen(file, 'crash');
      assert.equal(read.status, 'ok', `run ${run}: ${JSON.stringify(read)}`);
      if (read.status !== 'ok') return;
      assert.equal(read.value.size, KEYS, `run ${run}: every key present`);
      const writes = new Set([...read.value.values()].map((ms) => Math.floor(ms / 1000)));
      assert.equal(writes.size, 1, `run ${run}: keys from more than one write: ${[...writes].join(', ')}`);
      const held = [...writes][0] as number;
      // The write in flight at the kill may have been renamed in before its number was printed.
      assert.ok(held === lastReturned || held === lastReturned + 1, `run ${run}: holds write ${held}, last returned ${lastReturned}`);
      assert.deepEqual(
        readdirSync(dir).filter((name) => name !== 'drift.json'),
        [],
        `run ${run}: leftovers`,
      );
      seen.push(lastReturned);
    }
    console.log(`writes completed before each kill: ${seen.join(' ')}`);
  },
);

test('a corrupt, truncated or foreign state file is set aside with its reason, and the next start begins afresh', async () => {
  const cases: Array<[string, string, RegExp]> = [
    ['truncated', '{"version": 1, "check": "crash", "firstSeen": {"a": "2026-', /not valid JSON/],
    ['empty', '', /not valid JSON/],
    ['binary', '\u0000\u0001\u0002garbage', /not valid JSON/],
    ['another check', '{"version": 1, "check": "other", "firstSeen": {}}', /written for check "other"/],
    ['bad time', '{"version": 1, "check": "crash", "firstSeen": {"a": "yesterday"}}', /not a time/],
    ['unknown version', '{"version": 7, "check": "crash", "firstSeen": {}}', /unknown version 7/],
  ];
  for (const [name, text, reason] of cases) {
    const caseDir = mkdtempSync(join(dir, 'case-'));
    const file = join(caseDir, 'drift.json');
    writeFileSync(file, text);
    const read = await readFirstSeen(file, 'crash');
    assert.equal(read.status, 'set-aside', name);
    if (read.status !== 'set-aside') continue;
    assert.match(read.reason, reason, name);
    assert.deepEqual(
      readdirSync(caseDir).map((entry) => entry.replace(/corrupt-.*/, 'corrupt-')),
      ['drift.json.corrupt-'],
      name,
    );
    assert.equal((await readFirstSeen(file, 'crash')).status, 'missing', `${name}: the next start begins afresh`);
  }
});
