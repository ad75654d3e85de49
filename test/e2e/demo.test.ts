import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { requireBinary } from '../helpers/binaries.js';
import { scrape, startExporterProcess, waitFor, type ExporterProcess } from '../helpers/process.js';

/** The embedded demo, as a user starts it: real process, real pg connector against PGlite. */
describe('the embedded demo', () => {
  let demo: ExporterProcess;

  before(async () => {
    // PGlite starts two databases: give a loaded machine time.
    demo = await startExporterProcess(['demo'], {}, { startTimeoutMs: 120_000 });
  });
  after(async () => {
    await demo?.stop();
  });

  test('prints the URL to open', () => {
    assert.match(demo.output(), /demo running: open http:\/\/127\.0\.0\.1:\d+\//);
  });

  test('/metrics passes promtool check metrics with the process metrics present and shows fidelity_query_match both 1 and 0', async () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const { text, series } = await waitFor('every demo query check sampled', async () => {
      const result = await scrape(demo.url);
      const matches = [...result.series.entries()].filter(([key]) => key.startsWith('fidelity_query_match{'));
      return matches.length >= 4 ? result : undefined;
    });
    const lint = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '', 'promtool has no complaint');
    for (const name of [
      'process_resident_memory_bytes',
      'process_open_fds',
      'process_max_fds',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      assert.ok((series.get(name) ?? 0) > 0, `${name}: ${series.get(name)}`);
    }
    const values = [...series.entries()].filter(([key]) => key.startsWith('fidelity_query_match{')).map(([, value]) => value);
    assert.ok(values.includes(1) && values.includes(0), `fidelity_query_match values: ${values.join(', ')}`);
    assert.equal(series.get('fidelity_side_up{side="production"}'), 1);
  });

  test('/api/v1/results names the drifting rows; / renders the report', async () => {
    const results = (await (await fetch(`${demo.url}/api/v1/results`)).json()) as {
      checks: Array<{ name: string; status: string; details?: { examples?: Array<{ baseline?: Record<string, string> }> } }>;
    };
    const prices = results.checks.find((check) => check.name === 'product_prices');
    assert.equal(prices?.status, 'fail');
    assert.equal(prices?.details?.examples?.[0]?.baseline?.sku, 'SKU-0017');
    const html = await (await fetch(`${demo.url}/`)).text();
    assert.match(html, /product_prices/);
    assert.match(html, /SKU-0017/);
    assert.doesNotMatch(JSON.stringify(results) + html, /demo-shop-password/);
    // Only secrets are hidden: each side's engine name stays readable.
    assert.match(JSON.stringify(results), /"engine":"postgres"/);
  });

  test("the report's labels read in words: no camelCase or snake_case key, no wrong plural", async () => {
    await waitFor(
      'every demo check sampled',
      async () => {
        const view = (await (await fetch(`${demo.url}/api/v1/results`)).json()) as { checks: Array<{ lastRun?: unknown }> };
        return view.checks.every((check) => check.lastRun !== undefined) ? true : undefined;
      },
      300_000,
    );
    // The raw JSON of each check's details is kept on purpose, folded away in <pre>.
    const html = (await (await fetch(`${demo.url}/`)).text()).replace(/<pre>[\s\S]*?<\/pre>/g, '');
    const labels = [...html.matchAll(/<(th|h4)[^>]*>([^<]*)<\/\1>/g)].map((match) => match[2] ?? '');
    assert.ok(labels.length > 100, `labels found: ${labels.length}`);
    const raw = labels.filter((label) => /[a-z][A-Z]|_/.test(label));
    assert.deepEqual([...new Set(raw)], [], 'labels in code spelling');
    assert.doesNotMatch(html, /\b1 (checks|changes)\b/);
  });
});
