import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import bcrypt from 'bcryptjs';
import { Authenticator } from '../../src/server/auth.js';
import { reloadIncompatibility, webConfigFromObject, WebConfigError, type WebConfig } from '../../src/server/web-config.js';

const HASH = bcrypt.hashSync('correct horse', 4);
const load = (document: unknown) => webConfigFromObject(document, { baseDir: '/nonexistent-dir', file: 'web.yml' });

function refused(document: unknown): string[] {
  try {
    load(document);
  } catch (error) {
    assert.ok(error instanceof WebConfigError, String(error));
    assert.match(error.message, /^invalid web configuration web\.yml:/);
    return error.lines;
  }
  assert.fail('the web config was accepted');
}

test('an empty web config serves plain HTTP without auth', () => {
  for (const document of [null, {}, { tls_server_config: {} }, { tls_server_config: null, basic_auth_users: null }]) {
    const config = load(document);
    assert.equal(config.tls, undefined);
    assert.equal(config.basicAuthUsers.size, 0);
    assert.equal(config.bearerToken, undefined);
  }
});

test('invalid web configs are refused with a message naming the key', () => {
  const cases: Array<[unknown, string]> = [
    [{ tls_config: {} }, 'tls_config: unknown key'],
    [{ tls_server_config: { cert_file: 'a.crt' } }, 'tls_server_config.key_file: is required when tls_server_config is set'],
    [
      { tls_server_config: { cert_file: 'a.crt', key_file: 'a.key', client_auth_type: 'RequireAndVerifyClientCert' } },
      'tls_server_config.client_ca_file: is required with client_auth_type RequireAndVerifyClientCert',
    ],
    [
      { tls_server_config: { cert_file: 'a.crt', key_file: 'a.key', client_auth_type: 'NoClientCert', client_ca_file: 'ca.crt' } },
      'tls_server_config.client_ca_file: is set but client_auth_type NoClientCert does not verify client certificates',
    ],
    [
      { tls_server_config: { cert_file: 'a.crt', key_file: 'a.key', client_auth_type: 'RequireClientCert' } },
      'tls_server_config.client_auth_type: must be one of',
    ],
    [
      { tls_server_config: { cert_file: 'a.crt', key_file: 'a.key', min_version: 'TLS13', max_version: 'TLS12' } },
      'tls_server_config.min_version: TLS13 is above max_version TLS12',
    ],
    [
      { tls_server_config: { cert_file: 'a.crt', key_file: 'a.key', min_version: 'TLS1.2' } },
      'tls_server_config.min_version: must be one of "TLS10", "TLS11", "TLS12", "TLS13"',
    ],
    [
      { tls_server_config: { cert_file: 'a.crt', key_file: 'a.key', cipher_suites: ['TLS_RSA_WITH_RC4_128_SHA'] } },
      'tls_server_config.cipher_suites[0]: must be one of',
    ],
    [
      { tls_server_config: { cert_file: 'a.crt', key_file: 'a.key' } },
      'tls_server_config.cert_file: cannot read certificate /nonexistent-dir/a.crt (ENOENT)',
    ],
    [{ tls_server_config: { cert: 'not a pem', key: 'not a key' } }, 'tls_server_config.cert: is not a PEM certificate'],
    [{ tls_server_config: { cert: 'not a pem', key: 'not a key' } }, 'tls_server_config.key: is not a PEM private key'],
    [{ http_server_config: { headers: { 'X-Custom': 'yes' } } }, 'http_server_config.headers["X-Custom"]: header not allowed'],
    [
      { http_server_config: { headers: { 'X-Frame-Options': 'allow-from x' } } },
      'http_server_config.headers["X-Frame-Options"]: must be "deny" or "sameorigin"',
    ],
    [
      { http_server_config: { headers: { 'X-Content-Type-Options': 'sniff' } } },
      'http_server_config.headers["X-Content-Type-Options"]: must be "nosniff"',
    ],
    [{ basic_auth_users: { alice: 'plaintext-password' } }, 'basic_auth_users["alice"]: must be a bcrypt hash'],
    [{ basic_auth_users: { 'a:b': HASH } }, 'basic_auth_users["a:b"]: user names must be non-empty and contain no ":"'],
    [{ basic_auth_users: ['alice'] }, 'basic_auth_users: must be a mapping, not a list'],
    [{ basic_auth_users: { alice: HASH.replace('$04$', '$20$') } }, 'basic_auth_users["alice"]: bcrypt cost 20 is above 17'],
    [{ bearer_token: 'short' }, 'bearer_token: the token must be at least 16 characters'],
    [{ bearer_token: 'a'.repeat(20), bearer_token_file: 'token' }, 'bearer_token: set either bearer_token or bearer_token_file, not both'],
    [{ bearer_token_file: 'token' }, 'bearer_token_file: cannot read token file /nonexistent-dir/token (ENOENT)'],
  ];
  for (const [document, expected] of cases) {
    const lines = refused(document);
    assert.ok(
      lines.some((line) => line.startsWith(expected)),
      `expected "${expected}", got:\n${lines.join('\n')}`,
    );
  }
});

test('refusals never echo a value that may be a password', () => {
  const lines = refused({ basic_auth_users: { alice: 'hunter2-plaintext' }, bearer_token: 'tiny-secret' });
  assert.ok(!lines.join('\n').includes('hunter2'), lines.join('\n'));
  assert.ok(!lines.join('\n').includes('tiny-secret'), lines.join('\n'));
});

test('a valid web config: users, canonical headers, a bearer token that prints as <secret>', () => {
  const config = load({
    basic_auth_users: { alice: HASH },
    http_server_config: { headers: { 'strict-transport-security': 'max-age=31536000', 'X-Frame-Options': 'SAMEORIGIN' }, http2: true },
    bearer_token: 'token-token-token-1234',
  });
  assert.equal(config.basicAuthUsers.get('alice'), HASH);
  assert.deepEqual(config.headers, { 'Strict-Transport-Security': 'max-age=31536000', 'X-Frame-Options': 'SAMEORIGIN' });
  assert.equal(String(config.bearerToken), '<secret>');
  assert.equal(inspect(config).includes('token-token'), false);
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

test('Authenticator: right password accepted; wrong password, unknown user and garbage refused', async () => {
  const auth = new Authenticator(load({ basic_auth_users: { alice: HASH }, bearer_token: 'token-token-token-1234' }));
  assert.equal(await auth.basic(basic('alice', 'correct horse')), 'alice');
  assert.equal(await auth.basic(basic('alice', 'correct horse')), 'alice', 'cached success');
  assert.equal(await auth.basic(basic('alice', 'wrong')), undefined);
  assert.equal(await auth.basic(basic('mallory', 'correct horse')), undefined);
  assert.equal(await auth.basic(undefined), undefined);
  assert.equal(await auth.basic('Basic !!!'), undefined);
  assert.equal(await auth.basic(`Basic ${Buffer.from('no-colon').toString('base64')}`), undefined);
  assert.equal(auth.bearer('Bearer token-token-token-1234'), true);
  assert.equal(auth.bearer('bearer token-token-token-1234'), true);
  assert.equal(auth.bearer('Bearer token-token-token-12345'), false);
  assert.equal(auth.bearer(basic('alice', 'correct horse')), false);
  assert.equal(new Authenticator(load({})).bearer('Bearer anything-at-all-here'), false);
});

test('a reload cannot switch TLS on or off or change the client auth policy', () => {
  const plain: WebConfig = load({});
  const tls = (clientAuthType: 'NoClientCert' | 'RequireAndVerifyClientCert'): WebConfig => ({
    ...plain,
    tls: { clientAuthType, context: {}, requestCert: false, rejectUnauthorized: false },
  });
  assert.equal(reloadIncompatibility(plain, load({ basic_auth_users: { alice: HASH } })), undefined);
  assert.match(reloadIncompatibility(plain, tls('NoClientCert')) ?? '', /turning TLS on or off needs a restart/);
  assert.match(
    reloadIncompatibility(tls('NoClientCert'), tls('RequireAndVerifyClientCert')) ?? '',
    /client_auth_type: changing it needs a restart/,
  );
  assert.equal(reloadIncompatibility(tls('NoClientCert'), tls('NoClientCert')), undefined);
});
