import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runExporter } from '../helpers/exporter.js';

const fixtures = join(REPO_ROOT, 'test', 'fixtures', 'config', 'invalid');

test('a misspelt flag exits 3 with one line: the flag, the suggestion, the --help pointer', async () => {
  const result = await runExporter(['--web.listen-adress=127.0.0.1:0']);
  assert.equal(result.code, 3, result.stderr);
  assert.equal(
    result.stderr,
    'fidelity-exporter: unknown flag --web.listen-adress (did you mean --web.listen-address?); see fidelity-exporter --help\n',
  );
});

test('check-config reports the three faults of one file in one run, each with file:line:column', async () => {
  const file = join(fixtures, 'three-faults.yaml');
  const result = await runExporter(['check-config', `--config.file=${file}`]);
  assert.equal(result.code, 3, result.stderr);
  assert.deepEqual(result.stderr.trimEnd().split('\n'), [
    `invalid configuration ${file}:`,
    `  ${file}:6:17: environments.production.databases.ledger.url: environment variable FIDELITY_TEST_UNSET_LEDGER_URL is not set`,
    `  ${file}:16:5: checks[0].tolerence: unknown key (did you mean "tolerance"?)`,
    `  ${file}:19:5: checks[1].database: database "payments" is not defined in environments "production" and "staging"`,
  ]);
});

test('check-config refuses a database URL whose port is not a port, without echoing the URL', async () => {
  const file = join(fixtures, 'url-bad-port.yaml');
  const result = await runExporter(['check-config', `--config.file=${file}`]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(
    result.stderr,
    /url-bad-port\.yaml:3:26: environments\.production\.databases\.shop\.url: has a port that is not a number from 1 to 65535/,
  );
  assert.doesNotMatch(result.stderr, /secret-password|notaport/);
});
