/**
 * Timing accuracy of the flow prober against a known server delay, next to Debian's
 * prometheus-blackbox-exporter measuring the same server in the same run.
 *
 *   npx tsx bench/flow-timing.ts            (N=1000 rounds by default; DELAY_MS=20)
 *
 * The server (bench/delay-server.py, a separate process) answers every request DELAY_MS after the
 * request reached its socket, by the kernel's receive timestamp, so its own wake-up and parsing do
 * not count; it reports how late it sent each answer, printed next to the probers' errors. It runs
 * under SCHED_FIFO 50, above every prober, and CPU idle states are held off, when allowed (root). Each prober's error is
 * |measured total - DELAY_MS|, printed as p50/p99/max, for:
 *   - ours, keep-alive connection (the flow default) and cold connections (connection: cold), each
 *     under normal scheduling and with prober.scheduling: realtime (SCHED_FIFO 10, when allowed);
 *   - blackbox_exporter (always a new connection): probe_duration_seconds and the sum of
 *     probe_http_duration_seconds phases, read from /probe?module=http&target=...;
 *   - a reference: undici timed on the main thread, as a prober without a worker would be.
 * The probers take turns request by request (one round = one request of each), so that whatever
 * else the machine does at a given moment falls on all of them alike.
 * Quiet, then loaded. Load on our side: the main thread renders a 20k-series registry (a heavy
 * /metrics scrape) and diffs two 10k-key configs, back to back, without yielding for tens of
 * milliseconds at a time. Load on blackbox_exporter: its own /metrics scraped by three loops and its
 * config reloaded (SIGHUP) every 50 ms. Both loads run for the whole loaded part.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Registry, Gauge } from 'prom-client';
import { Agent, request } from 'undici';
import { diffTrees } from '../src/compare/config-diff.js';
import { quantile } from '../src/compare/stats.js';
import { HttpClient, type HttpSideConfig } from '../src/connectors/http.js';

const N = Number(process.env.N ?? 1000);
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

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

function startProcess(command: string, args: string[], install: string): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('error', (error) => {
    console.error(`cannot start ${command} (${(error as NodeJS.ErrnoException).code ?? error.message}): install ${install}`);
    process.exit(1);
  });
  children.push(child);
  return child;
}

/** Runs a whole process (every thread) under SCHED_FIFO when allowed (root); says what it got. */
function realtimeProcess(pid: number, priority: number): string {
  try {
    execFileSync('chrt', ['--all-tasks', '--fifo', '--pid', String(priority), String(pid)], { stdio: 'ignore' });
    return `SCHED_FIFO ${priority}`;
  } catch {
    try {
      setPriority(pid, -10);
      return 'priority -10';
    } catch {
      return 'normal priority';
    }
  }
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

type Connection = 'keepalive' | 'cold';

/** One request through the exporter's prober; null for a keep-alive series request that had to reconnect. */
async function ours(client: HttpClient, config: HttpSideConfig, connection: Connection): Promise<number | null> {
  const outcome = await client.request(config, { method: 'GET', path: '/', followRedirects: false, connection }, { deadlineMs: 5000 });
  if (!outcome.ok) throw new Error(`request failed: ${outcome.message}`);
  if (connection === 'keepalive' && !outcome.timings.reused) return null;
  return outcome.timings.totalMs;
}

/** Reference: the same undici request timed on the main thread, as a prober without a worker would. */
async function mainThread(agent: Agent, target: string): Promise<number> {
  const start = process.hrtime.bigint();
  const response = await request(target, { dispatcher: agent });
  await response.body.text();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One blackbox_exporter probe: probe_duration_seconds and the sum of its HTTP phases, in ms. */
async function blackbox(exporterUrl: string, target: string): Promise<{ duration: number; phases: number }> {
  const response = await request(`${exporterUrl}/probe?module=http&target=${encodeURIComponent(target)}`, {
    dispatcher: plumbing,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.body.text();
  if (!/^probe_success 1$/m.test(text)) throw new Error(`blackbox probe failed:\n${text}`);
  const total = /^probe_duration_seconds ([0-9.e+-]+)$/m.exec(text);
  if (!total) throw new Error(`blackbox probe has no probe_duration_seconds:\n${text}`);
  let sum = 0;
  for (const match of text.matchAll(/^probe_http_duration_seconds\{phase="[a-z]+"\} ([0-9.e+-]+)$/gm)) sum += Number(match[1]);
  return { duration: Number(total[1]) * 1000, phases: sum * 1000 };
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

/**
 * Load on blackbox_exporter's process: its /metrics scraped by three loops, its config reloaded every
 * 50 ms. Reloads go by SIGHUP: a POST to /-/reload at that rate left blackbox_exporter 0.23 hanging
 * on one of them after a few minutes.
 */
function startBlackboxLoad(exporterUrl: string, exporter: ChildProcess): () => Promise<number> {
  let stop = false;
  let rounds = 0;
  const scrapes = async () => {
    while (!stop) {
      const scrape = await request(`${exporterUrl}/metrics`, { dispatcher: plumbing, signal: AbortSignal.timeout(60_000) });
      await scrape.body.text();
      rounds++;
    }
  };
  const reloads = setInterval(() => {
    exporter.kill('SIGHUP');
    rounds++;
  }, 50);
  const loops = [scrapes(), scrapes(), scrapes()];
  return async () => {
    stop = true;
    clearInterval(reloads);
    await Promise.all(loops);
    return rounds;
  };
}

/** Error against the nominal delay, and against the moment the server actually answered (its own lateness removed). */
function row(name: string, measured: number[], late?: number[]): string {
  const f = (value: number) => value.toFixed(3).padStart(8);
  const error = errorStats(measured);
  const base = `${name.padEnd(48)} ${String(measured.length).padStart(5)} ${f(quantile(measured, 0.5))} ${f(error.p50)} ${f(error.p99)} ${f(error.max)}`;
  if (!late) return base;
  const corrected = measured.map((ms, i) => Math.abs(ms - DELAY_MS - (late[i] ?? 0)));
  return `${base} ${f(quantile(corrected, 0.5))} ${f(quantile(corrected, 0.99))}`;
}

async function serverLateness(target: string): Promise<number[]> {
  const response = await request(new URL('/_lateness', target), { dispatcher: plumbing });
  return (await response.body.json()) as number[];
}

/**
 * Like cyclictest, hold /dev/cpu_dma_latency at 0 while measuring when allowed: idle CPUs then poll
 * instead of entering sleep states whose exit (on a virtual machine, a halted vCPU) adds up to
 * milliseconds to any wake-up. It applies to the whole machine, so to every prober alike.
 */
function holdCpuLatency(): string {
  try {
    const fd = openSync('/dev/cpu_dma_latency', 'w');
    writeSync(fd, Buffer.alloc(4));
    process.on('exit', () => closeSync(fd));
    return 'CPU idle states off (cpu_dma_latency 0)';
  } catch {
    return 'CPU idle states as configured';
  }
}

async function main(): Promise<void> {
  const idleStates = process.env.KEEP_IDLE ? 'CPU idle states as configured' : holdCpuLatency();
  const dir = mkdtempSync(join(tmpdir(), 'flow-timing-'));
  try {
    const server = startProcess('python3', [fileURLToPath(new URL('./delay-server.py', import.meta.url)), String(DELAY_MS)], 'python3');
    const serverPort = await new Promise<number>((resolve, reject) => {
      server.stdout?.once('data', (data) => resolve(Number(String(data).trim())));
      server.once('error', (error) => reject(new Error(`cannot start the delay server (python3): ${error.message}`)));
      server.once('exit', (code) => reject(new Error(`delay server exited (${code})`)));
    });
    const target = `http://127.0.0.1:${serverPort}/`;
    // The reference must not wait for a CPU, or its delay is no longer known: above every prober when
    // allowed (root), SCHED_FIFO 50 (our real-time prober uses 10); else priority -10; else as is.
    const serverPriority = realtimeProcess(server.pid!, 50);

    const configFile = join(dir, 'blackbox.yml');
    writeFileSync(
      configFile,
      'modules:\n  http:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n      valid_status_codes: [200]\n',
    );
    const exporterPort = await freePort();
    const exporterUrl = `http://127.0.0.1:${exporterPort}`;
    const exporter = startProcess(
      'prometheus-blackbox-exporter',
      [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${exporterPort}`],
      'the Debian package prometheus-blackbox-exporter',
    );
    await waitForHttp(`${exporterUrl}/metrics`);

    const client = new HttpClient();
    // The same prober with prober.scheduling: realtime (its own worker thread).
    const realtimeClient = new HttpClient();
    const realtimeStatus = await realtimeClient.setScheduling({ policy: 'realtime', priority: 10 });
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
    const referenceAgent = new Agent({ connections: 1, headersTimeout: 0, bodyTimeout: 0 });

    console.log(`server delay ${DELAY_MS} ms (separate process, ${serverPriority}), ${idleStates}, ${N} rounds of one request per prober`);
    console.log(`our real-time prober: ${realtimeStatus.message}`);
    console.log('error = |measured - delay|; "answer" columns: |measured - delay - the server\'s own lateness on that request|');
    console.log(
      `${'series'.padEnd(48)} ${'n'.padStart(5)} ${['median', 'err p50', 'err p99', 'err max', 'ans p50', 'ans p99'].map((h) => h.padStart(8)).join(' ')}   (ms)`,
    );
    for (const loaded of [false, true]) {
      // Warm-up: open the keep-alive connections, load the code paths.
      for (let i = 0; i < 5; i++) {
        await ours(client, config, 'keepalive');
        await ours(client, config, 'cold');
        await ours(realtimeClient, config, 'keepalive');
        await ours(realtimeClient, config, 'cold');
        await mainThread(referenceAgent, target);
        await blackbox(exporterUrl, target);
      }
      await serverLateness(target);
      const stopOurs = loaded ? startOurLoad() : null;
      const stopTheirs = loaded ? startBlackboxLoad(exporterUrl, exporter) : null;
      // Per series: measured totals and the server's lateness on the same requests (requests are serial,
      // so the server's list of latenesses is in request order, six per round).
      const series = {
        keepAlive: [] as number[],
        cold: [] as number[],
        rtKeepAlive: [] as number[],
        rtCold: [] as number[],
        duration: [] as number[],
        phases: [] as number[],
        reference: [] as number[],
      };
      const slots: Array<Array<keyof typeof series>> = [];
      for (let i = 0; i < N; i++) {
        const reused = await ours(client, config, 'keepalive');
        if (reused !== null) series.keepAlive.push(reused);
        series.cold.push((await ours(client, config, 'cold'))!);
        const rtReused = await ours(realtimeClient, config, 'keepalive');
        if (rtReused !== null) series.rtKeepAlive.push(rtReused);
        series.rtCold.push((await ours(realtimeClient, config, 'cold'))!);
        const probe = await blackbox(exporterUrl, target);
        series.duration.push(probe.duration);
        series.phases.push(probe.phases);
        series.reference.push(await mainThread(referenceAgent, target));
        slots.push(
          reused === null ? [] : ['keepAlive'],
          ['cold'],
          rtReused === null ? [] : ['rtKeepAlive'],
          ['rtCold'],
          ['duration', 'phases'],
          ['reference'],
        );
      }
      const theirRounds = stopTheirs ? await stopTheirs() : 0;
      const ourRounds = stopOurs ? await stopOurs() : 0;
      const lateness = await serverLateness(target);
      if (lateness.length !== slots.length) throw new Error(`the server answered ${lateness.length} requests, expected ${slots.length}`);
      const lateOf = {
        keepAlive: [] as number[],
        cold: [] as number[],
        rtKeepAlive: [] as number[],
        rtCold: [] as number[],
        duration: [] as number[],
        phases: [] as number[],
        reference: [] as number[],
      };
      slots.forEach((names, i) => names.forEach((name) => lateOf[name].push(lateness[i] ?? 0)));
      const label = loaded ? 'loaded' : 'quiet';
      console.log(row(`ours, keep-alive (${label})`, series.keepAlive, lateOf.keepAlive));
      console.log(row(`ours, cold connection (${label})`, series.cold, lateOf.cold));
      console.log(row(`ours realtime, keep-alive (${label})`, series.rtKeepAlive, lateOf.rtKeepAlive));
      console.log(row(`ours realtime, cold connection (${label})`, series.rtCold, lateOf.rtCold));
      console.log(row(`blackbox_exporter probe_duration_seconds (${label})`, series.duration, lateOf.duration));
      console.log(row(`blackbox_exporter sum of http phases (${label})`, series.phases, lateOf.phases));
      console.log(row(`reference: undici on the main thread (${label})`, series.reference, lateOf.reference));
      console.log(
        row(
          `the server's own answer time (${label})`,
          lateness.map((value) => DELAY_MS + value),
        ),
      );
      if (loaded)
        console.log(
          `  load: ${ourRounds} scrape+diff rounds on our main thread; ${theirRounds} scrape+reload rounds against blackbox_exporter`,
        );
    }
    await referenceAgent.close();
    await client.close();
    await realtimeClient.close();
  } finally {
    children.forEach((child) => child.kill('SIGTERM'));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
