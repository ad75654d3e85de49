import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlags, UsageError } from '../../src/cli/args.js';
import { runFlagDefinitions } from '../../src/cli/run.js';
import { closest, editDistance } from '../../src/config/suggest.js';

function refusal(argv: string[]): string {
  try {
    parseFlags(argv, runFlagDefinitions);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

test('a misspelt flag is named with the closest flag and a pointer to --help, in one line', () => {
  const cases: Array<[string[], string]> = [
    [['--web.listen-adress=:9000'], 'unknown flag --web.listen-adress (did you mean --web.listen-address?); see fidelity-exporter --help'],
    [['check-config', '--config.fil=x.yml'], 'unknown flag --config.fil (did you mean --config.file?); see fidelity-exporter --help'],
    [['run', '--output-json=out.json'], 'unknown flag --output-json (did you mean --output.json?); see fidelity-exporter --help'],
    [['--log-level', 'debug'], 'unknown flag --log-level (did you mean --log.level?); see fidelity-exporter --help'],
    [['--colour'], 'unknown flag --colour; see fidelity-exporter --help'],
    [['-x'], 'unknown flag -x; see fidelity-exporter --help'],
    [['--config.file'], 'flag --config.file needs a value (--config.file=VALUE); see fidelity-exporter --help'],
    [['--help=yes'], 'flag --help takes no value; see fidelity-exporter --help'],
  ];
  for (const [argv, expected] of cases) assert.equal(refusal(argv), expected, argv.join(' '));
});

test('flags after -- are positionals, not flags', () => {
  const { flags } = parseFlags(['run', '--', '--not-a-flag'], runFlagDefinitions);
  assert.deepEqual(flags.positionals, ['--not-a-flag']);
});

test('edit distance counts a swap of neighbours as one edit; far names get no suggestion', () => {
  assert.equal(editDistance('stagign', 'staging'), 1);
  assert.equal(editDistance('querry', 'query'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(closest('tabel', ['table', 'query']), 'table');
  assert.equal(closest('xml', ['json', 'yaml', 'toml']), undefined);
  assert.equal(closest('spreadsheet', ['schema', 'query', 'table']), undefined);
});

test('incoming connection limits: defaults, values, and refused values naming the flag', () => {
  const { flags } = parseFlags([], runFlagDefinitions);
  assert.equal(flags.maxConnections, 1024);
  assert.equal(flags.keepAliveTimeoutMs, 5000);
  const set = parseFlags(['--web.max-connections=40', '--web.keep-alive-timeout=30s'], runFlagDefinitions).flags;
  assert.equal(set.maxConnections, 40);
  assert.equal(set.keepAliveTimeoutMs, 30_000);
  assert.equal(refusal(['--web.max-connections=0']), '--web.max-connections: expected a whole number from 1 to 100000, got "0"');
  assert.equal(refusal(['--web.max-connections=lots']), '--web.max-connections: expected a whole number from 1 to 100000, got "lots"');
  assert.equal(
    refusal(['--web.keep-alive-timeout=5']),
    '--web.keep-alive-timeout: expected a duration of at least 100ms such as 10s, got "5"',
  );
});
