import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { startShopApp, type RunningApp } from '../../src/demo/shop-app.js';
import { CheckRunner, seriesValue } from '../helpers/harness.js';

/** Flow checks against real shop apps on loopback: a faithful pair and a drifting staging. */

interface StepDetails {
  name: string;
  path: Record<string, string>;
  statuses: Record<string, (number | string)[]>;
  differences: { path: string; change: string }[];
  noise: string[];
  errors: Record<string, string[]>;
  failures: Record<string, string[]>;
}

interface FlowDetails {
  steps: StepDetails[];
  errorRatio: Record<string, number>;
  latency: { flow: { verdict: string; ratio: number }; steps: Record<string, { verdict: string; ratio: number; reason?: string }> };
}

const loginAndSearch = (extra: Record<string, unknown> = {}) => ({
  name: 'shopping',
  kind: 'flow',
  iterations: 10,
  latency: { min_samples: 8, tolerance: 1.8 },
  steps: [
    {
      name: 'login',
      method: 'POST',
      path: '/api/login',
      form: { user: 'ada', password: 'secret' },
      extract: { token: { json: '$.token' }, session: { cookie: 'session' } },
      expect: { status: 200, json: [{ path: '$.user', equals: 'ada' }] },
    },
    {
      name: 'search',
      path: '/api/products',
      query: { q: 'e' },
      headers: { Authorization: 'Bearer {{token}}' },
      expect: { status: 200, body_matches: 'Espresso' },
    },
    {
      name: 'product',
      path: '/api/products/SKU-3',
      headers: { Authorization: 'Bearer {{session}}' },
      extract: { sku: { json: '$.sku' } },
    },
    {
      name: 'checkout',
      method: 'POST',
      path: '/api/checkout',
      headers: { Authorization: 'Bearer {{token}}' },
      json: { sku: '{{sku}}', quantity: 2 },
      expect: { status: 201 },
    },
  ],
  ...extra,
});

function config(apps: Record<string, RunningApp>, checks: Record<string, unknown>[]) {
  const environments = Object.fromEntries(
    Object.entries(apps).map(([side, app]) => [side, { http: { base_url: app.url, allow_writes: true, rate_limit: 0 } }]),
  );
  return loadConfigObject({ environments, defaults: { every: '1h', timeout: '60s' }, checks }, { env: {} });
}

describe('flow check', () => {
  const apps: Record<string, RunningApp> = {};
  let runner: CheckRunner;

  before(async () => {
    apps.production = await startShopApp({ name: 'prod', delayMs: 10 });
    apps.twin = await startShopApp({ name: 'twin', delayMs: 10 });
    apps.staging = await startShopApp({
      name: 'stg',
      delayMs: 10,
      searchSlowdown: 3,
      priceDrift: true,
      extraField: true,
      failingPath: '/api/checkout',
    });
    runner = new CheckRunner(
      config(apps, [
        { ...loginAndSearch(), name: 'faithful', baseline: 'production', candidate: 'twin' },
        { ...loginAndSearch(), name: 'drifting', baseline: 'production', candidate: 'staging' },
      ]),
    );
  });
  after(async () => {
    await runner?.close();
    await Promise.all(Object.values(apps).map((app) => app.stop()));
  });

  test('variables are extracted per side and substituted into later steps; noise is not reported', async () => {
    const state = await runner.run('faithful');
    assert.equal(state.lastRun?.error, undefined);
    const details = state.result?.details as unknown as FlowDetails;
    // Each side used its own token (tokens are prefixed with the app name): otherwise search would be 401.
    for (const step of details.steps) {
      assert.deepEqual(step.errors, {}, `${step.name}: ${JSON.stringify(step.errors)}`);
      assert.deepEqual(step.failures, {}, `${step.name}: ${JSON.stringify(step.failures)}`);
    }
    assert.deepEqual(details.steps[1]?.statuses.production?.slice(0, 1), [200]);
    assert.deepEqual(details.steps[3]?.statuses.twin?.slice(0, 1), [201]);
    // request_id and served_at differ on every response: recognised as noise from two baseline runs.
    const login = details.steps.find((step) => step.name === 'login');
    assert.ok(login?.noise.includes('$.request_id'), JSON.stringify(login?.noise));
    assert.ok(login?.noise.includes('$.token'), 'tokens differ between runs too');
    assert.equal(state.result?.passed, true, state.result?.summary);
    assert.equal(seriesValue(state, 'fidelity_flow_status_parity_ratio'), 1);
    assert.equal(seriesValue(state, 'fidelity_flow_body_parity_ratio'), 1);
    assert.equal(seriesValue(state, 'fidelity_flow_error_ratio', { side: 'twin' }), 0);
    assert.notEqual(details.latency.steps.search?.verdict, 'slower');
  });

  test('a 500 on one step, a changed field, an extra field and a 3x slower step are each reported', async () => {
    const state = await runner.run('drifting');
    const result = state.result;
    assert.ok(result, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
    assert.equal(result.passed, false);
    const details = result.details as unknown as FlowDetails;
    const step = (name: string) => details.steps.find((candidate) => candidate.name === name) as StepDetails;

    // 500 on checkout: status parity and error ratio show it.
    assert.deepEqual(step('checkout').statuses.staging?.slice(0, 2), [500, 500]);
    assert.ok((details.errorRatio.staging ?? 0) > 0, 'staging error ratio');
    assert.equal(details.errorRatio.production, 0);
    assert.ok((seriesValue(state, 'fidelity_flow_status_parity_ratio') ?? 1) < 1, 'status parity');
    assert.ok((seriesValue(state, 'fidelity_flow_error_ratio', { side: 'staging' }) ?? 0) >= 0.25, 'staging error ratio series');

    // Changed price and extra badge field in search; noise (request_id, served_at) not among them.
    const differences = step('search').differences.map((difference) => `${difference.change} ${difference.path}`);
    assert.ok(differences.includes('changed $.items[1].price'), differences.join(', '));
    assert.ok(differences.includes('added $.items[0].badge'), differences.join(', '));
    assert.ok(!differences.some((difference) => /request_id|served_at/.test(difference)), differences.join(', '));
    assert.ok((seriesValue(state, 'fidelity_flow_body_parity_ratio') ?? 1) < 1, 'body parity');

    // Search is three times slower on staging, with enough samples for the rank test.
    const search = details.latency.steps.search;
    assert.equal(search?.verdict, 'slower', JSON.stringify(search));
    assert.ok((search?.ratio ?? 0) > 2, JSON.stringify(search));
    assert.equal(details.latency.steps.login?.verdict, 'same', JSON.stringify(details.latency.steps.login));
    assert.match(result.summary, /slower in search/);

    // Per-phase durations exist for both connection states and sides.
    assert.ok(
      (seriesValue(state, 'fidelity_flow_step_duration_seconds', {
        step: 'search',
        side: 'staging',
        phase: 'total',
        connection: 'keepalive',
      }) ?? 0) > 0.01,
      'search duration',
    );
    // Staging's first request opened its connection: a cold sample with a connect phase.
    assert.notEqual(
      seriesValue(state, 'fidelity_flow_step_duration_seconds', { step: 'login', side: 'staging', phase: 'connect', connection: 'cold' }),
      undefined,
    );
    assert.ok((seriesValue(state, 'fidelity_flow_step_latency_ratio', { step: 'search' }) ?? 0) > 2, 'search latency ratio');
  });

  test('latency with too few samples is inconclusive, not guessed', async () => {
    const local = new CheckRunner(
      config(apps, [
        { ...loginAndSearch({ iterations: 2, latency: { min_samples: 20 } }), name: 'short', baseline: 'production', candidate: 'staging' },
      ]),
    );
    try {
      const state = await local.run('short');
      const details = state.result?.details as unknown as FlowDetails;
      assert.equal(details.latency.steps.search?.verdict, 'inconclusive');
      assert.match(details.latency.steps.search?.reason ?? '', /needs 20 samples per side, has 2 and 2/);
      assert.equal(seriesValue(state, 'fidelity_flow_latency_p_value'), undefined);
      assert.match(state.result?.summary ?? '', /latency inconclusive/);
    } finally {
      await local.close();
    }
  });
});

describe('flow check rate limit', () => {
  test('requests to one environment are spaced by its rate_limit', async () => {
    const app = await startShopApp({ name: 'slow', delayMs: 0 });
    const environments = {
      production: { http: { base_url: app.url, rate_limit: 20 } },
      staging: { http: { base_url: app.url, rate_limit: 0 } },
    };
    const steps = [1, 2, 3, 4, 5].map((n) => ({ name: `health${n}`, path: '/health' }));
    const runner = new CheckRunner(
      loadConfigObject(
        { environments, defaults: { every: '1h', timeout: '20s' }, checks: [{ name: 'limited', kind: 'flow', iterations: 2, steps }] },
        { env: {} },
      ),
    );
    try {
      const started = performance.now();
      const state = await runner.run('limited');
      const elapsed = performance.now() - started;
      assert.equal(state.result?.passed, true, state.result?.summary ?? state.lastRun?.error);
      // Production gets 15 requests (2 iterations + the noise run, 5 steps each) at most 20 per second:
      // 14 gaps of 50 ms at least. Staging, unlimited, adds nothing to that floor.
      assert.ok(elapsed >= 14 * 50, `elapsed ${elapsed.toFixed(0)} ms`);
    } finally {
      await runner.close();
      await app.stop();
    }
  });
});

describe('flow check configuration', () => {
  const base = {
    environments: {
      production: { http: { base_url: 'http://127.0.0.1:9' } },
      staging: { http: { base_url: 'http://127.0.0.1:9', allow_writes: true } },
    },
  };

  test('a POST against an environment that does not allow writes is refused at load, naming the step', () => {
    assert.throws(
      () => loadConfigObject({ ...base, checks: [loginAndSearch()] }, { env: {} }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /checks\[0\]\.steps\[0\]\.method: step "login" sends POST but environment "production" does not allow writes/,
        );
        assert.match(error.message, /checks\[0\]\.steps\[3\]\.method: step "checkout" sends POST/);
        assert.doesNotMatch(error.message, /environment "staging" does not allow/);
        return true;
      },
    );
  });

  test('a variable no earlier step extracts, a bad JSONPath and two bodies are config errors', () => {
    assert.throws(
      () =>
        loadConfigObject(
          {
            ...base,
            checks: [
              {
                name: 'bad',
                kind: 'flow',
                steps: [
                  { name: 'a', path: '/x', headers: { Authorization: 'Bearer {{token}}' } },
                  { name: 'b', path: '/y', extract: { v: { json: 'items' } } },
                  { name: 'c', method: 'PUT', path: '/z', json: {}, body: 'x' },
                ],
              },
            ],
          },
          { env: {} },
        ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /must be a JSONPath starting with "\$"/);
        assert.match(error.message, /give at most one of json, form, body, body_bytes/);
        return true;
      },
    );
    assert.throws(
      () => loadConfigObject({ ...base, checks: [{ name: 'v', kind: 'flow', steps: [{ name: 'a', path: '/x/{{id}}' }] }] }, { env: {} }),
      /checks\[0\]\.steps\[0\]: step "a" uses \{\{id\}\}, which no earlier step extracts/,
    );
  });

  test('an environment without an http section is named', () => {
    assert.throws(
      () =>
        loadConfigObject(
          {
            environments: { production: {}, staging: base.environments.staging },
            checks: [{ name: 'f', kind: 'flow', steps: [{ name: 'a', path: '/' }] }],
          },
          { env: {} },
        ),
      /environment "production" has no http section/,
    );
  });
});
