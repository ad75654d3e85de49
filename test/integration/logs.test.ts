// Log lines: one format (JSON lines by default, logfmt with --log.format=logfmt); a check slower
// than its interval has its skipped ticks counted and logged at debug only.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { fetchText, metricValue, spawnExporter, waitFor } from '../helpers/exporter.js';
import { writeTempFile } from '../helpers/process.js';

// A real TCP server that accepts connections and never answers: every sample waits for its deadline.
const sockets = new Set<Socket>();
const silent = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
let config = '';

before(async () => {
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const port = (silent.address() as { port: number }).port;
  config = writeTempFile(
    'config.yml',
    [
      'environments:',
      `  production: { databases: { shop: { url: "postgres://reader:log-secret@127.0.0.1:${port}/shop", connect_timeout: 4s } } }`,
      `  staging: { databases: { shop: { url: "postgres://reader:log-secret@127.0.0.1:${port}/shop", connect_timeout: 4s } } }`,
      'defaults: { start_spread: 0s, every: 1s, timeout: 3s }',
      'checks:',
      '  - { name: slow, kind: query, database: shop, sql: SELECT 1 }',
    ].join('\n'),
  );
});

after(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

async function skippedRuns(baseUrl: string): Promise<number> {
  return waitFor('a skipped run', async () => {
    const value = metricValue((await fetchText(`${baseUrl}/metrics`)).body, 'fidelity_check_skipped_total', {
      check: 'slow',
      kind: 'query',
    });
    return value !== undefined && value >= 2 ? value : undefined;
  });
}

test('JSON lines by default: every line is one JSON object with a level word; skipped ticks are counted, not logged at info', async () => {
  const exporter = await spawnExporter([`--config.file=${config}`]);
  try {
    assert.ok((await skippedRuns(exporter.baseUrl)) >= 2);
  } finally {
    await exporter.stop();
  }
  const lines = exporter.stderr().trimEnd().split('\n');
  for (const line of lines) {
    const fields = JSON.parse(line) as { level: unknown; time: unknown; msg: unknown };
    assert.match(String(fields.level), /^(debug|info|warn|error|fatal)$/, line);
    assert.match(String(fields.time), /^\d{4}-\d\d-\d\dT/, line);
  }
  assert.ok(!exporter.stderr().includes('tick skipped'), 'skipped ticks are not logged at info');
  assert.ok(!exporter.stderr().includes('log-secret'));
});

test('--log.format=logfmt: every line is key=value pairs; at debug the skipped ticks appear', async () => {
  const exporter = await spawnExporter([`--config.file=${config}`, '--log.format=logfmt', '--log.level=debug']);
  try {
    await skippedRuns(exporter.baseUrl);
  } finally {
    await exporter.stop();
  }
  const lines = exporter.stderr().trimEnd().split('\n');
  for (const line of lines) assert.match(line, /^time=\S+ level=(debug|info|warn|error|fatal) msg=("[^"]*"|\S+)( \S+=\S.*)?$/, line);
  assert.ok(
    lines.some((line) => /level=debug msg="previous sample still running; tick skipped" .*check=slow/.test(line)),
    exporter.stderr(),
  );
  assert.ok(!exporter.stderr().includes('log-secret'));
});
