import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { prepareDemo } from '../../src/cli/demo.js';
import { CheckRunner, seriesValue } from '../helpers/harness.js';

/** The demo's flow, fault and virtual checks against its own shop and payment apps show their drifts. */
describe('demo behaviour checks', () => {
  let demo: Awaited<ReturnType<typeof prepareDemo>>;
  let runner: CheckRunner;

  before(async () => {
    demo = await prepareDemo();
    runner = new CheckRunner(demo.config);
  });
  after(async () => {
    await runner?.close();
    await demo?.stop();
  });

  test('checkout_flow reports the failing checkout, the changed price and the extra field', async () => {
    const state = await runner.run('checkout_flow');
    assert.ok(state.result, `${state.lastRun?.reason}: ${state.lastRun?.error}`);
    assert.equal(state.result.passed, false);
    assert.match(state.result.summary, /status differs in 4 of 16 steps; body differs/);
    assert.equal(seriesValue(state, 'fidelity_flow_error_ratio', { side: 'staging' }), 0.25);
  });

  test('error_handling misses the oversized input on staging only', async () => {
    const state = await runner.run('error_handling');
    assert.equal(
      seriesValue(state, 'fidelity_fault_detection_ratio', { side: 'staging' }),
      0.75,
      state.result?.summary ?? state.lastRun?.error,
    );
    assert.equal(seriesValue(state, 'fidelity_fault_detection_ratio', { side: 'production' }), 1);
  });

  test('payments_mock is measured against the real payment service', async () => {
    const state = await runner.run('payments_mock');
    assert.equal(seriesValue(state, 'fidelity_virtual_accuracy_ratio'), 1 / 5, state.result?.summary ?? state.lastRun?.error);
    assert.equal(seriesValue(state, 'fidelity_virtual_endpoint_coverage_ratio'), 2 / 3);
  });
});
