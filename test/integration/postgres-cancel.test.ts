import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { sendCancelRequest } from '../../src/connectors/postgres-cancel.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

/**
 * The deadline's cancel is the protocol's CancelRequest (no login): on a session with no
 * statement_timeout, a sleeping statement ends with query_canceled once it is sent, and a wrong
 * secret key cancels nothing.
 */

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.destroy();
});

test('a CancelRequest with the backend key stops the running statement; a wrong key does not', async () => {
  const client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  try {
    const key = client as unknown as { processID: number; secretKey: number; host: string; port: number };
    const target = { host: key.host, port: key.port, processID: key.processID };
    const sleeping = client.query('SELECT pg_sleep(60)').then(
      () => 'finished',
      (error: { code?: string }) => error.code,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sendCancelRequest({ ...target, secretKey: key.secretKey ^ 1 }, 5000);
    const early = await Promise.race([sleeping, new Promise((resolve) => setTimeout(() => resolve('still running'), 1000))]);
    assert.equal(early, 'still running', 'a wrong secret key cancels nothing');
    await sendCancelRequest({ ...target, secretKey: key.secretKey }, 5000);
    assert.equal(await sleeping, '57014', 'query_canceled');
    // The connection is still usable: only the statement was cancelled.
    assert.deepEqual((await client.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  } finally {
    await client.end();
  }
});

test('a CancelRequest to a port where nothing listens returns without throwing', async () => {
  await sendCancelRequest({ host: '127.0.0.1', port: 1, processID: 1, secretKey: 1 }, 1000);
});
