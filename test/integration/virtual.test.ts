import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfigObject } from '../../src/runtime/load.js';
import { startPaymentApp, type RunningApp } from '../../src/demo/shop-app.js';
import { CheckRunner, seriesValue } from '../helpers/harness.js';

/** A real payment service and its mock: accuracy and coverage of the mock. */

const requests = [
  { name: 'charge', method: 'POST', path: '/v1/charges', json: { amount: 1000, card: '4242424242424242' }, ignore: ['$.id'] },
  { name: 'declined', method: 'POST', path: '/v1/charges', json: { amount: 1000, card: '4000000000000002' } },
  { name: 'invalid', method: 'POST', path: '/v1/charges', json: { card: '4242424242424242' } },
  { name: 'lookup', path: '/v1/charges/ch_demo' },
  { name: 'missing', path: '/v1/charges/ch_nope' },
  { name: 'refund', method: 'POST', path: '/v1/refunds', json: { charge: 'ch_demo' } },
];

describe('virtual check', () => {
  let real: RunningApp;
  let mock: RunningApp;
  let twin: RunningApp;
  let runner: CheckRunner;

  before(async () => {
    [real, mock, twin] = await Promise.all([
      startPaymentApp({ name: 'real' }),
      startPaymentApp({ name: 'mock', mock: true }),
      startPaymentApp({ name: 'twin' }),
    ]);
    const http = (app: RunningApp) => ({ http: { base_url: app.url, allow_writes: true, rate_limit: 0 } });
    runner = new CheckRunner(
      loadConfigObject(
        {
          environments: { payments: http(real), 'payments-mock': http(mock), 'payments-twin': http(twin) },
          defaults: { every: '1h', timeout: '20s', baseline: 'payments', candidate: 'payments-mock' },
          checks: [
            { name: 'payments_mock', kind: 'virtual', requests },
            { name: 'payments_twin', kind: 'virtual', candidate: 'payments-twin', requests },
          ],
        },
        { env: {} },
      ),
    );
  });
  after(async () => {
    await runner?.close();
    await Promise.all([real?.stop(), mock?.stop(), twin?.stop()]);
  });

  test('accuracy counts identical responses; coverage counts endpoints and statuses the mock reproduces', async () => {
    const state = await runner.run('payments_mock');
    const result = state.result;
    assert.ok(result, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
    // Identical: invalid (400), missing (404). Different: charge (status field), declined (201 vs 402),
    // lookup (status field), refund (404 on the mock).
    assert.equal(seriesValue(state, 'fidelity_virtual_accuracy_ratio'), 2 / 6);
    // Real endpoints: POST /v1/charges, GET /v1/charges/ch_demo, POST /v1/refunds (ch_nope is 404: not an endpoint).
    assert.equal(seriesValue(state, 'fidelity_virtual_endpoint_coverage_ratio'), 2 / 3);
    // Real (endpoint, status) pairs: charges 201/402/400, ch_demo 200, ch_nope 404, refunds 200; mock misses 402 and refunds 200.
    assert.equal(seriesValue(state, 'fidelity_virtual_status_coverage_ratio'), 4 / 6);
    assert.equal(result.passed, false);
    const details = result.details as {
      uncoveredEndpoints: string[];
      uncoveredStatuses: string[];
      requests: { name: string; differences?: { path: string }[]; noise?: string[] }[];
    };
    assert.deepEqual(details.uncoveredEndpoints, ['POST /v1/refunds']);
    assert.deepEqual(details.uncoveredStatuses.sort(), ['POST /v1/charges -> 402', 'POST /v1/refunds -> 200']);
    const charge = details.requests.find((request) => request.name === 'charge');
    assert.deepEqual(
      charge?.differences?.map((difference) => difference.path),
      ['$.status'],
      'the ignored id and the noisy timestamp are not reported',
    );
  });

  test('a faithful twin of the real service scores 1 everywhere', async () => {
    const state = await runner.run('payments_twin');
    assert.equal(state.result?.passed, true, state.result?.summary);
    assert.equal(seriesValue(state, 'fidelity_virtual_accuracy_ratio'), 1);
    assert.equal(seriesValue(state, 'fidelity_virtual_endpoint_coverage_ratio'), 1);
    assert.equal(seriesValue(state, 'fidelity_virtual_status_coverage_ratio'), 1);
  });
});
