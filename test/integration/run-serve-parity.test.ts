// `serve` and `run` are one runtime (src/runtime/): on the demo configuration, as files and
// processes a user would start, `run --output.json` gives every check the status and summary that
// `serve` gives it at its first samples. The demo's data is fixed; what depends on the clock is left
// out of the summaries: data ages (freshness) and measured latencies (flow).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useDemoFiles } from '../helpers/demo.js';
import { fetchText, runExporter, spawnExporter, waitFor } from '../helpers/exporter.js';

interface CheckOutcome {
  name: string;
  kind: string;
  status: string;
  summary?: string;
}

/** The summary without what depends on when the sample ran. */
function deterministic(check: CheckOutcome): string | undefined {
  if (check.kind === 'freshness') return check.summary?.replace(/\d+(\.\d+)?/g, '#');
  if (check.kind === 'flow')
    return check.summary
      ?.split('; ')
      .filter((part) => !/slower|latency/.test(part))
      .join('; ');
  return check.summary;
}

const files = useDemoFiles('fidelity-parity-');

test('run gives every demo check the status and summary serve gives it', async () => {
  const { config, dir, demo } = files;
  const env = demo.variables;

  const serve = await spawnExporter([`--config.file=${config}`], { env });
  let served: CheckOutcome[];
  try {
    served = await waitFor(
      'every demo check sampled once by serve',
      async () => {
        const view = JSON.parse((await fetchText(`${serve.baseUrl}/api/v1/results`)).body) as {
          checks: Array<CheckOutcome & { lastRun?: unknown }>;
        };
        return view.checks.every((check) => check.lastRun !== undefined) ? view.checks : undefined;
      },
      90_000,
    );
  } finally {
    await serve.stop();
  }

  const json = join(dir, 'run.json');
  const run = await runExporter(['run', `--config.file=${config}`, `--output.json=${json}`, '--log.level=error'], { env });
  const report = JSON.parse(readFileSync(json, 'utf8')) as { exitCode: number; checks: CheckOutcome[] };
  assert.equal(run.code, report.exitCode, run.stdout + run.stderr);

  const outcome = (checks: CheckOutcome[]) =>
    Object.fromEntries(checks.map((check) => [check.name, { status: check.status, summary: deterministic(check) }]));
  assert.equal(served.length, demo.config.checks.length, 'serve shows every check of the demo');
  assert.ok(
    served.some((check) => check.status === 'pass') && served.some((check) => check.status === 'fail'),
    'the demo has faithful and drifting checks',
  );
  assert.deepEqual(outcome(report.checks), outcome(served));
});
