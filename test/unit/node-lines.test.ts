import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { newestLine, oldestLine, supportedLines } from '../../scripts/node-lines.mjs';
import { OLDEST_SUPPORTED_NODE, unsupportedRuntime } from '../../src/version.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

test('package.json, the exporter, the Dockerfile and the docs name the same Node.js lines', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
  assert.equal(pkg.engines.node, `>=${oldestLine}`);
  assert.equal(OLDEST_SUPPORTED_NODE, oldestLine);
  assert.match(pkg.devDependencies.node ?? '', new RegExp(`^${newestLine}\\.`), 'the pinned development Node is the newest line');
  assert.match(read('Dockerfile'), new RegExp(`^ARG NODE_IMAGE=node:${newestLine}-`, 'm'), 'the image defaults to the newest line');
  const lines = supportedLines.join(', ').replace(/, (\d+)$/, ' and $1');
  assert.ok(read('README.md').includes(`Supported Node.js lines: ${lines}`), `README names ${lines}`);
  assert.ok(read('docs/operations.md').includes(`**${lines}**`), `docs/operations.md names ${lines}`);
});

test('the exporter says when it runs on a Node.js line that is not supported', () => {
  assert.equal(unsupportedRuntime('v20.20.2'), 'Node.js v20.20.2 is not supported (end of life); run it on Node.js 22 or later');
  assert.equal(unsupportedRuntime('v22.0.0'), null);
  assert.equal(unsupportedRuntime('v26.10.0'), null);
});
