// `config` checks end to end through the real exporter: files of every format and a real local
// HTTP server as sources, the scheduler, the results store and the /metrics collector.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfigObject } from '../../src/runtime/load.js';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';
import type { CheckState } from '../../src/results/store.js';

let dir: string;
let server: Server;
let baseUrl: string;
const TOKEN = 'test-token-123';

/** Per format: production text, staging text with drift, and the differences expected. */
const FORMATS = {
  json: {
    ext: 'json',
    production: '{"server":{"port":8080,"host":"db.internal"},"features":{"checkout":true},"legacy":{"mode":"on"},"pool":{"max":"100"}}',
    staging: '{"pool":{"max":100},"features":{"beta":true,"checkout":true},"server":{"host":"db.internal","port":8081}}',
    expected: [
      ['features.beta', 'added'],
      ['legacy.mode', 'removed'],
      ['pool.max', 'type_changed'],
      ['server.port', 'changed'],
    ],
  },
  yaml: {
    ext: 'yaml',
    production: 'server:\n  port: 8080\n  host: db.internal\nfeatures:\n  checkout: true\nlegacy:\n  mode: "on"\npool:\n  max: "100"\n',
    staging: 'server: { port: 8081, host: db.internal }\nfeatures: { checkout: true, beta: true }\npool: { max: 100 }\n',
    expected: [
      ['features.beta', 'added'],
      ['legacy.mode', 'removed'],
      ['pool.max', 'type_changed'],
      ['server.port', 'changed'],
    ],
  },
  toml: {
    ext: 'toml',
    production: '[server]\nport = 8080\nhost = "db.internal"\n[features]\ncheckout = true\n[legacy]\nmode = "on"\n[pool]\nmax = "100"\n',
    staging: '[server]\nport = 8081\nhost = "db.internal"\n[features]\ncheckout = true\nbeta = true\n[pool]\nmax = 100\n',
    expected: [
      ['features.beta', 'added'],
      ['legacy.mode', 'removed'],
      ['pool.max', 'type_changed'],
      ['server.port', 'changed'],
    ],
  },
  ini: {
    ext: 'ini',
    production: '[server]\nport=8080\nhost=db.internal\n[features]\ncheckout=true\n[legacy]\nmode=on\n[pool]\nenabled=true\n',
    staging: '[server]\nport=8081\nhost=db.internal\n[features]\ncheckout=true\nbeta=true\n[pool]\nenabled=yes\n',
    expected: [
      ['features.beta', 'added'],
      ['legacy.mode', 'removed'],
      ['pool.enabled', 'type_changed'],
      ['server.port', 'changed'],
    ],
  },
  env: {
    ext: 'env',
    production: 'SERVER_PORT=8080\nSERVER_HOST=db.internal\nFEATURES_CHECKOUT=true\n# legacy\nLEGACY_MODE=on\n',
    staging: 'export SERVER_PORT=8081\nSERVER_HOST="db.internal"\nFEATURES_CHECKOUT=true\nFEATURES_BETA=true\n',
    expected: [
      ['FEATURES_BETA', 'added'],
      ['LEGACY_MODE', 'removed'],
      ['SERVER_PORT', 'changed'],
    ],
  },
  properties: {
    ext: 'properties',
    production: 'server.port=8080\nserver.host=db.internal\nfeatures.checkout=true\nlegacy.mode=on\n',
    staging: '# staging\nserver.port = 8081\nserver.host : db.internal\nfeatures.checkout true\nfeatures.beta=true\n',
    expected: [
      ['features.beta', 'added'],
      ['legacy.mode', 'removed'],
      ['server.port', 'changed'],
    ],
  },
} as const;

const HTTP_DOCUMENTS: Record<string, unknown> = {
  '/production/flags': {
    flags: [
      { name: 'checkout', enabled: true },
      { name: 'search', enabled: false, rollout: 10 },
    ],
    version: 3,
  },
  '/staging/same': {
    version: 3,
    flags: [
      { name: 'search', enabled: false, rollout: 10 },
      { name: 'checkout', enabled: true },
    ],
  },
  '/staging/flags': {
    version: 3,
    flags: [
      { name: 'search', enabled: true, rollout: 10 },
      { name: 'checkout', enabled: true },
      { name: 'beta', enabled: true },
    ],
  },
};

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidelity-config-'));
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end('{"error":"unauthorized"}');
      return;
    }
    if (req.url === '/broken') {
      res.writeHead(500).end('oops');
      return;
    }
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ blob: 'x'.repeat(5000) }));
      return;
    }
    if (req.url === '/slow') {
      setTimeout(() => res.writeHead(200).end('{}'), 2000).unref();
      return;
    }
    if (req.url === '/not-json') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
      return;
    }
    const document = HTTP_DOCUMENTS[req.url ?? ''];
    if (!document) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs every check of the configuration once and returns the store states by check name. */
async function runOnce(document: Record<string, unknown>): Promise<{ states: Map<string, CheckState>; metrics: string }> {
  // start_spread 0s: every check samples at start, so idle() waits for all of them.
  const defaults = { every: '1h', timeout: '5s', ...(document.defaults as Record<string, unknown> | undefined), start_spread: '0s' };
  const config = loadConfigObject({ ...document, defaults });
  const exporter = new Exporter(config, silentLogger);
  exporter.start();
  try {
    await exporter.idle();
    const states = new Map(exporter.store.all().map((state) => [state.check.name, state]));
    return { states, metrics: await exporter.collector.render() };
  } finally {
    await exporter.stop();
  }
}

type DifferenceView = { path: string; change: string; status: string; baseline?: unknown; candidate?: unknown; firstSeen?: string };

function differencesOf(state: CheckState | undefined): DifferenceView[] {
  assert.ok(state?.lastRun, 'the check ran');
  assert.equal(state.lastRun.success, true, `sample failed: ${state.lastRun.reason}: ${state.lastRun.error}`);
  return (state.result?.details.differences ?? []) as DifferenceView[];
}

const pairs = (differences: DifferenceView[]) => differences.map((d) => [d.path, d.change]);

test('every file format: identical sources give zero drift; each change is reported with its path', async () => {
  const production: Record<string, unknown> = {};
  const staging: Record<string, unknown> = {};
  const checks: Record<string, unknown>[] = [];
  for (const [format, spec] of Object.entries(FORMATS)) {
    const prod = file(`production-${format}.${spec.ext}`, spec.production);
    production[`same_${format}`] = { file: prod };
    production[`drift_${format}`] = { file: prod };
    staging[`same_${format}`] = { file: file(`staging-same-${format}.${spec.ext}`, spec.production) };
    staging[`drift_${format}`] = { file: file(`staging-drift-${format}.${spec.ext}`, spec.staging) };
    checks.push(
      { name: `same_${format}`, kind: 'config', source: `same_${format}` },
      { name: `drift_${format}`, kind: 'config', source: `drift_${format}` },
    );
  }
  const { states, metrics } = await runOnce({
    environments: { production: { configs: production }, staging: { configs: staging } },
    checks,
  });
  for (const [format, spec] of Object.entries(FORMATS)) {
    const same = states.get(`same_${format}`);
    assert.deepEqual(differencesOf(same), [], `${format}: identical sources`);
    assert.equal(same?.result?.passed, true);
    assert.ok((same?.result?.details.keysCompared as number) >= 4, `${format}: keys compared`);
    assert.match(metrics, new RegExp(`fidelity_config_drift_index\\{check="same_${format}"\\} 0\\n`));

    const drift = states.get(`drift_${format}`);
    assert.deepEqual(pairs(differencesOf(drift)), spec.expected, `${format}: differences`);
    assert.equal(drift?.result?.passed, false);
    assert.equal(drift?.result?.details.driftIndex, spec.expected.length);
    assert.match(metrics, new RegExp(`fidelity_config_drift_index\\{check="drift_${format}"\\} ${spec.expected.length}\\n`));
    assert.match(metrics, new RegExp(`fidelity_config_differences\\{check="drift_${format}",change="added",status="unapproved"\\} 1\\n`));
  }
  const json = differencesOf(states.get('drift_json'));
  assert.deepEqual(
    json.find((d) => d.path === 'pool.max'),
    {
      path: 'pool.max',
      change: 'type_changed',
      status: 'unapproved',
      firstSeen: json.find((d) => d.path === 'pool.max')?.firstSeen,
      baseline: '100',
      baselineType: 'string',
      candidate: 100,
      candidateType: 'number',
    },
  );
  // Score of the config dimension: share of compared keys without drift, averaged over the checks.
  assert.match(metrics, /fidelity_score\{dimension="config",candidate="staging"\} 0\.\d+\n/);
});

test('HTTP JSON source with a token header: identical, keyed-array reorder, drift', async () => {
  const http = (path: string) => ({ url: `${baseUrl}${path}`, headers: { Authorization: `Bearer ${TOKEN}` } });
  const { states } = await runOnce({
    environments: {
      production: { configs: { flags: http('/production/flags') } },
      staging: { configs: { flags: http('/staging/flags'), same: http('/staging/same') } },
    },
    checks: [
      { name: 'flags_same', kind: 'config', source: 'flags', source_per_side: { staging: 'same' }, keyed_arrays: { flags: 'name' } },
      { name: 'flags_by_position', kind: 'config', source: 'flags', source_per_side: { staging: 'same' } },
      { name: 'flags_drift', kind: 'config', source: 'flags', keyed_arrays: { flags: 'name' } },
    ],
  });
  assert.deepEqual(differencesOf(states.get('flags_same')), [], 'a reordered keyed array is not drift');
  assert.ok(differencesOf(states.get('flags_by_position')).length > 0, 'without keyed_arrays the reorder is visible');
  assert.deepEqual(pairs(differencesOf(states.get('flags_drift'))), [
    ['flags[name=beta].enabled', 'added'],
    ['flags[name=beta].name', 'added'],
    ['flags[name=search].enabled', 'changed'],
  ]);
  assert.deepEqual(states.get('flags_drift')?.result?.details.sides, {
    production: { source: 'flags', format: 'json', bytes: JSON.stringify(HTTP_DOCUMENTS['/production/flags']).length, keys: 6 },
    staging: { source: 'flags', format: 'json', bytes: JSON.stringify(HTTP_DOCUMENTS['/staging/flags']).length, keys: 8 },
  });
});

test('environment variables inline and from an .env file; equivalences', async () => {
  const envFile = file('staging.vars', 'LOG_LEVEL=debug\nWORKERS=4\nREQUEST_TIMEOUT=60s\nCACHE=on\n');
  const { states } = await runOnce({
    environments: {
      production: { configs: { runtime: { env: { LOG_LEVEL: 'info', WORKERS: 4, REQUEST_TIMEOUT: '1m', CACHE: true } } } },
      staging: { configs: { runtime: { env_file: envFile } } },
    },
    checks: [
      { name: 'runtime_strict', kind: 'config', source: 'runtime' },
      { name: 'runtime_equivalent', kind: 'config', source: 'runtime', equivalences: ['durations', 'booleans'] },
    ],
  });
  assert.deepEqual(pairs(differencesOf(states.get('runtime_strict'))), [
    ['CACHE', 'changed'],
    ['LOG_LEVEL', 'changed'],
    ['REQUEST_TIMEOUT', 'changed'],
  ]);
  assert.deepEqual(pairs(differencesOf(states.get('runtime_equivalent'))), [['LOG_LEVEL', 'changed']]);
  assert.equal(states.get('runtime_equivalent')?.result?.details.keysEquivalent, 2);
});

test('ignored paths and approved differences are not counted; expired approvals are; max_approved', async () => {
  const prod = file('rules-production.yaml', 'db:\n  host: prod-db\n  pool: 20\nfeatures:\n  checkout: v1\n  search: v1\nretries: 3\n');
  const stag = file('rules-staging.yaml', 'db:\n  host: staging-db\n  pool: 5\nfeatures:\n  checkout: v2\n  search: v2\nretries: 4\n');
  const approved = [
    { key: 'features.checkout', reason: 'canary of the new checkout', owner: 'team-checkout', expires: '2999-12-31' },
    { key: 'db.pool', reason: 'smaller staging database', owner: 'platform' },
    { key: 'retries', reason: 'was a test', owner: 'qa', expires: '2020-01-01' },
  ];
  const { states, metrics } = await runOnce({
    environments: { production: { configs: { app: { file: prod } } }, staging: { configs: { app: { file: stag } } } },
    checks: [
      { name: 'rules', kind: 'config', source: 'app', ignore: ['db.host'], approved },
      { name: 'rules_limited', kind: 'config', source: 'app', ignore: ['db.host'], approved, max_approved: 1 },
    ],
  });
  const differences = differencesOf(states.get('rules'));
  assert.deepEqual(
    differences.map((d) => [d.path, d.status]),
    [
      ['features.search', 'unapproved'],
      ['retries', 'expired'],
      ['db.pool', 'approved'],
      ['features.checkout', 'approved'],
    ],
  );
  const details = states.get('rules')?.result?.details;
  assert.equal(details?.driftIndex, 2, 'unapproved + expired');
  assert.equal(details?.keysCompared, 4, 'db.host is ignored');
  assert.equal(details?.keysIgnored, 1, 'db.host, counted once');
  assert.equal(states.get('rules')?.result?.summary, '2 differences not approved (1 with an expired approval) in 4 keys; 2 approved');
  assert.match(metrics, /fidelity_config_differences\{check="rules",change="changed",status="approved"\} 2\n/);
  assert.match(metrics, /fidelity_config_differences\{check="rules",change="changed",status="expired"\} 1\n/);
  assert.match(metrics, /fidelity_config_differences\{check="rules",change="changed",status="unapproved"\} 1\n/);
  assert.match(metrics, /fidelity_config_keys_compared\{check="rules"\} 4\n/);
  assert.match(metrics, /fidelity_config_approved_max\{check="rules_limited"\} 1\n/);
  assert.equal(states.get('rules_limited')?.result?.passed, false);
  assert.match(states.get('rules_limited')?.result?.summary ?? '', /2 approved, more than max_approved 1/);
  assert.deepEqual(states.get('rules')?.result?.scores, [{ dimension: 'config', candidate: 'staging', value: 2 / 4 }]);
});

test('a source that cannot be read or parsed fails its sample with a clear reason; the other checks go on', async () => {
  const good = file('good.json', '{"a":1}');
  const http = (path: string, extra: Record<string, unknown> = {}) => ({
    url: `${baseUrl}${path}`,
    headers: { Authorization: `Bearer ${TOKEN}` },
    ...extra,
  });
  const { states, metrics } = await runOnce({
    environments: {
      production: {
        configs: { good: { file: good }, missing: { file: good }, broken: { file: good }, unknown: { file: good }, web: { file: good } },
      },
      staging: {
        configs: {
          good: { file: good },
          missing: { file: join(dir, 'does-not-exist.json') },
          broken: { file: file('broken.yaml', 'a: [1, 2\nb: }\n') },
          unknown: { file: file('settings.data', 'a=1') },
          web: http('/broken'),
          denied: { url: `${baseUrl}/production/flags` },
          huge: http('/huge', { max_bytes: 1000 }),
          slow: http('/slow', { timeout: '200ms' }),
          html: http('/not-json'),
        },
      },
    },
    checks: [
      { name: 'good', kind: 'config', source: 'good' },
      { name: 'missing', kind: 'config', source: 'missing' },
      { name: 'broken', kind: 'config', source: 'broken' },
      { name: 'unknown', kind: 'config', source: 'unknown' },
      { name: 'web', kind: 'config', source: 'web' },
      { name: 'denied', kind: 'config', source: 'good', source_per_side: { staging: 'denied' } },
      { name: 'huge', kind: 'config', source: 'good', source_per_side: { staging: 'huge' } },
      { name: 'slow', kind: 'config', source: 'good', source_per_side: { staging: 'slow' } },
      { name: 'html', kind: 'config', source: 'good', source_per_side: { staging: 'html' } },
    ],
  });
  assert.equal(states.get('good')?.lastRun?.success, true);
  assert.equal(states.get('good')?.result?.passed, true);
  const failure = (name: string) => {
    const run = states.get(name)?.lastRun;
    assert.equal(run?.success, false, `${name} should fail`);
    assert.equal(states.get(name)?.result, undefined, `${name}: no comparison result is served`);
    return `${run?.reason}: ${run?.error}`;
  };
  assert.equal(failure('missing'), `connect: staging source "missing": cannot read ${join(dir, 'does-not-exist.json')} (ENOENT)`);
  assert.match(failure('broken'), /^parse: staging source "broken": YAML error \w+ at line \d+, column \d+$/);
  assert.equal(
    failure('unknown'),
    `config: staging source "unknown": cannot tell the format of ${join(dir, 'settings.data')} from its name; set format`,
  );
  assert.equal(failure('web'), 'http_status: staging source "web": HTTP status 500');
  assert.equal(failure('denied'), 'auth: staging source "denied": HTTP status 401');
  assert.equal(failure('huge'), 'limit: staging source "huge": response is more than max_bytes 1000');
  assert.equal(failure('slow'), 'timeout: staging source "slow": no answer within 200 ms');
  assert.equal(failure('html'), 'parse: staging source "html": invalid JSON (the document looks like HTML or XML)');
  assert.match(metrics, /fidelity_check_success\{check="good",kind="config"\} 1\n/);
  assert.match(metrics, /fidelity_check_success\{check="broken",kind="config"\} 0\n/);
  assert.match(metrics, /fidelity_check_errors_total\{check="broken",kind="config",reason="parse"\} 1\n/);
  assert.doesNotMatch(metrics, /fidelity_config_drift_index\{check="broken"\}/, 'no stale comparison series');
});

test('first-seen times survive a restart through the state file, which holds no values', async () => {
  const prod = file('state-production.json', '{"password":"p1-secret-value","mode":"a"}');
  const stag = file('state-staging.json', '{"password":"p2-secret-value","mode":"b"}');
  const stateFile = join(dir, 'state', 'drift.json');
  const document = {
    environments: { production: { configs: { app: { file: prod } } }, staging: { configs: { app: { file: stag } } } },
    checks: [{ name: 'stateful', kind: 'config', source: 'app', state_file: stateFile }],
  };
  const first = differencesOf((await runOnce(document)).states.get('stateful'));
  const saved = readFileSync(stateFile, 'utf8');
  assert.deepEqual(Object.keys((JSON.parse(saved) as { firstSeen: object }).firstSeen).sort(), ['changed mode', 'changed password']);
  assert.equal(saved.includes('secret-value'), false);
  assert.equal(saved.includes('"a"') || saved.includes('"b"'), false);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const { states, metrics } = await runOnce(document);
  const second = differencesOf(states.get('stateful'));
  assert.deepEqual(
    second.map((d) => d.firstSeen),
    first.map((d) => d.firstSeen),
    'first-seen times come back after the restart',
  );
  const oldest = Number(/fidelity_config_drift_oldest_seconds\{check="stateful"\} ([\d.]+)/.exec(metrics)?.[1]);
  assert.ok(oldest >= 1, `drift age counts from the first sample before the restart (${oldest})`);
});

test('a truncated state file is set aside and the check starts afresh', async () => {
  const prod = file('aside-production.json', '{"mode":"a"}');
  const stag = file('aside-staging.json', '{"mode":"b"}');
  const stateDir = join(dir, 'aside-state');
  const stateFile = join(stateDir, 'drift.json');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(stateFile, '{"version": 1, "check": "aside", "firstSeen": {"changed mo');
  const document = {
    environments: { production: { configs: { app: { file: prod } } }, staging: { configs: { app: { file: stag } } } },
    checks: [{ name: 'aside', kind: 'config', source: 'app', state_file: stateFile }],
  };
  const { states } = await runOnce(document);
  assert.equal(states.get('aside')?.lastRun?.success, true, states.get('aside')?.lastRun?.error);
  const kept = readdirSync(stateDir).filter((name) => name.startsWith('drift.json.corrupt-'));
  assert.equal(kept.length, 1, `the damaged file is kept aside: ${readdirSync(stateDir).join(', ')}`);
  assert.match(readFileSync(join(stateDir, kept[0] as string), 'utf8'), /"changed mo$/);
  const rewritten = JSON.parse(readFileSync(stateFile, 'utf8')) as { firstSeen: object };
  assert.deepEqual(Object.keys(rewritten.firstSeen), ['changed mode']);
});

test('a large YAML document (parsed in a worker thread) gives the same results and errors', async () => {
  const lines = (n: number, changed: boolean) =>
    Array.from({ length: n }, (_, i) => `  key_${i}: ${changed && i === 777 ? 'changed' : `value ${i}`}`).join('\n');
  const big = (changed: boolean) => `settings:\n${lines(20_000, changed)}\n`;
  assert.ok(big(false).length > 256 * 1024, 'bigger than the worker threshold');
  const { states } = await runOnce({
    environments: {
      production: {
        configs: { yaml: { file: file('big-production.yaml', big(false)) }, broken: { file: file('big-ok.yaml', big(false)) } },
      },
      staging: {
        configs: {
          yaml: { file: file('big-staging.yaml', big(true)) },
          broken: { file: file('big-broken.yaml', `${big(false)}oops: [unclosed\n`) },
        },
      },
    },
    // Generous: under tsx each worker compiles its TypeScript first, and the machine may be busy.
    defaults: { every: '1h', timeout: '60s' },
    checks: [
      { name: 'big_yaml', kind: 'config', source: 'yaml' },
      { name: 'big_broken', kind: 'config', source: 'broken' },
    ],
  });
  assert.deepEqual(pairs(differencesOf(states.get('big_yaml'))), [['settings.key_777', 'changed']]);
  assert.equal(states.get('big_yaml')?.result?.details.keysCompared, 20_000);
  const broken = states.get('big_broken')?.lastRun;
  assert.equal(broken?.reason, 'parse');
  assert.match(broken?.error ?? '', /^staging source "broken": YAML error \w+ at line 20003, column \d+$/);
});
