// End to end: the exporter (in-process) compares two real PostgreSQL databases, a real Prometheus
// scrapes it every second with the shipped rules (durations scaled from minutes to seconds), a
// real Alertmanager routes with deploy/alertmanager.yml, and a local webhook receives the page.
// Drift is injected into staging, the alert arrives; the drift is removed, it resolves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { startServing, type RunningExporter } from '../../src/cli/serve.js';
import { loadConfigObject } from '../../src/runtime/load.js';
import { silentLogger } from '../../src/log.js';
import { defaultMixinConfig } from '../../src/mixin/config.js';
import { renderRuleFiles } from '../../src/mixin/render.js';
import { startAlertmanager, type AlertmanagerServer } from '../helpers/alertmanager.js';
import { LOOPBACK } from '../helpers/binaries.js';
import { createLeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface Notification {
  receiver: string;
  status: string;
  alerts: WebhookAlert[];
}

/** A local Alertmanager webhook receiver that records every notification. */
async function startWebhook(): Promise<{ server: Server; url: string; received: Notification[] }> {
  const received: Notification[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { server, url: `http://${LOOPBACK}:${address.port}/hook`, received };
}

/** deploy/alertmanager.yml with every receiver pointed at the test webhook and the waits shortened. */
function alertmanagerConfig(webhookUrl: string): string {
  const config = parse(readFileSync(new URL('../../deploy/alertmanager.yml', import.meta.url), 'utf8')) as {
    route: Record<string, unknown> & { routes?: Array<Record<string, unknown>> };
    receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
  };
  const shorten = (route: Record<string, unknown>) => Object.assign(route, { group_wait: '1s', group_interval: '1s' });
  shorten(config.route);
  for (const route of config.route.routes ?? []) shorten(route);
  for (const receiver of config.receivers) {
    for (const hook of receiver.webhook_configs ?? []) hook.url = webhookUrl;
  }
  return stringify(config);
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  context: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await context()}`);
}

function find(received: Notification[], alertname: string, status: WebhookAlert['status']): WebhookAlert | undefined {
  return received.flatMap((n) => n.alerts).find((a) => a.labels.alertname === alertname && a.status === status);
}

test('drift in staging pages through Prometheus and Alertmanager, and resolves when removed', { timeout: 180_000 }, async () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  let postgres: PostgresServer | undefined;
  let exporter: RunningExporter | undefined;
  let prometheus: PrometheusServer | undefined;
  let alertmanager: AlertmanagerServer | undefined;
  try {
    postgres = await startPostgres({ database: 'production' });
    cleanup.push(() => postgres!.destroy());
    await postgres.exec('CREATE DATABASE staging', 'postgres');
    for (const database of ['production', 'staging']) {
      await postgres.exec(
        `CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL);
         INSERT INTO products VALUES (1, 'kettle', 25.00), (2, 'teapot', 18.50), (3, 'mug', 6.00);`,
        database,
      );
    }

    // The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
    const reader = await createLeastPrivilegeRole(postgres, { databases: ['production', 'staging'], kinds: ['query'] });
    const config = loadConfigObject({
      environments: {
        production: { databases: { shop: { url: reader.url('production') } } },
        staging: { databases: { shop: { url: reader.url('staging') } } },
      },
      defaults: { every: '1s', timeout: '5s', side_probe_interval: '2s' },
      scores: { thresholds: { data: 0.99 } },
      checks: [{ name: 'product_prices', kind: 'query', database: 'shop', sql: 'SELECT id, name, price FROM products', key: ['id'] }],
    });
    exporter = await startServing(config, `${LOOPBACK}:0`, silentLogger);
    cleanup.push(() => exporter!.close());
    const exporterAddress = new URL(exporter.url).host.replace('localhost', LOOPBACK);

    const webhook = await startWebhook();
    cleanup.push(() => new Promise((resolve) => webhook.server.close(resolve)));
    alertmanager = await startAlertmanager(alertmanagerConfig(webhook.url));
    cleanup.push(() => alertmanager!.stop());

    // The shipped rules, every duration divided by 60: `for: 5m` becomes 5s.
    const rules = renderRuleFiles({ timeScale: 1 / 60 });
    prometheus = await startPrometheus({
      job: defaultMixinConfig.job,
      targets: [exporterAddress],
      alertmanager: alertmanager.address,
      ruleFiles: { 'recording.rules.yml': rules.recording, 'fidelity.rules.yml': rules.alerting },
    });
    cleanup.push(() => prometheus!.stop());
    const diagnostics = async () =>
      `targets: ${JSON.stringify(await prometheus!.targets())}\nalerts: ${JSON.stringify(await prometheus!.alerts())}\n` +
      `webhook: ${JSON.stringify(webhook.received)}\nprometheus log:\n${await prometheus!.log()}\nalertmanager log:\n${await alertmanager!.log()}`;

    // Faithful staging first: the comparison is scraped and says "identical", nothing fires.
    await waitFor(
      'a scraped match',
      30_000,
      async () => {
        const result = await prometheus!.query('fidelity_query_match{check="product_prices"}');
        return result[0]?.value[1] === '1' ? true : undefined;
      },
      diagnostics,
    );
    await sleep(8_000); // longer than the scaled `for` of the data alerts
    assert.deepEqual(
      (await prometheus.alerts()).filter((a) => a.labels.alertname?.startsWith('FidelityData')),
      [],
    );
    assert.equal(find(webhook.received, 'FidelityDataConsistencyDrop', 'firing'), undefined);

    // Prometheus applies scrape targets up to 5 s after it starts, longer than the scaled `for` of
    // FidelityExporterAbsent: that alert may flap once at start-up. Nothing else may page before the drift.
    const beforeDrift = webhook.received.length;
    assert.deepEqual(
      webhook.received.flatMap((n) => n.alerts).filter((a) => a.labels.alertname !== 'FidelityExporterAbsent'),
      [],
    );

    // Drift: one price changes in staging only.
    await postgres.exec('UPDATE products SET price = 27.00 WHERE id = 1', 'staging');
    const fired = await waitFor(
      'FidelityDataConsistencyDrop at the webhook',
      60_000,
      () => find(webhook.received, 'FidelityDataConsistencyDrop', 'firing'),
      diagnostics,
    );
    assert.equal(fired.labels.check, 'product_prices');
    assert.equal(fired.labels.candidate, 'staging');
    assert.equal(fired.labels.baseline, 'production');
    assert.equal(fired.labels.severity, 'warning');
    assert.equal(fired.annotations.summary, 'Data check product_prices differs between production and staging.');
    assert.match(fired.annotations.runbook_url ?? '', /\/FidelityDataConsistencyDrop\.md$/);
    // Routed by deploy/alertmanager.yml: warnings go to the team, not the pager.
    const carrier = webhook.received.find((n) => n.alerts.some((a) => a.labels.alertname === 'FidelityDataConsistencyDrop'));
    assert.equal(carrier?.receiver, 'fidelity-team');
    // The data score (0 with one differing check) is below its 0.99 threshold as well.
    const belowThreshold = await waitFor(
      'FidelityScoreBelowThreshold at the webhook',
      60_000,
      () => find(webhook.received, 'FidelityScoreBelowThreshold', 'firing'),
      diagnostics,
    );
    assert.equal(belowThreshold.labels.dimension, 'data');

    // Drift removed: both resolve.
    await postgres.exec('UPDATE products SET price = 25.00 WHERE id = 1', 'staging');
    const resolved = await waitFor(
      'the resolved notification',
      60_000,
      () => find(webhook.received, 'FidelityDataConsistencyDrop', 'resolved'),
      diagnostics,
    );
    assert.equal(resolved.labels.check, 'product_prices');
    await waitFor(
      'FidelityScoreBelowThreshold resolved',
      60_000,
      () => find(webhook.received, 'FidelityScoreBelowThreshold', 'resolved'),
      diagnostics,
    );
    // No page about the exporter or the checks themselves along the way.
    const unexpected = webhook.received
      .slice(beforeDrift)
      .flatMap((n) => n.alerts)
      .filter((a) => !['FidelityDataConsistencyDrop', 'FidelityScoreBelowThreshold'].includes(a.labels.alertname ?? ''));
    assert.deepEqual(unexpected, [], `unexpected notifications:\n${await diagnostics()}`);
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error: Error) => console.error(`cleanup: ${error.message}`));
  }
});
