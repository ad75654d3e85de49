import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HttpClient, startHttpWorker, type HttpRequestSpec, type HttpSideConfig } from '../../src/connectors/http.js';

/**
 * The prober thread dying mid-request: the request in flight fails with the thread's own words, and
 * the next request starts a new thread and succeeds. The fault is injected into the real worker
 * (an uncaught error thrown in it while a request to /slow is in flight).
 */
const injectFault = `
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', (message) => {
    if (message.type === 'request' && message.spec.path === '/slow') {
      setTimeout(() => { throw new RangeError('prober thread ran out of stack (injected)'); }, 100);
    }
  });`;

describe('HTTP worker thread', () => {
  let server: Server;
  let config: HttpSideConfig;
  const client = new HttpClient(() => startHttpWorker(injectFault));
  const get = (path: string): HttpRequestSpec => ({ method: 'GET', path, followRedirects: false, connection: 'keepalive' });

  before(async () => {
    server = createServer((request, response) => {
      // /slow answers after the injected fault has killed the thread; /ok at once, with a body
      // small enough to sit in Node's shared buffer pool (the case Node 22+ refuses to transfer).
      const delay = request.url === '/slow' ? 2000 : 0;
      setTimeout(() => response.end(JSON.stringify({ path: request.url })), delay);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    config = {
      side: 'production',
      baseUrl: `http://127.0.0.1:${port}`,
      headers: {},
      allowWrites: false,
      rateLimit: 0,
      maxBodyBytes: 1 << 20,
      allowedRedirectHosts: [],
      maxRedirects: 0,
      connectTimeoutMs: 2000,
    };
  });
  after(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a small pooled body crosses to the exporter', async () => {
    const outcome = await client.request(config, get('/ok'), { deadlineMs: 5000 });
    assert.equal(outcome.ok, true, outcome.ok ? '' : outcome.message);
    assert.equal(outcome.ok && new TextDecoder().decode(outcome.body), '{"path":"/ok"}');
  });

  test('a thread dying mid-request fails that request naming the cause; the next request gets a new thread', async () => {
    const dying = await client.request(config, get('/slow'), { deadlineMs: 5000 });
    assert.equal(dying.ok, false);
    assert.equal(!dying.ok && dying.reason, 'internal');
    assert.equal(!dying.ok && dying.message, 'HTTP worker failed: RangeError: prober thread ran out of stack (injected)');

    const next = await client.request(config, get('/ok'), { deadlineMs: 5000 });
    assert.equal(next.ok, true, next.ok ? '' : next.message);
    assert.equal(next.ok && next.status, 200);
  });
});
