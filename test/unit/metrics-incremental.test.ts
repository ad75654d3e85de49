// /metrics rendered incrementally: after any sequence of changes the body is byte for byte the
// body a render from scratch gives, its gzip form decodes to the same text, and the score state
// is computed once per change and shared by every reader.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { Exporter } from '../../src/runtime/exporter.js';
import { StoreRenderer } from '../../src/runtime/store-render.js';
import { CurrentScores } from '../../src/scoring/current.js';
import { kindDimension } from '../../src/checks/kinds.js';
import { resultsView } from '../../src/server/view.js';
import { createApp } from '../../src/server/app.js';
import { silentLogger } from '../../src/log.js';
import { sample } from '../../src/metrics/catalogue.js';
import type { LoadedConfig } from '../../src/runtime/load.js';
import { configWith } from '../helpers/harness.js';

const DATABASES = { production: { shop: 'postgres://u@127.0.0.1:1/db' }, staging: { shop: 'postgres://u@127.0.0.1:1/db' } };

/** `count` query checks: more than one group of checks, so changes touch some groups and not others. */
function configOf(count: number, prefix = 'check'): LoadedConfig {
  const checks = Array.from({ length: count }, (_, i) => ({ name: `${prefix}_${i}`, kind: 'query', database: 'shop', sql: 'SELECT 1' }));
  return configWith(DATABASES, checks);
}

function land(target: Exporter, check: string, n: number, passed = true): void {
  const pair = { check, baseline: 'production', candidate: 'staging' };
  target.store.begin(check);
  target.store.succeed(
    check,
    {
      passed,
      summary: `sample ${n}`,
      series: [
        sample('fidelity_query_match', pair, passed ? 1 : 0),
        sample('fidelity_query_mismatched_rows', pair, n),
        sample('fidelity_query_rows', { check, side: 'production' }, n),
      ],
      scores: [{ dimension: 'data', candidate: 'staging', value: passed ? 1 : 0.5 }],
      details: {},
    },
    { startedAt: n, finishedAt: n + 1, durationMs: 1 },
  );
}

/** The store's part of the body rendered from scratch: a new renderer, no kept segment. */
function fullRender(target: Exporter): string {
  const config = target.config.root.scores;
  return new StoreRenderer().render(target.store, config, new CurrentScores(kindDimension).of(target.store, config)).head.toString('utf8');
}

test('after a sequence of changes the incremental render equals a render from scratch, byte for byte, plain and gzip', async () => {
  const target = new Exporter(configOf(100), silentLogger);
  const renderer = new StoreRenderer();
  const render = () => renderer.render(target.store, target.config.root.scores, target.scoreState());
  /** Plain and gzip forms of an incremental render against a render from scratch. */
  const assertCurrent = async (label: string) => {
    const body = render();
    const text = body.head.toString('utf8');
    assert.equal(text, fullRender(target), label);
    // Right after a render, the segments it made go as stored blocks; once compressed, as deflates.
    const stored = Buffer.concat(body.gzip(Buffer.from('tail 1\n')));
    assert.equal(gunzipSync(stored).toString('utf8'), `${text}tail 1\n`, `${label}: the gzip body decodes to the same text`);
    await body.compressedAll();
    const compressed = Buffer.concat(body.gzip(Buffer.from('tail 2\n')));
    assert.equal(gunzipSync(compressed).toString('utf8'), `${text}tail 2\n`, `${label}: compressed, it decodes to the same text`);
    assert.ok(compressed.length <= stored.length, `${label}: compressed segments are no larger than stored ones`);
  };
  try {
    await assertCurrent('nothing sampled yet');
    // Over 100 kB of new text: compressed in the thread pool; the single changes below, at once.
    for (let n = 0; n < 100; n += 1) land(target, `check_${n}`, n);
    await assertCurrent('every check sampled');
    const steps: Array<() => void> = [
      () => land(target, 'check_3', 1000),
      () => land(target, 'check_70', 1001, false),
      () => target.store.fail('check_40', 'timeout', 'timed out', { startedAt: 1, finishedAt: 2, durationMs: 1 }),
      () => target.store.begin('check_40') && target.store.begin('check_40'),
      () => land(target, 'check_99', 1002),
      // A reload: some checks go, others come, one group's checks shift.
      () => void target.applyConfig(configOf(50)),
      () => land(target, 'check_10', 1003),
    ];
    for (const [i, step] of steps.entries()) {
      step();
      await target.idle();
      await assertCurrent(`step ${i}`);
    }
    assert.match(fullRender(target), /fidelity_query_mismatched_rows\{check="check_10",baseline="production",candidate="staging"\} 1003\n/);
    assert.doesNotMatch(fullRender(target), /check_70/, 'checks gone with the reload have no series');
  } finally {
    await target.stop();
  }
});

test('the score state is computed once per landed sample and shared by /metrics, the history, /gate and the report', async () => {
  const target = new Exporter(configOf(40), silentLogger);
  const server = createApp(target, silentLogger).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    for (let n = 0; n < 5; n += 1) {
      land(target, `check_${n}`, n, n % 2 === 0);
      const metrics = await target.collector.render();
      target.recordScores();
      const gate = (await (await fetch(`http://127.0.0.1:${port}/gate`)).json()) as { candidates: Array<{ candidate: string }> };
      const view = resultsView(target);
      await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.equal(target.scores.computations, 1, `sample ${n}: one computation for every reader`);
      assert.equal(view.gate, target.scoreState().gate, 'the report reads the very same gate object');
      assert.deepEqual(
        gate.candidates.map((c) => c.candidate),
        ['staging'],
      );
      assert.match(metrics, /fidelity_score\{dimension="data",candidate="staging"\} /);
      target.scores.computations = 0;
    }
    // An explicit candidate is still evaluated, from the shared outcomes.
    const one = await fetch(`http://127.0.0.1:${port}/gate?candidate=staging`);
    assert.equal(((await one.json()) as { candidates: unknown[] }).candidates.length, 1);
    assert.equal(target.scores.computations, 0, 'a gate for one candidate computes no new score state');
  } finally {
    server.close();
    await target.stop();
  }
});

test('segments served as stored blocks decode for any size, over 64 KiB and empty-tailed alike', async () => {
  const { CachedBody, Segment } = await import('../../src/metrics/exposition.js');
  const big = Array.from({ length: 6000 }, (_, i) => `fidelity_config_value{check="c",key="k${i}"} ${i}\n`).join('');
  const texts = ['# HELP a b\n', big, 'a 1\n', big.slice(0, 65_535), big.slice(0, 65_536)];
  const body = new CachedBody(texts.map((text) => new Segment(text)));
  for (const tail of ['', 'tail\n'])
    assert.equal(gunzipSync(Buffer.concat(body.gzip(Buffer.from(tail)))).toString('utf8'), texts.join('') + tail);
  await body.compressedAll();
  assert.equal(gunzipSync(Buffer.concat(body.gzip(Buffer.from('')))).toString('utf8'), texts.join(''));
});
