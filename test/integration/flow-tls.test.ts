import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigObject } from '../../src/runtime/load.js';
import { CheckRunner, seriesValue } from '../helpers/harness.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';

/**
 * HTTPS towards an environment: TLS phase timing against a server whose handshake and answer take a
 * known time, trust settings (CA file, client certificates, insecure mode, rotation), and redirects to
 * an allowed other host, which must not receive the environment's secret headers.
 */

const HANDSHAKE_DELAY_MS = 80;
const ANSWER_DELAY_MS = 60;
const TIMER_SLACK_MS = 2;

interface StepDetails {
  name: string;
  statuses: Record<string, (number | string)[]>;
  errors: Record<string, string[]>;
}

function listen(server: HttpServer | HttpsServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function stepOf(details: unknown, name: string): StepDetails {
  const step = (details as { steps: StepDetails[] }).steps.find((candidate) => candidate.name === name);
  assert.ok(step, `step ${name} in the details`);
  return step;
}

describe('flow over HTTPS', () => {
  let pki: TestPki;
  let dir: string;
  let runner: CheckRunner;
  const servers: (HttpServer | HttpsServer)[] = [];
  /** Headers each server received, by path. */
  const received: { path: string; server: string; headers: IncomingHttpHeaders }[] = [];
  let rotatingCa: string;

  before(async () => {
    pki = makeTestPki();
    dir = mkdtempSync(join(tmpdir(), 'fidelity-flow-tls-'));
    rotatingCa = join(dir, 'rotating-ca.pem');
    copyFileSync(pki.rogueClientCert, rotatingCa); // not the server's CA: untrusted at first

    const other = createHttpServer((req, res) => {
      received.push({ path: req.url ?? '', server: 'other', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ landed: true }));
    });
    const otherPort = await listen(other);

    const tlsOptions = { cert: pki.pem(pki.serverCert), key: pki.pem(pki.serverKey) };
    const context = createSecureContext(tlsOptions);
    const app = (label: string) => (req: { url?: string; headers: IncomingHttpHeaders }, res: import('node:http').ServerResponse) => {
      received.push({ path: req.url ?? '', server: label, headers: req.headers });
      if (req.url === '/go-away') {
        res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/landing` });
        res.end();
        return;
      }
      setTimeout(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: true }));
        },
        req.url === '/slow' ? ANSWER_DELAY_MS : 0,
      );
    };
    // The handshake of a client that sends SNI waits HANDSHAKE_DELAY_MS for its certificate.
    const slowHandshake = (label: string) =>
      createHttpsServer(
        { ...tlsOptions, SNICallback: (_name, done) => setTimeout(() => done(null, context), HANDSHAKE_DELAY_MS) },
        app(label),
      );
    const production = slowHandshake('production');
    const staging = slowHandshake('staging');
    const mutual = createHttpsServer(
      { ...tlsOptions, ca: pki.pem(pki.caCert), requestCert: true, rejectUnauthorized: true },
      app('mutual'),
    );
    servers.push(other, production, staging, mutual);
    const [productionPort, stagingPort, mutualPort] = await Promise.all([listen(production), listen(staging), listen(mutual)]);

    const https = (port: number, extra: Record<string, unknown> = {}, tls: Record<string, unknown> = { ca_file: pki.caCert }) => ({
      http: { base_url: `https://127.0.0.1:${port}`, rate_limit: 0, tls, ...extra },
    });
    const secretHeaders = (value: string) => ({ headers: { 'X-Api-Key': value }, allowed_redirect_hosts: [`127.0.0.1:${otherPort}`] });
    runner = new CheckRunner(
      loadConfigObject(
        {
          environments: {
            production: https(productionPort, secretHeaders('production-key-4711'), { ca_file: pki.caCert, server_name: 'localhost' }),
            staging: https(stagingPort, secretHeaders('staging-key-0815'), { ca_file: pki.caCert, server_name: 'localhost' }),
            untrusted: https(stagingPort, {}, {}),
            insecure: https(stagingPort, {}, { insecure_skip_verify: true }),
            rotating: https(stagingPort, {}, { ca_file: rotatingCa }),
            with_client_cert: https(mutualPort, {}, { ca_file: pki.caCert, cert_file: pki.clientCert, key_file: pki.clientKey }),
            without_client_cert: https(mutualPort),
          },
          defaults: { every: '1h', timeout: '20s' },
          checks: [
            { name: 'tls_timing', kind: 'flow', connection: 'cold', iterations: 1, steps: [{ name: 'slow', path: '/slow' }] },
            {
              name: 'allowed_redirect',
              kind: 'flow',
              iterations: 1,
              steps: [{ name: 'away', path: '/go-away', expect: { status: 200, body_matches: 'landed' } }],
            },
            { name: 'untrusted', kind: 'flow', iterations: 1, candidate: 'untrusted', steps: [{ name: 'home', path: '/' }] },
            { name: 'insecure', kind: 'flow', iterations: 1, candidate: 'insecure', steps: [{ name: 'home', path: '/' }] },
            { name: 'rotating', kind: 'flow', iterations: 1, candidate: 'rotating', steps: [{ name: 'home', path: '/' }] },
            {
              name: 'client_cert',
              kind: 'flow',
              iterations: 1,
              baseline: 'with_client_cert',
              candidate: 'without_client_cert',
              steps: [{ name: 'home', path: '/' }],
            },
          ],
        },
        { env: {} },
      ),
    );
  });

  after(async () => {
    await runner?.close();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    pki?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a cold request times DNS, connect, TLS, first byte and transfer apart, and they add up to the total', async () => {
    const state = await runner.run('tls_timing');
    assert.equal(state.lastRun?.success, true, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
    for (const side of ['production', 'staging']) {
      const phase = (name: string) =>
        seriesValue(state, 'fidelity_flow_step_duration_seconds', { step: 'slow', side, connection: 'cold', phase: name });
      const [dns, connect, tls, ttfb, transfer, total] = ['dns', 'connect', 'tls', 'ttfb', 'transfer', 'total'].map(phase);
      for (const [name, value] of Object.entries({ dns, connect, tls, ttfb, transfer, total }))
        assert.equal(typeof value, 'number', `${side} ${name}`);
      // The server holds the handshake for HANDSHAKE_DELAY_MS and the answer for ANSWER_DELAY_MS.
      // The phases are cut from one series of timestamps (they add up to the total, below), so a delay
      // counted in a neighbouring phase would leave its own phase short of it: lower bounds show that
      // each delay landed where it belongs. No upper bounds: a loaded machine only makes phases longer.
      // The server's timers may fire up to TIMER_SLACK_MS early (Node measures them from the event
      // loop's cached clock).
      assert.ok(tls! >= (HANDSHAKE_DELAY_MS - TIMER_SLACK_MS) / 1000, `${side} tls ${tls}`);
      assert.ok(ttfb! >= (ANSWER_DELAY_MS - TIMER_SLACK_MS) / 1000, `${side} ttfb ${ttfb}`);
      const sum = dns! + connect! + tls! + ttfb! + transfer!;
      assert.ok(Math.abs(sum - total!) < 1e-6, `${side}: phases add up to ${sum}, total ${total}`);
    }
  });

  test("a redirect to an allowed other host is followed, without the environment's secret headers", async () => {
    received.length = 0;
    const state = await runner.run('allowed_redirect');
    assert.equal(state.lastRun?.success, true, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
    const away = stepOf(state.result?.details, 'away');
    assert.deepEqual(away.errors, {});
    assert.deepEqual(away.statuses.production, [200]);
    assert.deepEqual(away.statuses.staging, [200]);
    const first = received.filter((request) => request.path === '/go-away');
    const landed = received.filter((request) => request.server === 'other');
    assert.ok(first.length >= 2 && landed.length === first.length, `${first.length} redirects, ${landed.length} landings`);
    assert.ok(
      first.every(
        (request) => request.headers['x-api-key'] === (request.server === 'production' ? 'production-key-4711' : 'staging-key-0815'),
      ),
    );
    assert.ok(
      landed.every((request) => request.headers['x-api-key'] === undefined),
      'the other host never sees the secret header',
    );
  });

  test("a server certificate from a CA the side does not trust fails that side's requests with a TLS reason", async () => {
    const state = await runner.run('untrusted');
    assert.equal(state.lastRun?.success, true, 'an untrusted candidate is a finding, not a failed sample');
    const home = stepOf(state.result?.details, 'home');
    assert.match(
      home.errors.untrusted?.[0] ?? '',
      /^connect: TLS handshake failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY):/,
    );
    assert.equal(state.result?.passed, false);
  });

  test('insecure_skip_verify accepts the same server', async () => {
    const state = await runner.run('insecure');
    const home = stepOf(state.result?.details, 'home');
    assert.deepEqual(home.errors, {});
    assert.deepEqual(home.statuses.insecure, [200]);
  });

  test('a rotated CA file is picked up at the next request', async () => {
    const before = stepOf((await runner.run('rotating')).result?.details, 'home');
    assert.match(before.errors.rotating?.[0] ?? '', /TLS handshake failed/);
    copyFileSync(pki.caCert, rotatingCa);
    utimesSync(rotatingCa, new Date(), new Date(Date.now() + 5000));
    const afterRotation = stepOf((await runner.run('rotating')).result?.details, 'home');
    assert.deepEqual(afterRotation.errors, {});
    assert.deepEqual(afterRotation.statuses.rotating, [200]);
    // Removed at run time: that side's request fails naming the setting and path, and nothing else.
    rmSync(rotatingCa);
    const removed = await runner.run('rotating');
    assert.equal(removed.lastRun?.success, true);
    const home = stepOf(removed.result?.details, 'home');
    assert.deepEqual(home.errors.rotating, [`config: cannot read tls.ca_file ${rotatingCa} (ENOENT)`]);
    assert.equal(home.errors.production, undefined);
  });

  test('a client certificate is presented when configured; without one the server refuses the side', async () => {
    const state = await runner.run('client_cert');
    assert.equal(state.lastRun?.success, true, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
    const home = stepOf(state.result?.details, 'home');
    assert.deepEqual(home.statuses.with_client_cert, [200]);
    assert.match(home.errors.without_client_cert?.[0] ?? '', /^connect: /);
    const key = pki.pem(pki.clientKey).split('\n').slice(1, 2)[0] ?? 'no key line';
    assert.ok(!JSON.stringify(state.result).includes(key), 'no key material in the results');
  });

  test('TLS settings that cannot work are config errors naming their path', () => {
    const load = (tls: Record<string, unknown>) => () =>
      loadConfigObject(
        {
          environments: {
            production: { http: { base_url: 'https://127.0.0.1:1', tls } },
            staging: { http: { base_url: 'https://127.0.0.1:2' } },
          },
          checks: [{ name: 'f', kind: 'flow', steps: [{ name: 's', path: '/' }] }],
        },
        { env: {}, baseDir: dir },
      );
    assert.throws(load({ cert_file: pki.clientCert }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.lines, ['environments.production.http.tls: cert_file and key_file go together']);
      return true;
    });
    assert.throws(load({ ca_file: 'missing-ca.pem' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.lines, [`environments.production.http.tls.ca_file: cannot read ${join(dir, 'missing-ca.pem')} (ENOENT)`]);
      return true;
    });
    assert.throws(load({ verify: false }), /environments\.production\.http\.tls\.verify: unknown key/);
  });
});
