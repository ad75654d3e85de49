import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Configuration files of the demo's production and staging shop, written to a temporary directory
 * at start: staging drifts from production in every way a `config` check reports (a changed pool
 * size, a differing password shown only as "differs", a type change, an added and a removed key,
 * an approved canary flag, an approval that has expired) while ignored hosts and a reordered list
 * of payment providers are not drift.
 */

const PRODUCTION_APP = `service:
  name: shop
  replicas: 6
database:
  host: db.prod.internal
  pool_size: 20
  password: demo-production-password
features:
  new_checkout: false
  recommendations: true
  legacy_api: true
cache:
  ttl: 300s
payment:
  currency: EUR
  providers:
    - { name: card, enabled: true, timeout: 5s }
    - { name: paypal, enabled: true, timeout: 8s }
`;

const STAGING_APP = `service:
  name: shop
  replicas: 1
database:
  host: db.staging.internal
  pool_size: 5
  password: demo-staging-password
features:
  new_checkout: true
  recommendations: "true"
  dark_mode: true
cache:
  ttl: 30s
payment:
  currency: EUR
  providers:
    - { name: paypal, enabled: true, timeout: 8s }
    - { name: card, enabled: true, timeout: 5s }
`;

const STAGING_RUNTIME = `# the same settings as production's, spelt differently
LOG_LEVEL=info
WORKERS=4
REQUEST_TIMEOUT=0.5m
`;

export interface DemoConfigFiles {
  dir: string;
  remove(): Promise<void>;
}

export async function writeDemoConfigs(): Promise<DemoConfigFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'fidelity-demo-configs-'));
  await mkdir(join(dir, 'production'));
  await mkdir(join(dir, 'staging'));
  await writeFile(join(dir, 'production', 'app.yaml'), PRODUCTION_APP);
  await writeFile(join(dir, 'staging', 'app.yaml'), STAGING_APP);
  await writeFile(join(dir, 'staging', 'runtime.env'), STAGING_RUNTIME);
  // Also removed when the process exits without stopping the demo (a test that ends early, say).
  const onExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', onExit);
  return {
    dir,
    remove: async () => {
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
