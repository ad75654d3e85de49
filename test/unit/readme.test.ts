import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigText } from '../../src/runtime/load.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the configuration shown in the README is valid', () => {
  const yaml = /## A configuration in one look\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(yaml, 'README has the configuration example');
  const dir = mkdtempSync(join(tmpdir(), 'fidelity-readme-'));
  writeFileSync(join(dir, 'staging-shop-url'), 'postgres://reader:pw@staging:5432/shop\n');
  const config = loadConfigText(yaml.replace('/run/secrets/staging-shop-url', join(dir, 'staging-shop-url')), {
    env: { PROD_SHOP_URL: 'postgres://reader:pw@prod:5432/shop', PROD_TOKEN: 'token' },
  });
  assert.deepEqual(
    config.checks.map((check) => check.kind),
    ['query', 'table', 'config'],
  );
});

test('the README opens with the demo command and the test command that .ci/run runs', () => {
  const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
  const testCommand = /^(npm run test:all)\b/m.exec(readme)?.[1];
  assert.ok(testCommand, 'README shows npm run test:all');
  assert.match(ci, /^npm run test:all$/m);
  assert.match(readme, /^npm install && npm run demo\b/m);
});
