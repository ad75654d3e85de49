// What the exporter remembers stays within its documented limits under floods, against the real
// exporter process: hundreds of checks with the longest names flapping every second, a storm of
// reloads that swap every check, and thousands of events with the longest ids. The oldest entries
// go first and the read routes keep answering.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchText, spawnExporter, type ExporterProcess } from '../helpers/exporter.js';

const CHECKS = 200;
const TOKEN = 'flood-events-token-0123456789';
const MAX_RELEASES = 100;
const MAX_OPEN_PROVISIONINGS = 10;

let dir: string;
let configFile: string;
let flapper: Server;
let exporter: ExporterProcess;

/** Check names at the identifier limit (100 characters), distinct per generation of the config. */
const checkName = (generation: string, i: number) => `${generation}_${String(i).padStart(4, '0')}_`.padEnd(100, 'x');

function writeConfig(base: string, generation: string): void {
  const checks = Array.from(
    { length: CHECKS },
    (_, i) => `  - { name: ${checkName(generation, i)}, kind: flow, iterations: 1, steps: [{ name: home, path: /p${i} }] }`,
  );
  const http = `{ base_url: "${base}", rate_limit: 0, timeouts: { step: 2s } }`;
  writeFileSync(
    configFile,
    `environments:\n  production: { http: ${http} }\n  staging: { http: ${http} }\n` +
      `events: { token: "${TOKEN}", max_releases: ${MAX_RELEASES}, max_open_provisionings: ${MAX_OPEN_PROVISIONINGS} }\n` +
      `defaults: { every: 1s, timeout: 3s, start_spread: 0s }\nchecks:\n${checks.join('\n')}\n`,
  );
}

const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${exporter.child.pid}/status`, 'utf8'))?.[1]) / 1024;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidelity-floods-'));
  configFile = join(dir, 'config.yml');
  // Every other answer is a 500 with a long body: each check flaps between passing and failing.
  let answered = 0;
  flapper = createServer((_req, res) => {
    answered += 1;
    if (answered % 2 === 0) res.writeHead(500, { 'content-type': 'text/plain' }).end('e'.repeat(64 * 1024));
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => flapper.listen(0, '127.0.0.1', resolve));
  writeConfig(`http://127.0.0.1:${(flapper.address() as AddressInfo).port}`, 'a');
  exporter = await spawnExporter([`--config.file=${configFile}`]);
});

after(async () => {
  await exporter?.stop();
  flapper?.closeAllConnections();
  flapper?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function answersRead(): Promise<void> {
  for (const path of ['/metrics', '/api/v1/results', '/']) {
    const reply = await fetchText(`${exporter.baseUrl}${path}`, { timeoutMs: 30_000 });
    assert.equal(reply.status, 200, `${path} answered ${reply.status}`);
  }
}

async function postEvent(event: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${exporter.baseUrl}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(event),
  });
  await response.arrayBuffer();
  return response.status;
}

const metricValue = (body: string, prefix: string) =>
  body
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));

test(`${CHECKS} flapping checks and a reload storm: only the current checks are held, history stays bounded`, async (t) => {
  const base = `http://127.0.0.1:${(flapper.address() as AddressInfo).port}`;
  const rssStart = rssMiB();
  await new Promise((resolve) => setTimeout(resolve, 5000));
  await answersRead();
  // Twenty reloads, every one swapping all checks for others with new names, while they flap.
  for (let storm = 0; storm < 20; storm += 1) {
    writeConfig(base, storm % 2 === 0 ? 'b' : 'a');
    exporter.child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  writeConfig(base, 'final');
  exporter.child.kill('SIGHUP');
  await new Promise((resolve) => setTimeout(resolve, 5000));
  await answersRead();

  const results = JSON.parse((await fetchText(`${exporter.baseUrl}/api/v1/results`)).body) as { checks: Array<{ name: string }> };
  const names = results.checks.map((check) => check.name);
  assert.equal(names.length, CHECKS, 'the results hold the current checks only');
  assert.ok(
    names.every((name) => name.startsWith('final_')),
    'no check of an earlier configuration is left',
  );
  const metrics = (await fetchText(`${exporter.baseUrl}/metrics`)).body;
  assert.deepEqual(metricValue(metrics, 'fidelity_config_last_reload_successful'), [1]);
  const pointCounts = [...(await fetchText(`${exporter.baseUrl}/`)).body.matchAll(/score history: (\d+) points/g)].map((m) => Number(m[1]));
  const rssEnd = rssMiB();
  t.diagnostic(`RSS ${rssStart.toFixed(0)} -> ${rssEnd.toFixed(0)} MiB; score history points per series: ${pointCounts.join(', ')}`);
  assert.ok(pointCounts.length > 0, 'the report shows score history');
  assert.ok(
    pointCounts.every((count) => count <= 240),
    `a history series over 240 points: ${pointCounts.join(', ')}`,
  );
  // A guard against gross growth only: 200 flow checks a second on a loaded machine grow the RSS by
  // about 250 MiB in this half minute (allocator and worker-thread arenas), whatever is held.
  assert.ok(rssEnd - rssStart < 512, `RSS grew ${(rssEnd - rssStart).toFixed(0)} MiB`);
});

test('thousands of events with the longest ids: the oldest releases and runs are forgotten first', async () => {
  const release = (i: number) => `release-${i}-`.padEnd(200, 'r');
  // The first releases passed staging and then had an incident: escaped.
  for (let i = 0; i < MAX_RELEASES; i += 1) {
    assert.equal(await postEvent({ type: 'staging_verdict', release: release(i), verdict: 'pass' }), 202);
    assert.equal(await postEvent({ type: 'production_incident', release: release(i), incident: 'i'.repeat(200) }), 202);
  }
  let metrics = (await fetchText(`${exporter.baseUrl}/metrics`)).body;
  assert.deepEqual(metricValue(metrics, 'fidelity_escape_ratio'), [1]);
  // Then 3000 later releases pass without incident, and 500 provisionings start and never finish.
  const posts: Array<Promise<number>> = [];
  for (let i = MAX_RELEASES; i < MAX_RELEASES + 3000; i += 1) {
    posts.push(postEvent({ type: 'staging_verdict', release: release(i), verdict: 'pass' }));
    if (i % 6 === 0) posts.push(postEvent({ type: 'provisioning_started', environment: 'staging', run: `run-${i}-`.padEnd(200, 'n') }));
    if (posts.length >= 50) {
      assert.ok((await Promise.all(posts.splice(0))).every((status) => status === 202));
      if (i % 1000 < 50) await answersRead();
    }
  }
  assert.ok((await Promise.all(posts)).every((status) => status === 202));
  metrics = (await fetchText(`${exporter.baseUrl}/metrics`)).body;
  // Only the last MAX_RELEASES releases are remembered: the escaped ones, oldest, were forgotten.
  assert.deepEqual(metricValue(metrics, 'fidelity_escape_ratio'), [0]);
  // An open run among the last MAX_OPEN_PROVISIONINGS can finish; the oldest ones were forgotten.
  const lastRun = `run-${MAX_RELEASES + 2996}-`.padEnd(200, 'n');
  const firstRun = `run-${MAX_RELEASES + 2}-`.padEnd(200, 'n');
  assert.equal(await postEvent({ type: 'provisioning_finished', environment: 'staging', run: lastRun }), 202);
  assert.equal(await postEvent({ type: 'provisioning_finished', environment: 'staging', run: firstRun }), 409);
  await answersRead();
});
