import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner } from '../helpers/harness.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';

/**
 * The limits of docs/operations.md#limits hold against a hostile side: a query without LIMIT over
 * 10 million rows, and a side that accepts TCP connections and never answers (database and HTTP).
 * A hostile side costs the exporter a bounded amount of memory, connections and time, and the
 * other checks go on.
 */

/** A TCP server that accepts every connection and never sends a byte; counts what it holds. */
class Blackhole {
  readonly sockets = new Set<Socket>();
  peak = 0;
  accepted = 0;
  private readonly server: Server = createServer((socket) => {
    this.accepted += 1;
    this.sockets.add(socket);
    // Read and drop what the client sends: a socket never read never sees the client's close.
    socket.resume();
    this.peak = Math.max(this.peak, this.sockets.size);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function settled(blackhole: Blackhole): Promise<number> {
  for (let i = 0; i < 50 && blackhole.sockets.size > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  return blackhole.sockets.size;
}

describe('a 10-million-row result behind a query without LIMIT', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  const urls = new Map<string, string>();

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()]);
    await postgres.exec('CREATE VIEW big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 10000000) AS g');
    await mariadb.exec('CREATE VIEW big AS SELECT seq AS id, md5(seq) AS v FROM seq_1_to_10000000');
    for (const [name, server] of [
      ['PostgreSQL', postgres],
      ['MariaDB', mariadb],
    ] as const)
      urls.set(name, (await createLeastPrivilegeRole(server, { databases: ['fidelity'], kinds: ['query'] })).url());
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  for (const engine of ['PostgreSQL', 'MariaDB']) {
    test(`${engine}: the sample stops at max_rows with reason limit, memory stays bounded, the statement ends on the server`, async () => {
      const url = urls.get(engine) as string;
      const side = { databases: { db: { url } } };
      const runner = new CheckRunner(
        loadConfigObject(
          {
            environments: { production: side, staging: side },
            defaults: { every: '1h', timeout: '60s', start_spread: '0s' },
            checks: [
              { name: 'unbounded', kind: 'query', database: 'db', sql: 'SELECT id, v FROM big' },
              { name: 'next', kind: 'query', database: 'db', sql: 'SELECT 1 AS one' },
            ],
          },
          { env: {} },
        ),
      );
      const startRss = process.memoryUsage().rss;
      let peakRss = startRss;
      const watch = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
      try {
        const state = await runner.run('unbounded');
        assert.equal(state.lastRun?.reason, 'limit', state.lastRun?.error);
        assert.match(state.lastRun?.error ?? '', /more than 100000 rows \(max_rows\)/);
        assert.equal((await runner.run('next')).lastRun?.success, true, 'the next check runs');
      } finally {
        clearInterval(watch);
        await runner.close();
      }
      const grownMiB = (peakRss - startRss) / 2 ** 20;
      console.log(`${engine}: RSS grew at most ${grownMiB.toFixed(0)} MiB reading past max_rows over 10M rows`);
      // 10M rows held would take gigabytes; two sides of 100k rows take tens of MiB.
      assert.ok(grownMiB < 400, `RSS grew ${grownMiB.toFixed(0)} MiB`);
      const server = engine === 'PostgreSQL' ? postgres : mariadb;
      const running =
        engine === 'PostgreSQL'
          ? "SELECT count(*)::int AS n FROM pg_stat_activity WHERE (query LIKE 'SELECT id, v FROM big%' OR query LIKE 'COPY (_SELECT id, v FROM big%') AND state = 'active'"
          : "SELECT count(*) AS n FROM information_schema.processlist WHERE info LIKE 'SELECT id, v FROM big%'";
      let left = 1;
      for (let i = 0; i < 50 && left > 0; i += 1) {
        left = Number((await server.query<{ n: number | string }>(running))[0]?.n);
        if (left > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(left, 0, 'the statement still runs on the server 5 s after the sample');
    });
  }
});

describe('a database error carrying a megabyte', () => {
  let postgres: DatabaseServer;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres?.destroy();
  });

  test('PostgreSQL: the failure message kept and logged is cut at 2000 characters, and says so', async () => {
    const url = (await createLeastPrivilegeRole(postgres, { databases: ['fidelity'], kinds: ['query'] })).url();
    const side = { databases: { db: { url } } };
    const runner = new CheckRunner(
      loadConfigObject(
        {
          environments: { production: side, staging: side },
          defaults: { every: '1h', timeout: '30s', start_spread: '0s' },
          // PostgreSQL quotes the value it cannot read in its message: a million characters.
          checks: [{ name: 'loud', kind: 'query', database: 'db', sql: "SELECT repeat('x', 1000000)::int AS n" }],
        },
        { env: {} },
      ),
    );
    try {
      const state = await runner.run('loud');
      assert.equal(state.lastRun?.reason, 'query', state.lastRun?.error?.slice(0, 300));
      const error = state.lastRun?.error ?? '';
      assert.ok(error.length < 2100, `message of ${error.length} characters kept`);
      assert.match(error, /invalid input syntax for type integer/);
      assert.match(error, /… \(\d+ more characters not kept\)$/);
    } finally {
      await runner.close();
    }
  });
});

describe('a side that accepts TCP and never answers', () => {
  const blackholes: Blackhole[] = [];
  after(async () => {
    await Promise.all(blackholes.map((blackhole) => blackhole.close()));
  });

  for (const scheme of ['postgres', 'mysql']) {
    test(`${scheme}: samples fail with a reason within their timeout, the pool holds at most pool_size connections, none is left open`, async () => {
      const blackhole = new Blackhole();
      blackholes.push(blackhole);
      const port = await blackhole.listen();
      const side = { databases: { db: { url: `${scheme}://u:p@127.0.0.1:${port}/db`, pool_size: 2, connect_timeout: '1s' } } };
      const checks = Array.from({ length: 6 }, (_, i) => ({ name: `q${i}`, kind: 'query', database: 'db', sql: 'SELECT 1 AS one' }));
      const runner = new CheckRunner(
        loadConfigObject(
          {
            environments: { production: side, staging: side },
            defaults: { every: '1h', timeout: '3s', start_spread: '0s' },
            checks,
          },
          { env: {} },
        ),
      );
      try {
        const states = await Promise.all(checks.map((check) => runner.run(check.name)));
        for (const state of states) {
          assert.equal(state.lastRun?.success, false);
          assert.ok(['timeout', 'connect'].includes(state.lastRun?.reason ?? ''), `${state.lastRun?.reason}: ${state.lastRun?.error}`);
        }
      } finally {
        await runner.close();
      }
      console.log(`${scheme}: ${blackhole.accepted} connections accepted, at most ${blackhole.peak} at once`);
      // One pool of 2 per side (production and staging point at the same blackhole here); a
      // connection the client just closed may still be counted when its replacement arrives.
      assert.ok(blackhole.peak <= 6, `${blackhole.peak} connections held at once`);
      assert.equal(await settled(blackhole), 0, 'connections left open after the samples');
    });
  }

  test('http: a flow step fails with reason timeout at its deadline and leaves no connection open', async () => {
    const blackhole = new Blackhole();
    blackholes.push(blackhole);
    const port = await blackhole.listen();
    const http = { http: { base_url: `http://127.0.0.1:${port}`, rate_limit: 0, timeouts: { step: '1s' } } };
    const runner = new CheckRunner(
      loadConfigObject(
        {
          environments: { production: http, staging: http },
          defaults: { every: '1h', timeout: '10s', start_spread: '0s' },
          checks: [{ name: 'silent', kind: 'flow', iterations: 1, steps: [{ name: 'home', path: '/' }] }],
        },
        { env: {} },
      ),
    );
    try {
      const state = await runner.run('silent');
      assert.equal(state.lastRun?.success, false);
      assert.equal(state.lastRun?.reason, 'timeout', state.lastRun?.error);
    } finally {
      await runner.close();
    }
    assert.equal(await settled(blackhole), 0, 'connections left open after the sample');
  });
});

/** An HTTP server that streams 1 GiB of generated JSON-ish bytes to every request, never holding it. */
class GigabyteServer {
  readonly responses: Array<{ sent: number; aborted: boolean }> = [];
  private readonly chunk = Buffer.alloc(1024 * 1024, 'a');
  private readonly server = createHttpServer((_req, res) => {
    const record = { sent: 0, aborted: false };
    this.responses.push(record);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"padding":"');
    res.on('close', () => (record.aborted = !res.writableFinished));
    const pump = () => {
      while (record.sent < GIGABYTE && !res.destroyed) {
        record.sent += this.chunk.length;
        if (!res.write(this.chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"}');
    };
    pump();
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const GIGABYTE = 1024 ** 3;

describe('a 1 GiB response body', () => {
  let server: GigabyteServer;
  let base: string;
  before(async () => {
    server = new GigabyteServer();
    base = await server.listen();
  });
  after(async () => {
    await server?.close();
  });

  const cases = [
    {
      what: 'a flow step',
      environment: () => ({ http: { base_url: base, rate_limit: 0, timeouts: { step: '60s' } } }),
      check: { name: 'huge', kind: 'flow', iterations: 1, steps: [{ name: 'home', path: '/' }] },
      message: /response body exceeds max_body_bytes \(10485760\)/,
    },
    {
      what: 'a config source over http',
      environment: () => ({ configs: { app: { url: `${base}/config` } } }),
      check: { name: 'huge', kind: 'config', source: 'app' },
      message: /response is more than max_bytes 10485760/,
    },
  ];
  for (const { what, environment, check, message } of cases) {
    test(`${what}: reading stops at the default limit with reason limit, RSS stays bounded, the server sees the abort`, async () => {
      const before = server.responses.length;
      const runner = new CheckRunner(
        loadConfigObject(
          {
            environments: { production: environment(), staging: environment() },
            defaults: { every: '1h', timeout: '60s', start_spread: '0s' },
            checks: [check],
          },
          { env: {} },
        ),
      );
      const startRss = process.memoryUsage().rss;
      let peakRss = startRss;
      const watch = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
      try {
        const state = await runner.run('huge');
        assert.equal(state.lastRun?.success, false);
        assert.equal(state.lastRun?.reason, 'limit', state.lastRun?.error);
        assert.match(state.lastRun?.error ?? '', message);
      } finally {
        clearInterval(watch);
        await runner.close();
      }
      const responses = server.responses.slice(before);
      for (let i = 0; i < 50 && responses.some((response) => !response.aborted); i += 1) await new Promise((r) => setTimeout(r, 100));
      const grownMiB = (peakRss - startRss) / 2 ** 20;
      const sentMiB = responses.map((response) => (response.sent / 2 ** 20).toFixed(0)).join(', ');
      console.log(
        `${what}: RSS grew at most ${grownMiB.toFixed(0)} MiB; the server had written ${sentMiB} MiB of 1024 when it saw the abort`,
      );
      assert.ok(responses.length >= 1, 'the server was asked');
      assert.ok(
        responses.every((response) => response.aborted && response.sent < GIGABYTE),
        'every response was cut off by the client',
      );
      assert.ok(grownMiB < 200, `RSS grew ${grownMiB.toFixed(0)} MiB`);
    });
  }
});
