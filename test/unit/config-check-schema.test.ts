import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigObject } from '../../src/runtime/load.js';

function problems(document: Record<string, unknown>): string[] {
  try {
    loadConfigObject(document, { env: { TOKEN: 'abc' } });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  return [];
}

const environments = (production: Record<string, unknown>, staging: Record<string, unknown> = production) => ({
  production: { configs: production },
  staging: { configs: staging },
});

test('config sources: exactly one kind, fields that fit the kind', () => {
  assert.deepEqual(problems({ environments: environments({ app: {} }) }), [
    'environments.production.configs.app: set exactly one of file, url, env, env_file',
    'environments.staging.configs.app: set exactly one of file, url, env, env_file',
  ]);
  assert.deepEqual(problems({ environments: environments({ app: { file: 'a.json', env_file: '.env' } }, { app: { file: 'a.json' } }) }), [
    'environments.production.configs.app: set exactly one of file, url, env, env_file (found file, env_file)',
  ]);
  assert.deepEqual(
    problems({
      environments: environments(
        {
          a: { file: 'a.json', headers: { X: 'y' } },
          b: { url: 'ftp://x' },
          c: { url: 'http://x', format: 'yaml' },
          d: { env: { A: 1 }, timeout: '1s' },
          e: { file: 'x', format: 'xml' },
        },
        { a: { url: 'https://flags/api?token=${TOKEN}', headers: { Authorization: 'Bearer ${TOKEN}' }, timeout: '2s' } },
      ),
    }),
    [
      'environments.production.configs.a.headers: only an url source sends headers',
      'environments.production.configs.b.url: must be an absolute http(s) URL',
      'environments.production.configs.c.format: an url source returns json',
      'environments.production.configs.d.timeout: only an url source has a timeout',
      'environments.production.configs.e.format: must be one of "json", "yaml", "toml", "ini", "env", "properties"',
    ],
  );
});

test('config checks: sources must exist on both sides; approvals need reason and owner; valid dates', () => {
  const base = { environments: environments({ app: { file: 'a.yaml' } }, { app: { file: 'b.yaml' }, other: { env: {} } }) };
  assert.deepEqual(problems({ ...base, checks: [{ name: 'c', kind: 'config', source: 'other' }] }), [
    'checks[0].source: config source "other" is not defined in environment "production" (defined: app)',
  ]);
  assert.deepEqual(problems({ ...base, checks: [{ name: 'c', kind: 'config', source: 'app', source_per_side: { staging: 'nope' } }] }), [
    'checks[0].source_per_side.staging: config source "nope" is not defined in environment "staging" (defined: app, other)',
  ]);
  assert.deepEqual(
    problems({
      ...base,
      checks: [
        {
          name: 'c',
          kind: 'config',
          source: 'app',
          approved: [{ key: 'a', reason: 'r', owner: 'o', expires: '31/12/2026' }, { key: 'b' }],
          equivalences: ['sizes'],
        },
      ],
    }),
    [
      'checks[0].approved[0].expires: invalid date "31/12/2026" (YYYY-MM-DD or an ISO 8601 time such as 2026-12-31T18:00:00Z)',
      'checks[0].approved[1].reason: is required',
      'checks[0].approved[1].owner: is required',
      'checks[0].equivalences[0]: must be one of "numbers", "booleans", "durations"',
    ],
  );
  assert.deepEqual(
    problems({
      ...base,
      checks: [
        { name: 'a', kind: 'config', source: 'app', state_file: '/var/lib/f.json' },
        { name: 'b', kind: 'config', source: 'app', state_file: '/var/lib/f.json' },
      ],
    }),
    [
      'checks[0].state_file: also used by check "b"; give each check its own state file',
      'checks[1].state_file: also used by check "a"; give each check its own state file',
    ],
  );
});

test('config checks: a valid check gets its defaults; expiry dates hold through the day', () => {
  const loaded = loadConfigObject({
    environments: environments({ app: { file: 'a.yaml' } }),
    checks: [{ name: 'c', kind: 'config', source: 'app', approved: [{ key: 'a', reason: 'r', owner: 'o', expires: '2026-12-31' }] }],
  });
  const check = loaded.checks[0] as unknown as Record<string, unknown>;
  assert.deepEqual(check.approved, [{ key: 'a', reason: 'r', owner: 'o', expires: Date.parse('2027-01-01T00:00:00Z') }]);
  assert.equal(check.max_keys, 200_000);
  assert.equal(check.max_differences, 100);
  assert.deepEqual(check.ignore, []);
});
