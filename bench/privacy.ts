// Cost of the examples policy where a result enters the results store: one query result with
// 1000 example rows (the max_examples ceiling) of 8 columns, mixed ordinary and personal values.
// Prints figures; asserts nothing. Run: npx tsx bench/privacy.ts
import type { CheckResult } from '../src/checks/check.js';
import { loadConfigObject } from '../src/runtime/load.js';
import { ExamplesPrivacy } from '../src/results/privacy.js';

const EXAMPLES = 1000;
const RUNS = 20;

const config = loadConfigObject(
  {
    environments: {
      production: { databases: { shop: { url: 'postgres://u@h/db', sensitive_columns: ['full_name'] } } },
      staging: { databases: { shop: { url: 'postgres://u@h/db' } } },
    },
    checks: [{ name: 'customers', kind: 'query', database: 'shop', sql: 'SELECT 1', key: ['id'] }],
  },
  { env: {} },
);
const row = (i: number, side: string) => ({
  id: String(i),
  email: `person${i}.${side}@mailbox.net`,
  full_name: `Person ${i}`,
  note: i % 10 === 0 ? `card 4111 1111 1111 1111 ${side}` : `ordinary note ${i} ${side}`,
  status: i % 2 === 0 ? 'paid' : 'pending',
  total: `${i}.50`,
  created_at: '2026-12-07 10:00:00',
  phone: i % 5 === 0 ? '+49 171 2345678' : '',
});
const result: CheckResult = {
  passed: false,
  summary: `${EXAMPLES} rows differ`,
  series: [],
  scores: [],
  details: {
    examples: Array.from({ length: EXAMPLES }, (_, i) => ({
      type: 'changed',
      baseline: row(i, 'a'),
      candidate: row(i, 'b'),
      columns: ['email', 'note'],
    })),
  },
};

for (const policy of ['hash', 'show', 'hide'] as const) {
  const check = { ...config.checks[0]!, examples: policy };
  const privacy = new ExamplesPrivacy(config.root, config.checks);
  privacy.protectResult(check, result);
  const start = performance.now();
  for (let i = 0; i < RUNS; i += 1) privacy.protectResult(check, result);
  const ms = (performance.now() - start) / RUNS;
  console.log(`RESULT privacy_protect_${policy}_1000_examples_ms ${ms.toFixed(1)}`);
  console.log(`RESULT privacy_protect_${policy}_per_value_us ${((ms * 1000) / (EXAMPLES * 2 * 8)).toFixed(2)}`);
}
