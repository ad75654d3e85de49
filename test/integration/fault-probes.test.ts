import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import { startShopApp, type RunningApp } from '../../src/demo/shop-app.js';
import { CheckRunner, seriesValue } from '../helpers/harness.js';

/** Fault probes against real shop apps: staging accepts oversized input that production rejects. */

const probes = [
  {
    name: 'expired_token',
    path: '/api/products',
    headers: { Authorization: 'Bearer expired' },
    expect: { status: 401, json: [{ path: '$.error', equals: 'token_expired' }] },
  },
  {
    name: 'malformed_body',
    method: 'POST',
    path: '/api/login',
    content_type: 'application/json',
    body: '{"user": "ada", ',
    expect: { status: 400 },
  },
  { name: 'unknown_id', path: '/api/products/SKU-404', headers: { Authorization: 'Bearer nobody' }, expect: { status: [401, 404] } },
  { name: 'oversized_input', method: 'POST', path: '/api/login', body_bytes: 200_000, expect: { status: 413 } },
];

describe('fault check', () => {
  let production: RunningApp;
  let staging: RunningApp;
  let runner: CheckRunner;

  before(async () => {
    production = await startShopApp({ name: 'prod' });
    staging = await startShopApp({ name: 'stg', acceptsOversized: true });
    const http = (app: RunningApp) => ({ http: { base_url: app.url, allow_writes: true, rate_limit: 0 } });
    runner = new CheckRunner(
      loadConfigObject(
        {
          environments: { production: http(production), staging: http(staging) },
          defaults: { every: '1h', timeout: '20s' },
          checks: [{ name: 'errors', kind: 'fault', probes }],
        },
        { env: {} },
      ),
    );
  });
  after(async () => {
    await runner?.close();
    await Promise.all([production?.stop(), staging?.stop()]);
  });

  test('detection rate = detected / injected on the candidate, with the baseline alongside', async () => {
    const state = await runner.run('errors');
    const result = state.result;
    assert.ok(result, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
    assert.equal(seriesValue(state, 'fidelity_fault_probes_injected', { side: 'staging' }), 4);
    assert.equal(seriesValue(state, 'fidelity_fault_probes_detected', { side: 'staging' }), 3);
    assert.equal(seriesValue(state, 'fidelity_fault_detection_ratio', { side: 'staging' }), 0.75);
    assert.equal(seriesValue(state, 'fidelity_fault_detection_ratio', { side: 'production' }), 1);
    assert.deepEqual(result.scores, [{ dimension: 'error_detection', candidate: 'staging', value: 0.75 }]);
    assert.equal(result.passed, false);
    assert.match(
      result.summary,
      /3 of 4 injected errors detected on staging \(4 on production; 3 of 4 answered alike\); missed: oversized_input/,
    );
    const details = result.details as {
      probes: { name: string; alike: boolean; sides: Record<string, { status: number; detected: boolean; failures?: string[] }> }[];
    };
    const oversized = details.probes.find((probe) => probe.name === 'oversized_input');
    assert.equal(oversized?.sides.production?.status, 413);
    assert.equal(oversized?.sides.staging?.detected, false);
    assert.deepEqual(oversized?.sides.staging?.failures, ['status 401, expected 413']);
    assert.equal(oversized?.alike, false);
  });

  test('a probe that writes against a read-only environment is refused at load', () => {
    assert.throws(
      () =>
        loadConfigObject(
          {
            environments: {
              production: { http: { base_url: production.url } },
              staging: { http: { base_url: staging.url, allow_writes: true } },
            },
            checks: [{ name: 'errors', kind: 'fault', probes }],
          },
          { env: {} },
        ),
      /checks\[0\]\.probes\[1\]\.method: probe "malformed_body" sends POST but environment "production" does not allow writes/,
    );
  });

  test('a probe without the error it must produce is a config error', () => {
    assert.throws(
      () =>
        loadConfigObject(
          {
            environments: { production: { http: { base_url: production.url } } },
            checks: [{ name: 'e', kind: 'fault', candidate: 'production', compare_baseline: false, probes: [{ name: 'p', path: '/' }] }],
          },
          { env: {} },
        ),
      /expect.status is required/,
    );
  });
});
