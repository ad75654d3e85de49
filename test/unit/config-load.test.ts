import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { kindNames } from '../../src/checks/kinds.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigFile } from '../../src/runtime/load.js';

const fixtures = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const invalid = join(fixtures, 'invalid');

function configError(file: string): ConfigError {
  try {
    loadConfigFile(file, { FIXTURE_PROD_URL: 'postgres://u:p@h/db' });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${file} loaded without error`);
}

function errorLines(file: string): string[] {
  return configError(file).lines;
}

/** The whole message as printed, the file's path written <file>. */
function printed(file: string): string[] {
  return configError(file).message.replaceAll(file, '<file>').replaceAll(invalid, '<fixtures>').split('\n');
}

// One fixture per invalid configuration, each with its exact expected message: file:line:column,
// the key's path, a sentence, a suggestion where one is close.
for (const name of readdirSync(invalid)
  .filter((file) => file.endsWith('.yaml'))
  .sort()) {
  test(`invalid config ${name} is refused with its exact message`, () => {
    const expected = readFileSync(join(invalid, name.replace(/\.yaml$/, '.expected')), 'utf8')
      .trimEnd()
      .replaceAll('<kinds>', kindNames.join(', '))
      .split('\n');
    assert.deepEqual(printed(join(invalid, name)), expected);
  });
}

test('the corpus holds at least 30 broken configurations', () => {
  assert.ok(readdirSync(invalid).filter((file) => file.endsWith('.yaml')).length >= 30);
});

test('three faults of different kinds are reported in one run', () => {
  const error = configError(join(invalid, 'three-faults.yaml'));
  assert.deepEqual(
    error.problems.map((problem) => [problem.line, problem.path]),
    [
      [6, 'environments.production.databases.ledger.url'],
      [16, 'checks[0].tolerence'],
      [19, 'checks[1].database'],
    ],
  );
});

test('error messages never contain the secret values of the file', () => {
  for (const name of readdirSync(invalid).filter((file) => file.endsWith('.yaml'))) {
    const text = errorLines(join(invalid, name)).join('\n');
    assert.doesNotMatch(text, /reader:pw|secret-password/, name);
  }
});

test('a complete valid configuration loads with defaults and references resolved', () => {
  const config = loadConfigFile(join(fixtures, 'valid', 'full.yaml'), {
    FIXTURE_PROD_URL: 'postgres://reader:prod-pw@db.prod:5432/shop',
    FIXTURE_LEDGER_PASSWORD: 'ledger-pw',
  });
  const [orders, ledger] = config.checks;
  assert.equal(orders?.schedule, '*/5 * * * *');
  assert.equal(orders?.every, undefined);
  assert.equal(orders?.timeout, 45_000);
  assert.equal(orders?.baseline, 'production');
  assert.equal(orders?.candidate, 'staging');
  assert.equal(ledger?.every, 120_000);
  assert.equal(ledger?.schedule, undefined);
  assert.equal(ledger?.timeout, 10_000);
  const staging = config.root.environments.staging?.databases.shop;
  assert.equal(staging?.url.reveal(), 'postgres://reader:from-file@db.staging:5432/shop');
  assert.equal(staging?.pool_size, 2);
  assert.equal(config.root.environments.production?.databases.ledger?.url.reveal(), 'mysql://reader:ledger-pw@ledger.prod:3306/ledger');
  assert.equal(config.root.environments.production?.max_concurrency, 3);
  assert.equal(config.root.defaults.max_rows, 5000);
  assert.doesNotMatch(JSON.stringify(config), /prod-pw|ledger-pw|from-file/);
});
