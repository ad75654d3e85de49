// The events API over HTTP (supertest against the real app): valid events move the gauges;
// malformed, oversized, unauthenticated and unknown-environment requests get a 4xx and change nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { loadConfigObject } from '../../src/runtime/load.js';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';
import { createApp } from '../../src/server/app.js';

const TOKEN = 'events-token-0123456789';

function exporterWith(events: Record<string, unknown> = { token: TOKEN }) {
  const config = loadConfigObject(
    {
      environments: {
        production: { databases: { shop: { url: 'postgres://reader:pw@127.0.0.1:1/shop' } } },
        staging: { databases: { shop: { url: 'postgres://reader:pw@127.0.0.1:1/shop' } } },
      },
      events,
      checks: [{ name: 'orders', kind: 'query', database: 'shop', sql: 'SELECT 1' }],
    },
    { env: {} },
  );
  const exporter = new Exporter(config, silentLogger);
  return { exporter, app: createApp(exporter, silentLogger) };
}

/** The event-derived series of a scrape, sorted: what must (not) change. */
async function eventSeries(app: ReturnType<typeof createApp>): Promise<string[]> {
  const metrics = await request(app).get('/metrics').expect(200);
  return metrics.text
    .split('\n')
    .filter((line) =>
      /^fidelity_(provisioning|provisionings|deployments|staging_verdicts|production_incidents|escape_ratio|events_received)/.test(line),
    )
    .sort();
}

function metric(lines: string[], prefix: string): number | undefined {
  const line = lines.find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const post = (app: ReturnType<typeof createApp>, body: unknown, token: string | null = TOKEN) => {
  const req = request(app).post('/api/v1/events').set('Content-Type', 'application/json');
  if (token !== null) req.set('Authorization', `Bearer ${token}`);
  return req.send(typeof body === 'string' ? body : JSON.stringify(body));
};

test('valid events move the provisioning gauge, the counters and the escape ratio', async () => {
  const { app } = exporterWith();
  const before = await eventSeries(app);
  assert.equal(metric(before, 'fidelity_provisioning_duration_seconds'), undefined);
  assert.equal(metric(before, 'fidelity_escape_ratio'), undefined, 'no ratio before any staging pass');

  await post(app, { type: 'provisioning_started', environment: 'staging', run: 'ci-41', at: '2026-11-23T10:00:00Z' }).expect(202);
  await post(app, { type: 'provisioning_finished', environment: 'staging', run: 'ci-41', at: '2026-11-23T10:07:30Z' }).expect(202);
  await post(app, { type: 'provisioning_finished', environment: 'production', duration_seconds: 42, outcome: 'failure' }).expect(202);
  await post(app, { type: 'deployment', environment: 'staging', release: 'v1.2.0' }).expect(202);
  await post(app, { type: 'deployment', environment: 'production', release: 'v1.2.0' }).expect(202);
  await post(app, { type: 'staging_verdict', release: 'v1.2.0', verdict: 'pass' }).expect(202);
  await post(app, { type: 'staging_verdict', release: 'v1.3.0', verdict: 'pass' }).expect(202);
  await post(app, { type: 'staging_verdict', release: 'v1.4.0', verdict: 'fail' }).expect(202);
  const incident = await post(app, { type: 'production_incident', release: 'v1.2.0', incident: 'INC-7' }).expect(202);
  assert.deepEqual(incident.body, { status: 'accepted', type: 'production_incident' });
  const repeat = await post(app, { type: 'production_incident', release: 'v1.2.0', incident: 'INC-7' }).expect(202);
  assert.equal(repeat.body.status, 'duplicate incident ignored');
  await post(app, { type: 'production_incident', release: 'v0.9.0' }).expect(202);

  const after = await eventSeries(app);
  assert.equal(metric(after, 'fidelity_provisioning_duration_seconds{environment="staging"}'), 450);
  assert.equal(metric(after, 'fidelity_provisioning_duration_seconds{environment="production"}'), 42);
  assert.equal(metric(after, 'fidelity_provisionings_total{environment="staging",outcome="success"}'), 1);
  assert.equal(metric(after, 'fidelity_provisionings_total{environment="production",outcome="failure"}'), 1);
  assert.equal(metric(after, 'fidelity_deployments_total{environment="staging"}'), 1);
  assert.equal(metric(after, 'fidelity_deployments_total{environment="production"}'), 1);
  assert.equal(metric(after, 'fidelity_staging_verdicts_total{verdict="pass"}'), 2);
  assert.equal(metric(after, 'fidelity_staging_verdicts_total{verdict="fail"}'), 1);
  assert.equal(metric(after, 'fidelity_production_incidents_total{escaped="true"}'), 1);
  assert.equal(metric(after, 'fidelity_production_incidents_total{escaped="unknown"}'), 1);
  // v1.2.0 passed staging and had an incident; v1.3.0 passed without one.
  assert.equal(metric(after, 'fidelity_escape_ratio'), 0.5);
  assert.equal(metric(after, 'fidelity_events_received_total{type="staging_verdict"}'), 3);
  for (const line of after) assert.doesNotMatch(line, /v1\.2\.0|INC-7|ci-41/, 'release and run ids never become labels');
});

test('bad requests get a clear 4xx and change nothing', async () => {
  const { app } = exporterWith();
  await post(app, { type: 'deployment', environment: 'staging', release: 'v1' }).expect(202);
  const before = await eventSeries(app);

  const cases: Array<{ name: string; send: () => request.Test; status: number; message: RegExp }> = [
    {
      name: 'no token',
      send: () => post(app, { type: 'deployment', environment: 'staging', release: 'v2' }, null),
      status: 401,
      message: /bearer token/,
    },
    {
      name: 'wrong token',
      send: () => post(app, { type: 'deployment', environment: 'staging', release: 'v2' }, 'guess'),
      status: 401,
      message: /bearer token/,
    },
    { name: 'not JSON', send: () => post(app, '{"type": "deployment",'), status: 400, message: /not valid JSON/ },
    {
      name: 'wrong content type',
      send: () =>
        request(app).post('/api/v1/events').set('Authorization', `Bearer ${TOKEN}`).set('Content-Type', 'text/plain').send('hello'),
      status: 415,
      message: /application\/json/,
    },
    {
      name: 'oversized',
      send: () => post(app, { type: 'deployment', environment: 'staging', release: 'v2', padding: 'x'.repeat(20_000) }),
      status: 413,
      message: /larger than/,
    },
    { name: 'unknown type', send: () => post(app, { type: 'reboot', environment: 'staging' }), status: 422, message: /invalid event/ },
    {
      name: 'unknown key',
      send: () => post(app, { type: 'deployment', environment: 'staging', release: 'v2', extra: 1 }),
      status: 422,
      message: /unknown key "extra"/,
    },
    {
      name: 'missing release',
      send: () => post(app, { type: 'deployment', environment: 'staging' }),
      status: 422,
      message: /release: is required/,
    },
    {
      name: 'bad verdict',
      send: () => post(app, { type: 'staging_verdict', release: 'v2', verdict: 'maybe' }),
      status: 422,
      message: /invalid event/,
    },
    {
      name: 'bad time',
      send: () => post(app, { type: 'deployment', environment: 'staging', release: 'v2', at: 'yesterday' }),
      status: 422,
      message: /invalid event/,
    },
    {
      name: 'unknown environment',
      send: () => post(app, { type: 'deployment', environment: 'qa', release: 'v2' }),
      status: 422,
      message: /environment "qa" is not defined/,
    },
    {
      name: 'finished without a start',
      send: () => post(app, { type: 'provisioning_finished', environment: 'staging', run: 'r9' }),
      status: 409,
      message: /no provisioning_started is open/,
    },
    {
      name: 'a JSON array',
      send: () => post(app, [{ type: 'deployment', environment: 'staging', release: 'v2' }]),
      status: 422,
      message: /invalid event/,
    },
  ];
  for (const { name, send, status, message } of cases) {
    const response = await send();
    assert.equal(response.status, status, `${name}: ${response.text}`);
    const body = response.body as { error?: string; problems?: string[] };
    assert.match(`${body.error ?? ''} ${(body.problems ?? []).join(' ')}`, message, name);
    assert.doesNotMatch(response.text, /at .*\.ts:\d+/, `${name}: no stack trace`);
  }
  await request(app).get('/api/v1/events').expect(405);
  assert.deepEqual(await eventSeries(app), before, 'nothing changed');
});

test('without events.token the API is disabled (403) and the token never shows', async () => {
  const disabled = exporterWith({});
  const response = await post(disabled.app, { type: 'deployment', environment: 'staging', release: 'v1' }).expect(403);
  assert.match(response.body.error, /set events\.token/);
  const enabled = exporterWith();
  const pages = await Promise.all([
    request(enabled.app).get('/metrics'),
    request(enabled.app).get('/api/v1/results'),
    request(enabled.app).get('/'),
  ]);
  for (const page of pages) assert.doesNotMatch(page.text, new RegExp(TOKEN));
});

test('memory stays bounded: old releases are forgotten, open provisionings capped', async () => {
  const { app, exporter } = exporterWith({ token: TOKEN, max_releases: 3, max_open_provisionings: 2 });
  for (let i = 0; i < 10; i += 1) await post(app, { type: 'staging_verdict', release: `r${i}`, verdict: 'pass' }).expect(202);
  for (let i = 0; i < 5; i += 1) await post(app, { type: 'provisioning_started', environment: 'staging', run: `p${i}` }).expect(202);
  assert.equal(exporter.events.rememberedReleases, 3);
  assert.equal(exporter.events.provisioning.get('staging')?.open.size, 2);
  // r0 is forgotten: its incident no longer counts as escaped.
  await post(app, { type: 'production_incident', release: 'r0' }).expect(202);
  assert.equal(metric(await eventSeries(app), 'fidelity_production_incidents_total{escaped="unknown"}'), 1);
});
