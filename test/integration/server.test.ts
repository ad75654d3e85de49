import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { loadConfigObject } from '../../src/runtime/load.js';
import { Exporter } from '../../src/runtime/exporter.js';
import { silentLogger } from '../../src/log.js';
import { createApp } from '../../src/server/app.js';
import { VERSION } from '../../src/version.js';

/** The HTTP surface without any database: routes, methods, readiness and redaction. */
const config = loadConfigObject(
  {
    environments: {
      production: { databases: { shop: { url: 'postgres://reader:TopSecret1@127.0.0.1:1/shop' } } },
      staging: { databases: { shop: { url: 'postgres://reader:TopSecret2@127.0.0.1:1/shop' } } },
    },
    checks: [{ name: 'orders', kind: 'query', database: 'shop', sql: 'SELECT 1' }],
  },
  { env: {} },
);

test('routes answer with the right status, type and methods', async () => {
  const exporter = new Exporter(config, silentLogger);
  const app = createApp(exporter, silentLogger);
  await request(app).get('/-/healthy').expect(200, 'OK\n');
  await request(app).get('/-/ready').expect(503);
  await request(app).post('/metrics').expect(405).expect('Allow', 'GET, HEAD');
  await request(app).get('/nope').expect(404);
  const metrics = await request(app)
    .get('/metrics')
    .expect(200)
    .expect('Content-Type', /text\/plain/);
  assert.ok(
    metrics.text.includes(`fidelity_build_info{version="${VERSION}",nodejs="${process.version}"} 1`),
    'build info names the version and the Node.js it runs on',
  );
  assert.match(metrics.text, /fidelity_config_last_reload_successful 1/);
  const results = await request(app).get('/api/v1/results').expect(200).expect('Content-Type', /json/);
  assert.equal(results.body.checks[0].status, 'pending');
  const html = await request(app).get('/').expect(200).expect('Content-Type', /html/);
  assert.match(html.text, /not sampled yet/);
  for (const body of [metrics.text, JSON.stringify(results.body), html.text]) assert.doesNotMatch(body, /TopSecret/);
});
