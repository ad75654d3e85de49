// Basic auth (bcrypt) and the bearer token on the real exporter process, plus the HTTP hygiene
// around them: security headers, methods per route, body limits, refused starts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { fetchText, runExporter, spawnExporter, type ExporterProcess } from '../helpers/exporter.js';

const TOKEN = 'reload-token-0123456789abcdef';
let dir: string;
let exporter: ExporterProcess;

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidelity-auth-'));
  writeFileSync(join(dir, 'config.yml'), 'environments:\n  production: {}\n  staging: {}\n');
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  writeFileSync(
    join(dir, 'web.yml'),
    [
      'basic_auth_users:',
      `  prometheus: ${bcrypt.hashSync('scrape-secret', 10)}`,
      `  operator: ${bcrypt.hashSync('operator-secret', 10)}`,
      'bearer_token_file: token',
      'http_server_config:',
      '  headers:',
      '    Strict-Transport-Security: max-age=63072000',
      '',
    ].join('\n'),
  );
  exporter = await spawnExporter([`--config.file=${join(dir, 'config.yml')}`, `--web.config.file=${join(dir, 'web.yml')}`]);
});

after(async () => {
  await exporter?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('basic auth: no credentials, a wrong password and an unknown user get 401 with WWW-Authenticate', async () => {
  for (const headers of [{}, basic('prometheus', 'wrong'), basic('nobody', 'scrape-secret'), { authorization: 'Basic not-base64!' }]) {
    const reply = await fetchText(`${exporter.baseUrl}/metrics`, { headers });
    assert.equal(reply.status, 401, JSON.stringify(headers));
    assert.equal(reply.headers['www-authenticate'], 'Basic realm="fidelity-exporter", charset="UTF-8"');
    assert.equal(reply.body, 'unauthorized\n');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  }
});

test('basic auth: the right user and password get /metrics, /api/v1/results and /', async () => {
  for (const path of ['/metrics', '/api/v1/results', '/']) {
    const reply = await fetchText(`${exporter.baseUrl}${path}`, { headers: basic('prometheus', 'scrape-secret') });
    assert.equal(reply.status, 200, path);
    assert.equal(reply.headers['strict-transport-security'], 'max-age=63072000', 'header from http_server_config');
    assert.equal(reply.headers['x-frame-options'], 'DENY');
  }
});

test('liveness and readiness stay open for probes', async () => {
  assert.equal((await fetchText(`${exporter.baseUrl}/-/healthy`)).status, 200);
  assert.equal((await fetchText(`${exporter.baseUrl}/-/ready`)).status, 200);
});

test('unknown users and wrong passwords take the same time (figures printed, not asserted)', async (t) => {
  const timeOf = async (headers: Record<string, string>) => {
    const started = performance.now();
    const reply = await fetchText(`${exporter.baseUrl}/metrics`, { headers });
    assert.equal(reply.status, 401);
    return performance.now() - started;
  };
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const wrong: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 8; i += 1) {
    wrong.push(await timeOf(basic('prometheus', `wrong-${i}`)));
    unknown.push(await timeOf(basic(`nobody-${i}`, 'scrape-secret')));
  }
  t.diagnostic(
    `median 401 time: wrong password ${median(wrong).toFixed(1)} ms, unknown user ${median(unknown).toFixed(1)} ms (bcrypt cost 10)`,
  );
});

test('write routes: the bearer token or a basic auth user may reload; nothing else may', async () => {
  const url = `${exporter.baseUrl}/-/reload`;
  const none = await fetchText(url, { method: 'POST' });
  assert.equal(none.status, 401);
  assert.deepEqual(String(none.headers['www-authenticate']).split(', B'), [
    'Basic realm="fidelity-exporter", charset="UTF-8"',
    'earer realm="fidelity-exporter"',
  ]);
  assert.equal((await fetchText(url, { method: 'POST', headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
  const byToken = await fetchText(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(byToken.status, 200, byToken.body);
  assert.match(byToken.body, /configuration reloaded/);
  assert.equal((await fetchText(url, { method: 'POST', headers: basic('operator', 'operator-secret') })).status, 200);
  // The events API is a write route too.
  const events = `${exporter.baseUrl}/api/v1/events`;
  const json = { 'content-type': 'application/json' };
  assert.equal((await fetchText(events, { method: 'POST', headers: json, body: '{}' })).status, 401);
  const event = await fetchText(events, { method: 'POST', headers: { ...json, authorization: `Bearer ${TOKEN}` }, body: '{}' });
  assert.notEqual(event.status, 401, 'the token opens the events API (the body is then validated)');
  assert.ok(event.status >= 200 && event.status < 500, `${event.status} ${event.body}`);
  // The token opens write routes only; reads need a user.
  assert.equal((await fetchText(`${exporter.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 401);
});

test('each route answers only the methods it needs; bodies are small; unknown paths reveal nothing before auth', async () => {
  const auth = basic('operator', 'operator-secret');
  const deleteMetrics = await fetchText(`${exporter.baseUrl}/metrics`, { method: 'DELETE', headers: auth });
  assert.equal(deleteMetrics.status, 405);
  assert.equal(deleteMetrics.headers.allow, 'GET, HEAD');
  const getReload = await fetchText(`${exporter.baseUrl}/-/reload`, { headers: auth });
  assert.equal(getReload.status, 405);
  assert.equal(getReload.headers.allow, 'POST');
  const big = await fetchText(`${exporter.baseUrl}/-/reload`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: 'x'.repeat(70 * 1024),
  });
  assert.equal(big.status, 413);
  assert.equal((await fetchText(`${exporter.baseUrl}/admin`)).status, 401);
  assert.equal((await fetchText(`${exporter.baseUrl}/admin`, { headers: auth })).status, 404);
});

test('passwords and the token never reach the log', () => {
  for (const secret of ['scrape-secret', 'operator-secret', TOKEN]) assert.ok(!exporter.stderr().includes(secret), secret);
});

test('an invalid web config is refused at start with a message naming the key', async () => {
  const web = join(dir, 'bad-web.yml');
  writeFileSync(
    web,
    'basic_auth_users:\n  prometheus: plain-text-password\ntls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n',
  );
  const result = await runExporter([
    `--config.file=${join(dir, 'config.yml')}`,
    `--web.config.file=${web}`,
    '--web.listen-address=127.0.0.1:0',
  ]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /^invalid web configuration .*bad-web\.yml:$/m);
  assert.match(result.stderr, /^ {2}basic_auth_users\["prometheus"\]: must be a bcrypt hash/m);
  assert.match(result.stderr, /^ {2}tls_server_config\.cert_file: cannot read certificate .*missing\.crt \(ENOENT\)/m);
  assert.ok(!result.stderr.includes('plain-text-password'));
  const unknownKey = join(dir, 'typo-web.yml');
  writeFileSync(unknownKey, 'basic_auth_user:\n  prometheus: x\n');
  const typo = await runExporter(['check-config', `--config.file=${join(dir, 'config.yml')}`, `--web.config.file=${unknownKey}`]);
  assert.equal(typo.code, 3);
  assert.match(typo.stderr, /basic_auth_user: unknown key/);
});

test('a reload swaps the web config; a bad one keeps the old credentials and flips the gauge', async () => {
  const web = join(dir, 'web.yml');
  const original = readFileSync(web, 'utf8');
  const operator = basic('operator', 'operator-secret');
  writeFileSync(web, original.replace('basic_auth_users:\n', `basic_auth_users:\n  newcomer: ${bcrypt.hashSync('newcomer-secret', 10)}\n`));
  assert.equal((await fetchText(`${exporter.baseUrl}/metrics`, { headers: basic('newcomer', 'newcomer-secret') })).status, 401);
  assert.equal(
    (await fetchText(`${exporter.baseUrl}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status,
    200,
  );
  assert.equal((await fetchText(`${exporter.baseUrl}/metrics`, { headers: basic('newcomer', 'newcomer-secret') })).status, 200);

  writeFileSync(web, original.replace('bearer_token_file: token', 'bearer_token_file: missing-token'));
  const refused = await fetchText(`${exporter.baseUrl}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(refused.status, 500);
  assert.match(refused.body, /bearer_token_file: cannot read token file .*missing-token \(ENOENT\)/);
  const metrics = await fetchText(`${exporter.baseUrl}/metrics`, { headers: basic('newcomer', 'newcomer-secret') });
  assert.equal(metrics.status, 200, 'the previous web config stays in force');
  assert.match(metrics.body, /^fidelity_config_last_reload_successful 0$/m);
  assert.equal((await fetchText(`${exporter.baseUrl}/metrics`, { headers: operator })).status, 200);
  writeFileSync(web, original);
});
