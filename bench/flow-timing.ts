/**
 * Timing accuracy of the flow prober against a known server delay, next to Debian's
 * prometheus-blackbox-exporter measuring the same server in the same run.
 *
 *   npx tsx bench/flow-timing.ts            (N=300 requests per series by default; DELAY_MS=20)
 *
 * A server in a separate process answers every request after exactly DELAY_MS (a timer followed
 * by a short spin on the monotonic clock, so the delay itself is precise). Each prober's error is
 * |measured total - DELAY_MS|; printed as p50/p99/max, for:
 *   - ours, keep-alive connection (the flow default) and cold connections (connection: cold);
 *   - blackbox_exporter (always a new connection): probe_duration_seconds and the sum of
 *     probe_http_duration_seconds phases, read from /probe?module=http&target=...;
 * each quiet and under load. Load on our side: the exporter's main thread renders a 20k-series
 * registry (a heavy /metrics scrape) and diffs two 10k-key configs, back to back, without yielding
 * for tens of milliseconds at a time. Load on blackbox_exporter: its own /metrics scraped and its
 * config reloaded every 50 ms (three scrape loops, one reload loop), while our main-thread load
 * also still runs, so the machine is equally busy for both probers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Registry, Gauge } from 'prom-client';
import { Agent, request } from 'undici';
import { diffTrees } from '../src/compare/config-diff.js';
import { quantile } from '../src/compare/stats.js';
import { HttpClient, type HttpSideConfig } from '../src/connectors/http.js';

const N = Number(process.env.N ?? 300);
// The bench's own plumbing requests must not time out while the main thread is deliberately blocked.
const plumbing = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
const DELAY_MS = Number(process.env.DELAY_MS ?? 20);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const DELAY_SERVER = `
const http = require('node:http');
const delay = Number(process.env.DELAY_MS);
const server = http.createServer((req, res) => {
  const start = process.hrtime.bigint();
  setTimeout(() => {
    const end = start + BigInt(Math.round(delay * 1e6));
    while (process.hrtime.bigint() < end) {}
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  }, Math.max(0, delay - 2));
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

async function waitForHttp(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await request(url, { dispatcher: plumbing });
      await response.body.text();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url} not ready: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

interface Stats {
  p50: number;
  p99: number;
  max: number;
}

function errorStats(measuredMs: number[]): Stats {
  const errors = measuredMs.map((ms) => Math.abs(ms - DELAY_MS));
  return { p50: quantile(errors, 0.5), p99: quantile(errors, 0.99), max: Math.max(...errors) };
}

async function ours(client: HttpClient, config: HttpSideConfig, connection: 'keepalive' | 'cold'): Promise<number[]> {
  const measured: number[] = [];
  // One warm-up request so the keep-alive series starts on an open connection.
  await client.request(config, { method: 'GET', path: '/', followRedirects: false, connection }, { deadlineMs: 5000 });
  for (let i = 0; i < N; i++) {
    const outcome = await client.request(config, { method: 'GET', path: '/', followRedirects: false, connection }, { deadlineMs: 5000 });
    if (!outcome.ok) throw new Error(`request failed: ${outcome.message}`);
    if (connection === 'keepalive' && !outcome.timings.reused) continue; // a reconnect is not a keep-alive sample
    measured.push(outcome.timings.totalMs);
  }
  return measured;
}

/** Reference: the same undici request timed on the main thread, as a prober without a worker would. */
async function mainThread(target: string): Promise<number[]> {
  const agent = new Agent({ connections: 1, headersTimeout: 0, bodyTimeout: 0 });
  const measured: number[] = [];
  await (await request(target, { dispatcher: agent })).body.text();
  for (let i = 0; i < N; i++) {
    const start = process.hrtime.bigint();
    const response = await request(target, { dispatcher: agent });
    await response.body.text();
    measured.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  await agent.close();
  return measured;
}

async function blackbox(exporterUrl: string, target: string): Promise<{ duration: number[]; phases: number[] }> {
  const duration: number[] = [];
  const phases: number[] = [];
  for (let i = 0; i < N; i++) {
    const response = await request(`${exporterUrl}/probe?module=http&target=${encodeURIComponent(target)}`, { dispatcher: plumbing, signal: AbortSignal.timeout(10_000) });
    const text = await response.body.text();
    if (!/^probe_success 1$/m.test(text)) throw new Error(`blackbox probe failed:\n${text}`);
    const total = /^probe_duration_seconds ([0-9.e+-]+)$/m.exec(text);
    if (total) duration.push(Number(total[1]) * 1000);
    let sum = 0;
    for (const match of text.matchAll(/^probe_http_duration_seconds\{phase="[a-z]+"\} ([0-9.e+-]+)$/gm)) sum += Number(match[1]);
    phases.push(sum * 1000);
  }
  return { duration, phases };
}

/** Main-thread load like the exporter's worst moments: a heavy scrape render and a big config diff. */
function startOurLoad(): () => Promise<number> {
  const registry = new Registry();
  const gauge = new Gauge({ name: 'bench_series', help: 'load', labelNames: ['check', 'side', 'step'], registers: [registry] });
  for (let i = 0; i < 20_000; i++) gauge.set({ check: `c${i % 100}`, side: `s${i % 7}`, step: `st${i}` }, i);
  const left: Record<string, unknown> = {};
  const right: Record<string, unknown> = {};
  for (let i = 0; i < 10_000; i++) {
    left[`key${i}`] = { value: i, name: `n${i}` };
    right[`key${i}`] = { value: i % 97 === 0 ? -i : i, name: `n${i}` };
  }
  let stop = false;
  let rounds = 0;
  const done = (async () => {
    while (!stop) {
      await registry.metrics();
      diffTrees(left, right);
      rounds++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return rounds;
  })();
  return async () => {
    stop = true;
    return done;
  };
}

/** Load on blackbox_exporter's process: its /metrics scraped by three loops, its config reloaded every 50 ms. */
function startBlackboxLoad(exporterUrl: string): () => Promise<number> {
  let stop = false;
  let rounds = 0;
  const scrapes = async () => {
    while (!stop) {
      const scrape = await request(`${exporterUrl}/metrics`, { dispatcher: plumbing, signal: AbortSignal.timeout(10_000) });
      await scrape.body.text();
      rounds++;
    }
  };
  const reloads = async () => {
    while (!stop) {
      const reload = await request(`${exporterUrl}/-/reload`, { method: 'POST', dispatcher: plumbing, signal: AbortSignal.timeout(10_000) });
      await reload.body.text();
      rounds++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const loops = [scrapes(), scrapes(), scrapes(), reloads()];
  return async () => {
    stop = true;
    await Promise.all(loops);
    return rounds;
  };
}

function row(name: string, measured: number[]): string {
  const stats = errorStats(measured);
  const f = (value: number) => value.toFixed(3).padStart(8);
  return `${name.padEnd(52)} ${String(measured.length).padStart(5)} ${f(quantile(measured, 0.5))} ${f(stats.p50)} ${f(stats.p99)} ${f(stats.max)}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flow-timing-'));
  try {
    const serverPort = await freePort();
    const server = startProcess(process.execPath, ['-e', DELAY_SERVER], { PORT: String(serverPort), DELAY_MS: String(DELAY_MS) });
    const target = `http://127.0.0.1:${serverPort}/`;
    await new Promise<void>((resolve, reject) => {
      server.stdout?.once('data', () => resolve());
      server.once('exit', (code) => reject(new Error(`delay server exited (${code})`)));
    });

    const configFile = join(dir, 'blackbox.yml');
    writeFileSync(configFile, 'modules:\n  http:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n      valid_status_codes: [200]\n');
    const exporterPort = await freePort();
    const exporterUrl = `http://127.0.0.1:${exporterPort}`;
    startProcess('prometheus-blackbox-exporter', [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${exporterPort}`]);
    await waitForHttp(`${exporterUrl}/metrics`);

    const client = new HttpClient();
    const config: HttpSideConfig = {
      side: 'bench',
      baseUrl: target,
      headers: {},
      allowWrites: false,
      rateLimit: 0,
      maxBodyBytes: 1024,
      allowedRedirectHosts: [],
      maxRedirects: 0,
      connectTimeoutMs: 2000,
    };

    console.log(`server delay ${DELAY_MS} ms (separate process), ${N} requests per series; error = |measured - ${DELAY_MS} ms|`);
    console.log(`${'series'.padEnd(52)} ${'n'.padStart(5)} ${'median'.padStart(8)} ${'err p50'.padStart(8)} ${'err p99'.padStart(8)} ${'err max'.padStart(8)}   (ms)`);
    for (const loaded of [false, true]) {
      const stopOurs = loaded ? startOurLoad() : null;
      const keepAlive = await ours(client, config, 'keepalive');
      const cold = await ours(client, config, 'cold');
      const reference = await mainThread(target);
      // blackbox_exporter is probed while our load still runs, so both face the same CPU pressure,
      // and with its own process loaded by scrapes and reloads.
      const stopTheirs = loaded ? startBlackboxLoad(exporterUrl) : null;
      const theirs = await blackbox(exporterUrl, target);
      const theirRounds = stopTheirs ? await stopTheirs() : 0;
      const ourRounds = stopOurs ? await stopOurs() : 0;
      const label = loaded ? 'loaded' : 'quiet';
      console.log(row(`ours, keep-alive (${label})`, keepAlive));
      console.log(row(`ours, cold connection (${label})`, cold));
      console.log(row(`reference: undici timed on the main thread (${label})`, reference));
      console.log(row(`blackbox_exporter probe_duration_seconds (${label})`, theirs.duration));
      console.log(row(`blackbox_exporter sum of http phases (${label})`, theirs.phases));
      if (loaded) console.log(`  load: ${ourRounds} scrape+diff rounds on our main thread; ${theirRounds} scrape+reload rounds against blackbox_exporter`);
    }
    await client.close();
  } finally {
    children.forEach((child) => child.kill('SIGTERM'));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
