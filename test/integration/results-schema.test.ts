// The results API contract: the demo's GET /api/v1/results and run --output.json validate against
// the JSON Schemas in docs/api/ (draft 2020-12).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { useDemoFiles } from '../helpers/demo.js';
import { fetchText, REPO_ROOT, runExporter, spawnExporter, waitFor } from '../helpers/exporter.js';

const schema = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'api', name), 'utf8')) as object;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(schema('results.schema.json'), 'results.schema.json');
ajv.addSchema(schema('run-output.schema.json'), 'run-output.schema.json');

function assertValid(name: string, document: unknown): void {
  const validate = ajv.getSchema(name);
  assert.ok(validate, name);
  assert.ok(validate(document), `${name}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

const files = useDemoFiles('fidelity-schema-');

test('the schemas reject what breaks the contract', () => {
  const validate = ajv.getSchema('results.schema.json');
  assert.equal(validate?.({ checks: [] }), false, 'required members');
  assert.equal(
    ajv.getSchema('results.schema.json#/$defs/check')?.({
      name: 'a',
      kind: 'query',
      baseline: 'p',
      candidate: 's',
      timeoutSeconds: 30,
      status: 'maybe',
      running: false,
      runs: { success: 0, failure: 0, skipped: 0 },
      scores: [],
      changes: [],
    }),
    false,
    'an unknown status',
  );
});

test("the demo's /api/v1/results validates, before and after every check sampled", async () => {
  const serve = await spawnExporter([`--config.file=${files.config}`], { env: files.demo.variables });
  try {
    assertValid('results.schema.json', JSON.parse((await fetchText(`${serve.baseUrl}/api/v1/results`)).body));
    const sampled = await waitFor(
      'every demo check sampled once',
      async () => {
        const view = JSON.parse((await fetchText(`${serve.baseUrl}/api/v1/results`)).body) as { checks: Array<{ lastRun?: unknown }> };
        return view.checks.every((check) => check.lastRun !== undefined) ? view : undefined;
      },
      180_000,
    );
    assertValid('results.schema.json', sampled);
  } finally {
    await serve.stop();
  }
});

test("the demo's run --output.json validates", async () => {
  const output = join(files.dir, 'run.json');
  const result = await runExporter(['run', `--config.file=${files.config}`, `--output.json=${output}`, '--log.level=error'], {
    env: files.demo.variables,
  });
  assert.ok(result.code !== null && result.code <= 2, result.stderr);
  assertValid('run-output.schema.json', JSON.parse(readFileSync(output, 'utf8')));
});
