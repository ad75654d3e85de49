import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { buildMixin } from '../src/mixin/render.js';

// Writes the dashboards, rule files, promtool tests and PrometheusRule from src/mixin;
// test/unit/mixin.test.ts fails when the committed files differ from this output.
const { values } = parseArgs({
  options: {
    'runbook-base-url': { type: 'string' },
    job: { type: 'string' },
    out: { type: 'string', default: '.' },
  },
});

const mixin = buildMixin({
  ...(values['runbook-base-url'] ? { runbookBaseUrl: values['runbook-base-url'] } : {}),
  ...(values.job ? { job: values.job } : {}),
});
const root = new URL(`${values.out.replace(/\/?$/, '/')}`, new URL('../', import.meta.url));
for (const [path, content] of mixin.files) {
  const target = new URL(path, root);
  mkdirSync(dirname(target.pathname), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote ${path}`);
}
for (const item of mixin.omitted) {
  console.log(`left out ${item.what} ${item.name}: ${item.missing.join(', ')} not in the catalogue`);
}
