import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { Secret } from '../../src/config/secret.js';
import { PostgresConnector } from '../../src/connectors/postgres.js';
import { sendCancelRequest } from '../../src/connectors/postgres-cancel.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

/**
 * The deadline's cancel is the protocol's CancelRequest (no login): on a session with no
 * statement_timeout, a sleeping statement ends with query_canceled once it is sent, and a wrong
 * secret key cancels nothing. A connection whose statement was cancelled at the deadline goes back
 * to the pool once it answers ROLLBACK and DISCARD ALL, so the next sample needs no new login.
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

test('a CancelRequest to a port where nothing listens returns false without throwing', async () => {
  assert.equal(await sendCancelRequest({ host: '127.0.0.1', port: 1, processID: 1, secretKey: 1 }, 1000), false);
});

test('after a statement is cancelled at its deadline, the same backend serves the next sample and nothing is left running', async () => {
  const url = (await createLeastPrivilegeRole(server, { databases: ['fidelity'], kinds: ['query'] })).url();
  const errors: Error[] = [];
  const connector = new PostgresConnector({
    url: new Secret(url),
    poolSize: 1,
    connectTimeoutMs: 5000,
    applicationName: 'fidelity-cancel-reuse',
    onError: (error) => errors.push(error),
  });
  const backends = () =>
    server.query<{ pid: number; state: string; query: string }>(
      "SELECT pid, state, query FROM pg_stat_activity WHERE application_name = 'fidelity-cancel-reuse' ORDER BY pid",
    );
  const pidOf = async () =>
    Number(
      (
        await connector.readOnly({ signal: AbortSignal.timeout(5000), timeoutMs: 5000 }, (session) =>
          session.query('SELECT pg_backend_pid() AS pid'),
        )
      ).rows[0]?.[0],
    );
  try {
    const first = await pidOf();
    assert.equal(await pidOf(), first, 'a sample that finished returns its connection to the pool');
    for (let round = 0; round < 3; round += 1) {
      const sample = connector.readOnly({ signal: AbortSignal.timeout(500), timeoutMs: 60_000 }, (session) =>
        session.query('SELECT pg_sleep(30)'),
      );
      await assert.rejects(sample, (error: Error & { reason?: string }) => error.reason === 'timeout');
      // The next sample waits for the pool's only connection, which comes back after the cleanup.
      assert.equal(await pidOf(), first, `round ${round}: the cancelled backend serves the next sample`);
    }
    const left = await backends();
    assert.deepEqual(
      left.map((row) => [row.pid, row.state]),
      [[first, 'idle']],
      'one idle session, no statement still running',
    );
    assert.match(left[0]?.query ?? '', /DISCARD ALL|pg_backend_pid/);
  } finally {
    await connector.close();
  }
  assert.deepEqual(errors, []);
});
