import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, looksLikeCredential } from '../../src/compare/redact.js';

test('secret-looking keys anywhere in the path', () => {
  const redactor = new Redactor();
  const secret = [
    'db.password',
    'DB_PASSWORD',
    'PGPASSWORD',
    'spring.datasource.password',
    'properties["spring.datasource.password"].value',
    'apiKey',
    'API_KEY',
    'APIKEY',
    'stripe.secret_key',
    'auth.token',
    'credentials.username',
    'oauth.clientSecret',
    'tls.privateKey',
    'users[name=db_password].value',
  ];
  for (const path of secret) assert.equal(redactor.secretKey(path), true, path);
  const visible = ['server.port', 'monkey.count', 'keyboard.layout', 'features.checkout', 'keyed[0]', 'tokenless'];
  for (const path of visible) assert.equal(redactor.secretKey(path), path === 'tokenless', path);
});

test('configurable words, secret paths and public paths', () => {
  const redactor = new Redactor({ words: ['dsn'], paths: ['internal.**'], publicPaths: ['cache.key_prefix'] });
  assert.equal(redactor.secretKey('sentry.dsn'), true);
  assert.equal(redactor.secretKey('internal.anything'), true);
  assert.equal(redactor.secretKey('cache.key_prefix'), false);
  assert.equal(redactor.secretKey('cache.key'), true);
});

test('credential-looking values are secret whatever their key', () => {
  assert.equal(looksLikeCredential('postgres://app:hunter2@db:5432/shop'), true);
  assert.equal(looksLikeCredential('https://example.com/path'), false);
  assert.equal(looksLikeCredential('-----BEGIN RSA PRIVATE KEY-----\nabc'), true);
  assert.equal(looksLikeCredential('Bearer abcdefghijkl'), true);
  assert.equal(looksLikeCredential(42), false);
  const redactor = new Redactor();
  assert.equal(redactor.isSecret('database.url', 'postgres://app@db/shop', 'postgres://app:pw@db/shop'), true);
  assert.equal(redactor.isSecret('database.url', 'postgres://db/shop', 'postgres://db2/shop'), false);
  assert.equal(
    new Redactor({ publicPaths: ['database'] }).isSecret('database.url', 'mysql://u:p@h/x'),
    true,
    'a credential value stays hidden even under a public path',
  );
});
