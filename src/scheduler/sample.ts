import type { CommonCheck, SampleContext } from '../checks/check.js';
import { SampleError, toSampleError } from '../core/errors.js';
import { kinds } from '../checks/kinds.js';
import type { RootConfig } from '../config/schema.js';
import type { Sides } from '../connectors/sides.js';
import type { Logger } from '../log.js';
import type { ResultsStore } from '../results/store.js';

export interface SampleDeps {
  root: RootConfig;
  sides: Sides;
  store: ResultsStore;
  log: Logger;
}

/**
 * Runs one sample of one check: deadline, both sides, result into the store. Never throws: a
 * failing check is recorded with its reason and the others go on. Returns false when skipped
 * because the previous sample of the check is still running.
 */
export async function runSample(check: CommonCheck, deps: SampleDeps): Promise<boolean> {
  const { store, log } = deps;
  if (!store.begin(check.name)) {
    // Debug only: a check slower than its interval would log this at every tick; the count is
    // fidelity_check_skipped_total.
    log.debug({ check: check.name }, 'previous sample still running; tick skipped');
    return false;
  }
  const startedAt = Date.now();
  const started = performance.now();
  const controller = new AbortController();
  const deadline = started + check.timeout;
  const timer = setTimeout(
    () => controller.abort(new SampleError('timeout', `check timeout of ${check.timeout} ms reached`)),
    check.timeout,
  );
  const state = store.get(check.name);
  const context: SampleContext = {
    signal: controller.signal,
    remainingMs: () => Math.max(0, deadline - performance.now()),
    defaults: deps.root.defaults,
    environment: (side) => {
      const environment = deps.root.environments[side];
      if (!environment) throw new SampleError('config', `environment "${side}" is not defined`);
      return environment;
    },
    database: (side, name) => deps.sides.handle(side, name, controller.signal, () => Math.max(0, deadline - performance.now()), check.name),
    memory: state?.memory ?? new Map(),
    log: log.child({ check: check.name }),
  };
  const record = () => ({ startedAt, finishedAt: Date.now(), durationMs: performance.now() - started });
  try {
    const kind = kinds[check.kind];
    if (!kind) throw new SampleError('config', `unknown kind "${check.kind}"`);
    const result = await kind.run(check, context);
    if (controller.signal.aborted) throw new SampleError('timeout', `check timeout of ${check.timeout} ms reached`);
    store.succeed(check.name, result, record());
    // Logged from the store: the summary as protected by the examples policy.
    log.debug({ check: check.name, passed: result.passed, summary: store.get(check.name)?.result?.summary }, 'sample done');
  } catch (error) {
    const failure =
      controller.signal.aborted && toSampleError(error).reason === 'internal'
        ? new SampleError('timeout', `check timeout of ${check.timeout} ms reached`)
        : toSampleError(error);
    store.fail(check.name, failure.reason, failure.message, record());
    log.warn({ check: check.name, kind: check.kind, reason: failure.reason, err: store.get(check.name)?.lastRun?.error }, 'sample failed');
  } finally {
    clearTimeout(timer);
  }
  return true;
}
