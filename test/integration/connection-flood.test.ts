// A flood of sockets that connect and send nothing, or half a request header, against the real
// exporter process: connections beyond --web.max-connections are closed as they arrive, the others
// at the headers timeout, a scraper on its kept-alive connection is answered throughout, and the
// exporter's open file descriptors come back to where they started.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchText, spawnExporter, type ExporterProcess } from '../helpers/exporter.js';

const IDLE_SOCKETS = 2000;
const HALF_HEADER_SOCKETS = 100;
const MAX_CONNECTIONS = 300;

let dir: string;
let exporter: ExporterProcess;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidelity-flood-'));
  writeFileSync(join(dir, 'config.yml'), 'environments:\n  production: {}\n  staging: {}\n');
  exporter = await spawnExporter([
    `--config.file=${join(dir, 'config.yml')}`,
    '--web.headers-timeout=2s',
    `--web.max-connections=${MAX_CONNECTIONS}`,
  ]);
});

after(async () => {
  await exporter?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const openFds = () => readdirSync(`/proc/${exporter.child.pid}/fd`).length;

interface FloodSocket {
  socket: Socket;
  closed: boolean;
  reply: string;
}

function openFloodSocket(firstBytes: string | undefined): Promise<FloodSocket> {
  return new Promise((resolve) => {
    const socket = connect(exporter.port, '127.0.0.1');
    const flood: FloodSocket = { socket, closed: false, reply: '' };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (flood.reply += chunk));
    socket.on('close', () => {
      flood.closed = true;
      resolve(flood);
    });
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      if (firstBytes) socket.write(firstBytes);
      resolve(flood);
    });
  });
}

/** GET /metrics over one kept-alive connection, as Prometheus scrapes. */
function scrape(agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${exporter.baseUrl}/metrics`, { agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

test(`${IDLE_SOCKETS} idle and ${HALF_HEADER_SOCKETS} half-header sockets: scrapes answered, sockets closed, fds back`, async (t) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 5; i += 1) assert.equal(await scrape(agent), 200);
  const fdStart = openFds();

  const flood: FloodSocket[] = [];
  let fdPeak = fdStart;
  for (let i = 0; i < IDLE_SOCKETS + HALF_HEADER_SOCKETS; i += 100) {
    const batch = Array.from({ length: 100 }, (_, j) =>
      openFloodSocket(i + j >= IDLE_SOCKETS ? 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ' : undefined),
    );
    flood.push(...(await Promise.all(batch)));
    fdPeak = Math.max(fdPeak, openFds());
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const closedEarly = flood.filter((socket) => socket.closed).length;
  const statuses: number[] = [];
  const failures: string[] = [];
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline && (flood.some((socket) => !socket.closed) || statuses.length < 20)) {
      fdPeak = Math.max(fdPeak, openFds());
      try {
        statuses.push(await scrape(agent));
      } catch (error) {
        failures.push((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    for (const socket of flood) socket.socket.destroy();
  }
  const leftOpen = flood.filter((socket) => !socket.closed).length;
  let fdEnd = openFds();
  for (let i = 0; i < 50 && fdEnd > fdStart + 2; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    fdEnd = openFds();
  }
  t.diagnostic(
    `flood of ${flood.length}: ${closedEarly} closed while it was opened (limit ${MAX_CONNECTIONS}), ` +
      `the rest by the server at the headers timeout (2 s); ${statuses.length} scrapes during the flood; fds start ${fdStart}, peak ${fdPeak}, end ${fdEnd}`,
  );

  assert.deepEqual(failures, [], 'every scrape on the kept-alive connection is answered');
  assert.ok(statuses.length >= 20 && statuses.every((status) => status === 200), `statuses: ${statuses.join(',')}`);
  assert.equal(leftOpen, 0, `${leftOpen} flood sockets were still open after 60 s`);
  assert.ok(fdPeak <= fdStart + MAX_CONNECTIONS + 10, `open fds peaked at ${fdPeak} (start ${fdStart}, limit ${MAX_CONNECTIONS})`);
  assert.ok(fdEnd <= fdStart + 2, `open fds ${fdEnd} after the flood, ${fdStart} before`);
  // Nothing but a 408 (headers timeout) ever reaches a flood socket.
  assert.ok(flood.every((socket) => socket.reply === '' || socket.reply.startsWith('HTTP/1.1 408')));
  assert.equal(exporter.child.exitCode, null, 'the exporter is still running');
  assert.equal((await fetchText(`${exporter.baseUrl}/metrics`)).status, 200, 'a new connection is served after the flood');
  agent.destroy();
});
