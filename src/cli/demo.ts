import { loadConfigText, type LoadedConfig } from '../runtime/load.js';
import { DEMO_CONFIG } from '../demo/config.js';
import { writeDemoConfigs } from '../demo/configs.js';
import { startDemoShops } from '../demo/databases.js';
import { startDemoApps } from '../demo/apps.js';

/**
 * Starts the demo's embedded services and returns the demo configuration pointing at them, with
 * the variables it was read with (DEMO_CONFIG read with them is the same configuration).
 */
export async function prepareDemo(): Promise<{ config: LoadedConfig; variables: Record<string, string>; stop(): Promise<void> }> {
  const shops = await startDemoShops();
  const configFiles = await writeDemoConfigs();
  const apps = await startDemoApps();
  const variables = {
    DEMO_PRODUCTION_SHOP_URL: shops.production.url,
    DEMO_STAGING_SHOP_URL: shops.staging.url,
    DEMO_CONFIG_DIR: configFiles.dir,
    ...apps.env,
  };
  const config = loadConfigText(DEMO_CONFIG, { env: { ...process.env, ...variables }, file: 'demo configuration' });
  return {
    config,
    variables,
    stop: async () => {
      try {
        await shops.stop();
        await apps.stop();
      } finally {
        await configFiles.remove();
      }
    },
  };
}
