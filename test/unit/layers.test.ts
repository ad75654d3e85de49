import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/layers/', import.meta.url));

/** The layer check of `npm run lint`, run over another tree (paths are relative to the working directory). */
function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    [`${repo}node_modules/dependency-cruiser/bin/dependency-cruise.mjs`, 'src', '--config', `${repo}.dependency-cruiser.cjs`],
    { cwd, encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('the layer check fails on an import that goes up a layer and on one that closes a cycle', () => {
  const { status, output } = cruise(fixture);
  assert.notEqual(status, 0, output);
  assert.match(output, /layer-config: src\/config\/up\.ts → src\/checks\/kind\.ts/);
  assert.match(output, /no-circular: src\/compare\/first\.ts →\s+src\/compare\/second\.ts →\s+src\/compare\/first\.ts/);
  // An import down the layers (compare → config) is allowed.
  assert.doesNotMatch(output, /fine\.ts/);
  assert.match(output, /2 dependency violations/);
});

test('the source tree keeps to its layers', () => {
  const { status, output } = cruise(repo);
  assert.equal(status, 0, output);
  assert.match(output, /no dependency violations found/);
});
