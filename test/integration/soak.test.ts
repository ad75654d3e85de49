import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { childEnv } from '../helpers/binaries.js';

/**
 * The soak of bench/soak.ts for 3 minutes with a fault every 30 s: real PostgreSQL and MariaDB
 * pairs, an HTTP app pair, the exporter as a process scraped every second. It fails on a failed
 * scrape, a canary hit, a crash or an fd leak; its RESULT lines are printed for the record.
 */

test('a 3-minute soak with a fault every 30 s: no failed scrape, no canary hit, no crash, no fd leak', { timeout: 900_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/soak.ts', '--minutes=3', '--fault-every=30s'], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const results = new Map(
    output
      .split('\n')
      .filter((line) => line.startsWith('RESULT '))
      .map((line) => line.split(' ').slice(1) as [string, string]),
  );
  console.log(
    output
      .split('\n')
      .filter((line) => /^(RESULT|VERDICT)|recovery /.test(line))
      .join('\n'),
  );
  assert.equal(results.get('failed_scrapes'), '0', output);
  assert.equal(results.get('canary_hits'), '0', output);
  assert.equal(results.get('crashed'), '0', output);
  // A loaded machine stretches recoveries, and with them the rotation; at least one fault ran.
  assert.ok(Number(results.get('faults')) >= 1, `faults: ${results.get('faults')}`);
  assert.equal(
    code,
    0,
    output
      .split('\n')
      .filter((line) => line.startsWith('VERDICT'))
      .join('\n'),
  );
});
