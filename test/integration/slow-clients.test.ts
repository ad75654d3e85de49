// 300 clients that send their request headers one byte per second (slowloris) against the real
// exporter process: the server must cut every one of them off at the headers timeout while
// ordinary scrapes keep being answered. Latency is printed; only correctness is asserted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchText, spawnExporter, type ExporterProcess } from '../helpers/exporter.js';

const SLOW_CLIENTS = 300;
const HEADERS_TIMEOUT_MS = 3000;
/** Node checks connection deadlines every second (the exporter sets connectionsCheckingInterval). */
const CHECK_INTERVAL_MS = 1000;
const SLACK_MS = 1500;

let dir: string;
let exporter: ExporterProcess;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidelity-slow-'));
  writeFileSync(join(dir, 'config.yml'), 'environments:\n  production: {}\n  staging: {}\n');
  exporter = await spawnExporter([`--config.file=${join(dir, 'config.yml')}`, `--web.headers-timeout=${HEADERS_TIMEOUT_MS / 1000}s`]);
});

after(async () => {
  await exporter?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface SlowClient {
  socket: Socket;
  openedAt: number;
  closedAt?: number;
  bytesSent: number;
  reply: string;
}

test(`${SLOW_CLIENTS} slow clients are cut off at the headers timeout while scrapes keep answering`, async (t) => {
  // Reference: scrape latency with no attack, measured the same way in the same run.
  const quiet: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const started = performance.now();
    assert.equal((await fetchText(`${exporter.baseUrl}/metrics`)).status, 200);
    quiet.push(performance.now() - started);
  }
  const request = 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(100);
  const clients: SlowClient[] = await Promise.all(
    Array.from(
      { length: SLOW_CLIENTS },
      () =>
        new Promise<SlowClient>((resolve, reject) => {
          const socket = connect(exporter.port, '127.0.0.1', () => {
            const client: SlowClient = { socket, openedAt: performance.now(), bytesSent: 0, reply: '' };
            socket.setEncoding('utf8');
            socket.on('data', (chunk: string) => (client.reply += chunk));
            socket.on('close', () => (client.closedAt = performance.now()));
            socket.on('error', () => undefined);
            resolve(client);
          });
          socket.once('error', reject);
        }),
    ),
  );
  // One header byte per second on every open socket, the first one now; the headers never complete.
  const dripOnce = () => {
    for (const client of clients) {
      if (client.closedAt === undefined && client.bytesSent < request.length) {
        client.socket.write(request[client.bytesSent] ?? 'a');
        client.bytesSent += 1;
      }
    }
  };
  const requestStartedAt = performance.now();
  dripOnce();
  const drip = setInterval(dripOnce, 1000);

  const latencies: number[] = [];
  const failures: string[] = [];
  const deadline = performance.now() + HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS + 1000;
  try {
    // Normal scrapes while the slow clients hold their connections, until they are all gone.
    while (performance.now() < deadline && (clients.some((client) => client.closedAt === undefined) || latencies.length < 20)) {
      const started = performance.now();
      try {
        const reply = await fetchText(`${exporter.baseUrl}/metrics`, { timeoutMs: 5000 });
        if (reply.status !== 200 || !reply.body.includes('fidelity_build_info')) failures.push(`status ${reply.status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    clearInterval(drip);
    for (const client of clients) client.socket.destroy();
  }

  const lifetimes = clients.map((client) => (client.closedAt ?? Number.POSITIVE_INFINITY) - Math.max(client.openedAt, requestStartedAt));
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]?.toFixed(1);
  const closedByServer = lifetimes.filter((ms) => Number.isFinite(ms));
  const quietP50 = [...quiet].sort((a, b) => a - b)[10] ?? 0;
  t.diagnostic(`scrapes without attack: p50 ${quietP50.toFixed(1)} ms`);
  t.diagnostic(`scrapes during the attack: ${latencies.length}, latency p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms`);
  t.diagnostic(
    `slow connections closed by the server: ${closedByServer.length}/${SLOW_CLIENTS}, ${Math.min(...closedByServer).toFixed(0)}..${Math.max(...closedByServer).toFixed(0)} ms after their first byte (headers timeout ${HEADERS_TIMEOUT_MS} ms)`,
  );

  assert.deepEqual(failures, [], 'every normal scrape succeeds');
  assert.ok(latencies.length >= 20);
  const lateOrOpen = lifetimes.filter((ms) => !(ms <= HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS));
  assert.equal(lateOrOpen.length, 0, `${lateOrOpen.length} slow connections were not closed within the headers timeout`);
  // Node answers a headers timeout with 408 before closing.
  assert.ok(
    clients.every((client) => client.reply === '' || client.reply.startsWith('HTTP/1.1 408')),
    'nothing but a 408 is sent to a slow client',
  );
  assert.ok(clients.every((client) => client.bytesSent <= Math.ceil((HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS) / 1000) + 1));
});
