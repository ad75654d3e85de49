import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { nodeBinary, supportedLines } from '../../scripts/node-lines.mjs';
import { startExporterProcess, waitFor, type ExporterProcess } from '../helpers/process.js';

interface ResultsBody {
  checks: Array<{ name: string; kind: string; status: string; lastRun?: { success: boolean; error?: string } }>;
}

/** The HTTP kinds run in a worker thread, where Node lines differ most: each must sample on every supported line. */
const httpKinds = ['flow', 'fault', 'virtual'];

for (const line of supportedLines) {
  describe(`the embedded demo on Node.js ${line}`, () => {
    let demo: ExporterProcess | undefined;
    after(async () => {
      await demo?.stop();
    });

    test('flow, fault and virtual samples succeed against the local HTTP apps; nothing is printed as a warning', async () => {
      const node = nodeBinary(line);
      demo = await startExporterProcess(['demo'], {}, { node, startTimeoutMs: 60_000 });
      const sampled = await waitFor(
        `a first sample of every HTTP check on Node ${line}`,
        async () => {
          const body = (await (await fetch(`${demo!.url}/api/v1/results`)).json()) as ResultsBody;
          const checks = body.checks.filter((check) => httpKinds.includes(check.kind));
          return checks.length > 0 && checks.every((check) => check.lastRun !== undefined) ? checks : undefined;
        },
        60_000,
      );
      assert.deepEqual(new Set(sampled.map((check) => check.kind)), new Set(httpKinds), 'the demo has a check of each HTTP kind');
      for (const check of sampled) {
        assert.equal(check.lastRun?.success, true, `${check.name} (${check.kind}) on Node ${line}: ${check.lastRun?.error ?? ''}`);
      }
      const output = demo.output();
      assert.match(output, new RegExp(`"nodeVersion":"v${line}\\.`), 'the exporter logs the Node line it runs on');
      assert.doesNotMatch(output, /Warning|DEP0\d+|ExperimentalWarning/, `no warning printed at start on Node ${line}`);
    });
  });
}
