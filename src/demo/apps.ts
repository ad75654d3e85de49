import { startPaymentApp, startShopApp } from './shop-app.js';

/**
 * The demo's HTTP apps on loopback: production and staging shops (staging with a 3x slower search,
 * a changed price, an extra field, a failing checkout and lax input limits) and a payment service
 * with its mock. Returns their URLs as the variables the demo configuration reads.
 */
export async function startDemoApps(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const apps = await Promise.all([
    startShopApp({ name: 'prod', delayMs: 8 }),
    startShopApp({
      name: 'stg',
      delayMs: 8,
      searchSlowdown: 3,
      priceDrift: true,
      extraField: true,
      failingPath: '/api/checkout',
      acceptsOversized: true,
    }),
    startPaymentApp({ name: 'payments' }),
    startPaymentApp({ name: 'payments-mock', mock: true }),
  ]);
  const [production, staging, payments, mock] = apps;
  return {
    env: {
      DEMO_PRODUCTION_HTTP_URL: production.url,
      DEMO_STAGING_HTTP_URL: staging.url,
      DEMO_PAYMENTS_URL: payments.url,
      DEMO_PAYMENTS_MOCK_URL: mock.url,
    },
    stop: async () => {
      await Promise.all(apps.map((app) => app.stop()));
    },
  };
}
