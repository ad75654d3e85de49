import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import { CheckRunner } from '../helpers/harness.js';

/**
 * Hostile or broken HTTP answers on the candidate side: each is reported as that step's error with
 * a clear reason; the sample still completes, and the process does not crash.
 */

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
  );
}

const good = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, path: req.url }));
});

const timers = new Set<NodeJS.Timeout>();
const bad = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  switch (path) {
    case '/non-json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>502 Bad Gateway from a proxy</html>');
      return;
    case '/truncated':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"ok": tr');
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    case '/huge': {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 50) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
      return;
    }
    case '/huge-declared':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      res.write('[');
      setTimeout(() => res.socket?.destroy(), 200);
      return;
    case '/drip': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 1000);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/reset': {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items": [1, 2, 3');
      setTimeout(() => (res.socket as Socket & { resetAndDestroy(): void }).resetAndDestroy(), 50);
      return;
    }
    case '/loop':
      res.writeHead(302, { location: '/loop' });
      res.end();
      return;
    case '/elsewhere':
      res.writeHead(302, { location: 'http://127.0.0.2:1/' });
      res.end();
      return;
    default:
      res.writeHead(404);
      res.end();
  }
});

const cases: [string, string, RegExp][] = [
  ['non_json', '/non-json', /^parse: body is not valid JSON though Content-Type is application\/json/],
  ['truncated', '/truncated', /^(parse|connect): .*(truncated|received 9 of 100 bytes|other side closed)/],
  ['huge', '/huge', /^limit: response body exceeds max_body_bytes \(1048576\)/],
  ['huge_declared', '/huge-declared', /^limit: response body of 52428800 bytes exceeds max_body_bytes \(1048576\)/],
  ['drip', '/drip', /^timeout: step deadline of 2500 ms exceeded after \d+ body bytes/],
  ['reset', '/reset', /^connect: connection failed or reset after \d+ body bytes \(ECONNRESET|^connect: connection failed or reset/],
  ['redirect_loop', '/loop', /^limit: more than 5 redirects \(redirect loop\?\)/],
  ['foreign_redirect', '/elsewhere', /^http_status: redirect to another host \(127\.0\.0\.2:1\) refused/],
];

describe('flow check against broken responses', () => {
  let runner: CheckRunner;

  before(async () => {
    const [goodUrl, badUrl] = await Promise.all([listen(good), listen(bad)]);
    const http = (url: string) => ({ http: { base_url: url, rate_limit: 0, max_body_bytes: 1024 * 1024, timeouts: { step: '2500ms' } } });
    const checks = cases.map(([name, path]) => ({
      name,
      kind: 'flow',
      iterations: 1,
      steps: [
        { name: 'probe', path },
        { name: 'next', path: '/next' },
      ],
    }));
    checks.push({
      name: 'baseline_broken',
      kind: 'flow',
      iterations: 1,
      baseline: 'broken',
      candidate: 'production',
      steps: [{ name: 'probe', path: '/reset' }],
    } as never);
    runner = new CheckRunner(
      loadConfigObject(
        {
          environments: { production: http(goodUrl), staging: http(badUrl), broken: http(badUrl) },
          defaults: { every: '1h', timeout: '20s' },
          checks,
        },
        { env: {} },
      ),
    );
  });
  after(async () => {
    await runner?.close();
    timers.forEach((timer) => clearInterval(timer));
    good.closeAllConnections();
    bad.closeAllConnections();
    good.close();
    bad.close();
  });

  for (const [name, , expected] of cases) {
    test(`${name}: reported as the step's error with a clear reason`, async () => {
      const state = await runner.run(name);
      assert.equal(state.lastRun?.success, true, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
      const details = state.result?.details as {
        steps: { name: string; errors: Record<string, string[]>; statuses: Record<string, unknown[]> }[];
      };
      const probe = details.steps[0];
      const message = probe?.errors.staging?.[0] ?? '';
      assert.match(message, expected);
      assert.equal(probe?.errors.production, undefined, 'the good side has no error');
      assert.equal(state.result?.passed, false, 'a broken candidate never passes');
      // After a failed request the rest of that run is skipped, not sent with missing state.
      if (!message.startsWith('parse: body is not valid JSON')) assert.deepEqual(details.steps[1]?.statuses.staging, ['skipped']);
    });
  }

  test('a baseline that answers nothing fails the sample with the reason, and the next check still runs', async () => {
    const state = await runner.run('baseline_broken');
    assert.equal(state.lastRun?.success, false);
    assert.equal(state.lastRun?.reason, 'connect');
    assert.match(state.lastRun?.error ?? '', /baseline "broken" answered no request: step "probe": connection failed or reset/);
    assert.equal(state.result, undefined, 'no stale comparison is kept');
    const next = await runner.run('non_json');
    assert.equal(next.lastRun?.success, true);
  });
});
