// Exercises the real-server helpers end to end: write, restart on the same
// port, read back, destroy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';
import type { DatabaseServer } from '../helpers/binaries.js';

interface Row {
  id: number;
  name: string;
}

async function survivesRestart(server: DatabaseServer, placeholder: (n: number) => string): Promise<void> {
  try {
    assert.equal(server.host, '127.0.0.1');
    await server.exec('CREATE TABLE widgets (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)');
    await server.query(`INSERT INTO widgets (id, name) VALUES (${placeholder(1)}, ${placeholder(2)})`, [1, 'sprocket']);
    assert.deepEqual(await server.query<Row>('SELECT id, name FROM widgets'), [{ id: 1, name: 'sprocket' }]);

    const port = server.port;
    await server.stop();
    await server.start();
    assert.equal(server.port, port);
    assert.deepEqual(await server.query<Row>('SELECT id, name FROM widgets'), [{ id: 1, name: 'sprocket' }]);
  } finally {
    await server.destroy();
  }
  assert.equal(existsSync(server.dataDir), false, 'destroy() removes the data directory');
}

test('startPostgres: real server, data survives stop/start', async () => {
  const server = await startPostgres();
  assert.match(server.url(), /^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/fidelity$/);
  await survivesRestart(server, (n) => `$${n}`);
});

test('startMariaDb: real server, data survives stop/start', async () => {
  const server = await startMariaDb();
  assert.match(server.url(), /^mysql:\/\/root:[^@]+@127\.0\.0\.1:\d+\/fidelity$/);
  assert.deepEqual(await server.query('SELECT @@global.time_zone AS tz'), [{ tz: '+00:00' }]);
  await survivesRestart(server, () => '?');
});
