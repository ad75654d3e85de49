// The demo's `config` cases: the files the demo writes and the checks of the demo configuration,
// run through the real exporter (the demo's databases are not needed for these checks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadConfigText } from '../../src/runtime/load.js';
import { DEMO_CONFIG } from '../../src/demo/config.js';
import { writeDemoConfigs } from '../../src/demo/configs.js';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';

test('demo: app_config shows every kind of drift, runtime_env is faithful', async () => {
  const files = await writeDemoConfigs();
  // The demo's other services are not started: their variables point at a closed port.
  const env: Record<string, string> = { DEMO_CONFIG_DIR: files.dir };
  for (const [, name] of DEMO_CONFIG.matchAll(/\$\{(DEMO_[A-Z0-9_]+)\}/g)) {
    env[name as string] ??= /SHOP|DATABASE|_DB_/.test(name as string) ? 'postgres://demo:demo@127.0.0.1:9/shop' : 'http://127.0.0.1:9';
  }
  const loaded = loadConfigText(DEMO_CONFIG, { env });
  // start_spread 0s: both checks sample at start, so idle() waits for them.
  const root = { ...loaded.root, defaults: { ...loaded.root.defaults, start_spread: 0 } };
  const config = { ...loaded, root, checks: loaded.checks.filter((check) => check.kind === 'config') };
  assert.deepEqual(
    config.checks.map((check) => check.name),
    ['app_config', 'runtime_env'],
  );
  const exporter = new Exporter(config, silentLogger);
  try {
    exporter.start();
    await exporter.idle();
    const app = exporter.store.get('app_config');
    assert.equal(app?.lastRun?.success, true, app?.lastRun?.error);
    const differences = (app?.result?.details.differences ?? []) as Array<Record<string, unknown>>;
    assert.deepEqual(
      differences.map((d) => [d.path, d.change, d.status]),
      [
        ['cache.ttl', 'changed', 'expired'],
        ['database.password', 'changed', 'unapproved'],
        ['database.pool_size', 'changed', 'unapproved'],
        ['features.dark_mode', 'added', 'unapproved'],
        ['features.legacy_api', 'removed', 'unapproved'],
        ['features.recommendations', 'type_changed', 'unapproved'],
        ['features.new_checkout', 'changed', 'approved'],
      ],
    );
    assert.equal(differences[1]?.differs, true);
    assert.equal('baseline' in (differences[1] ?? {}), false, 'the password is not shown');
    assert.equal(app?.result?.summary, '6 differences not approved (1 with an expired approval) in 15 keys; 1 approved');
    const runtime = exporter.store.get('runtime_env');
    assert.equal(runtime?.result?.passed, true, runtime?.result?.summary ?? runtime?.lastRun?.error);
    assert.equal(runtime?.result?.details.keysEquivalent, 1);
  } finally {
    await exporter.stop();
    await files.remove();
  }
  assert.equal(existsSync(files.dir), false, 'the demo removes its files');
});
