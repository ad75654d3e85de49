import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { catalogue } from '../../src/metrics/catalogue.js';
import { renderMetricsDoc } from '../../src/metrics/docs.js';

test('docs/metrics.md is generated from the current catalogue (run `npm run docs`)', () => {
  const committed = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  assert.equal(committed, renderMetricsDoc());
});

test('every catalogued metric follows the naming rules', () => {
  for (const [name, spec] of Object.entries(catalogue)) {
    assert.match(name, /^fidelity_[a-z0-9_]+$/, name);
    if (spec.type === 'counter') assert.match(name, /_total$/, `${name}: counters end in _total`);
    else assert.doesNotMatch(name, /_total$/, `${name}: only counters end in _total`);
    assert.ok(spec.help.length > 10, `${name}: help text`);
    for (const label of spec.labels) assert.match(label, /^[a-z_]+$/, `${name}: label ${label}`);
  }
});
