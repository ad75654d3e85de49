// No secret value from a diffed configuration reaches the logs, /metrics, /api/v1/results or the
// HTML report: the exporter runs in-process with startServing, its pino logger writes to a buffer,
// and every output is searched for the planted values (plain, URL-encoded, base64, hashed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { startServing, type RunningExporter } from '../../src/cli/serve.js';
import { loadConfigObject } from '../../src/runtime/load.js';

const PLANTED = {
  dbPasswordProd: 'Pl4nted Db/Pass+Prod!',
  dbPasswordStaging: 'Pl4nted Db/Pass+Staging!',
  urlPasswordProd: 'Pl4ntedUrlPassProd',
  urlPasswordStaging: 'Pl4ntedUrlPassStaging',
  tokenSame: 'Pl4nted=Token&Same',
  oauthProd: 'Pl4nted?Oauth#Prod',
  stripeStaging: 'Pl4nted Stripe Staging',
  signingKeyStaging: 'Pl4nted-Signing/Key',
  secretSourceProd: 'Pl4nted secret source prod',
  secretSourceStaging: 'Pl4nted secret source staging',
  headerToken: 'Pl4nted-Header+Token/xyz',
  queryToken: 'Pl4nted-Query-Token',
  httpProd: 'Pl4nted http prod/1',
  httpStaging: 'Pl4nted http staging/2',
  brokenYaml: 'Pl4nted broken yaml',
  brokenJson: 'Pl4ntedBrokenJson',
} as const;

let dir: string;
let server: Server;
let running: RunningExporter;
const logLines: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidelity-config-secrets-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const appYaml = (password: string, urlPassword: string, extra: string) =>
    `mode: ${extra}\ndatabase:\n  password: ${JSON.stringify(password)}\n  url: "postgres://app:${urlPassword}@db:5432/shop"\napi_token: ${JSON.stringify(PLANTED.tokenSame)}\n`;
  const production = write(
    'production.yaml',
    `${appYaml(PLANTED.dbPasswordProd, PLANTED.urlPasswordProd, 'a')}oauth:\n  clientSecret: ${JSON.stringify(PLANTED.oauthProd)}\nsigning_key: 12345678\n`,
  );
  const staging = write(
    'staging.yaml',
    `${appYaml(PLANTED.dbPasswordStaging, PLANTED.urlPasswordStaging, 'b')}stripe:\n  apiKey: ${JSON.stringify(PLANTED.stripeStaging)}\nsigning_key: ${JSON.stringify(PLANTED.signingKeyStaging)}\n`,
  );

  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.headers.authorization !== `Bearer ${PLANTED.headerToken}` || url.searchParams.get('access') !== PLANTED.queryToken) {
      res.writeHead(401).end();
      return;
    }
    const side = url.pathname === '/production' ? PLANTED.httpProd : PLANTED.httpStaging;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ client_secret: side, region: url.pathname.slice(1) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const http = (path: string, token: string = PLANTED.headerToken) => ({
    url: `${base}${path}?access=${encodeURIComponent(PLANTED.queryToken)}`,
    headers: { Authorization: `Bearer ${token}` },
  });

  const config = loadConfigObject({
    defaults: { every: '1h', timeout: '5s', start_spread: '0s' },
    environments: {
      production: {
        configs: {
          app: { file: production },
          vault: { env: { PLAIN_SETTING: PLANTED.secretSourceProd, OTHER: 'same' }, secret: true },
          remote: http('/production'),
          denied: http('/production'),
          broken_yaml: { file: production },
          broken_json: { file: write('ok.json', '{"password":"x"}') },
        },
      },
      staging: {
        configs: {
          app: { file: staging },
          vault: { env_file: write('vault.env', `PLAIN_SETTING="${PLANTED.secretSourceStaging}"\nOTHER=same\n`), secret: true },
          remote: http('/staging'),
          denied: http('/staging', 'wrong-token'),
          broken_yaml: { file: write('broken.yaml', `password: "${PLANTED.brokenYaml}\nother: [\n`) },
          broken_json: { file: write('broken.json', `{"password": ${PLANTED.brokenJson}}`) },
        },
      },
    },
    checks: ['app', 'vault', 'remote', 'denied', 'broken_yaml', 'broken_json'].map((source) => ({
      name: `config_${source}`,
      kind: 'config',
      source,
    })),
  });
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString('utf8'));
        callback();
      },
    }),
  );
  running = await startServing(config, '127.0.0.1:0', log);
  await running.exporter.idle();
});

after(async () => {
  await running?.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<string> {
  const port = (running.server.address() as AddressInfo).port;
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  assert.equal(response.status, 200, path);
  return response.text();
}

function forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [
    value,
    encodeURIComponent(value),
    encodeURI(value),
    value.replace(/ /g, '+'),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    ...['sha256', 'sha1', 'md5'].map((algorithm) => createHash(algorithm).update(value).digest('hex')),
    createHash('sha256').update(value).digest('base64'),
  ];
}

function assertNoSecret(where: string, text: string): void {
  for (const [name, value] of Object.entries(PLANTED)) {
    for (const form of forms(value)) assert.equal(text.includes(form), false, `${where} contains ${name} (as ${JSON.stringify(form)})`);
  }
  // Also no fragment long enough to identify a planted value.
  assert.equal(/Pl4nted/i.test(text), false, `${where} contains a planted fragment`);
}

test('no planted secret appears in /metrics, /api/v1/results, the HTML report or the logs', async () => {
  const metrics = await get('/metrics');
  const api = await get('/api/v1/results');
  const html = await get('/');
  const logs = logLines.join('');

  // The outputs are really there and describe the differences (else the search proves nothing).
  assert.match(metrics, /fidelity_config_drift_index\{check="config_app"\} \d+/);
  const results = JSON.parse(api) as {
    checks: Array<{
      name: string;
      details?: { differences?: Array<Record<string, unknown>> };
      lastRun?: { reason?: string; error?: string };
    }>;
  };
  const check = (name: string) => results.checks.find((c) => c.name === name);
  const app = check('config_app')?.details?.differences ?? [];
  const byPath = Object.fromEntries(app.map((d) => [d.path, d]));
  assert.deepEqual(byPath['database.password'], {
    path: 'database.password',
    change: 'changed',
    status: 'unapproved',
    firstSeen: byPath['database.password']?.firstSeen,
    secret: true,
    differs: true,
  });
  assert.deepEqual(byPath['database.url'], {
    path: 'database.url',
    change: 'changed',
    status: 'unapproved',
    firstSeen: byPath['database.url']?.firstSeen,
    secret: true,
    differs: true,
  });
  assert.equal(byPath['oauth.clientSecret']?.change, 'removed');
  assert.equal(byPath['oauth.clientSecret']?.secret, true);
  assert.equal(byPath['stripe.apiKey']?.change, 'added');
  assert.equal(byPath['signing_key']?.change, 'type_changed');
  assert.deepEqual(byPath.mode, {
    path: 'mode',
    change: 'changed',
    status: 'unapproved',
    firstSeen: byPath.mode?.firstSeen,
    baseline: 'a',
    baselineType: 'string',
    candidate: 'b',
    candidateType: 'string',
  });
  assert.equal(byPath.api_token, undefined, 'an equal secret is not a difference');
  assert.deepEqual(
    check('config_vault')?.details?.differences?.map((d) => [d.path, d.secret, d.differs]),
    [['PLAIN_SETTING', true, true]],
  );
  const remote = check('config_remote')?.details?.differences ?? [];
  assert.deepEqual(
    remote.map((d) => [d.path, d.secret ?? false]),
    [
      ['client_secret', true],
      ['region', false],
    ],
  );
  assert.equal(check('config_denied')?.lastRun?.reason, 'auth');
  assert.equal(check('config_broken_yaml')?.lastRun?.reason, 'parse');
  assert.equal(check('config_broken_json')?.lastRun?.reason, 'parse');
  assert.match(html, /database\.password/);
  assert.match(html, /differs/);
  assert.match(html, /unapproved/);
  assert.match(logs, /sample failed/);
  assert.match(logs, /config_broken_yaml/);

  assertNoSecret('/metrics', metrics);
  assertNoSecret('/api/v1/results', api);
  assertNoSecret('the HTML report', html);
  assertNoSecret('the logs', logs);
});
