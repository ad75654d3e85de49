// The examples policy (compare/privacy.ts) and its configuration (results/privacy.ts): what a value
// read from a compared system may look like when it leaves the exporter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckResult } from '../../src/checks/check.js';
import { builtinDetectorNames, createDetectors } from '../../src/compare/detectors.js';
import {
  HIDDEN,
  protectDetails,
  protectText,
  protectValue,
  scrubFields,
  type ExamplesPolicy,
  type PrivacyRules,
} from '../../src/compare/privacy.js';
import { loadConfigObject } from '../../src/runtime/load.js';
import { ExamplesPrivacy } from '../../src/results/privacy.js';
import { redact } from '../../src/server/redact.js';

const CARD = '4111 1111 1111 1111';
const EMAIL = 'lena.weiss@posteo.net';
const detectors = createDetectors({ builtins: builtinDetectorNames, patterns: { employee: 'EMP-\\d{5}' } });

function rules(policy: ExamplesPolicy, extra: Partial<PrivacyRules> = {}): PrivacyRules {
  return { policy, detectors, hashKey: 'test-key', sensitive: new Set(['note']), key: new Set(['id']), ...extra };
}

test('personal data and sensitive columns are marked under every policy; keys stay; other values follow the policy', () => {
  const expected: Record<ExamplesPolicy, Array<[unknown, unknown]>> = {
    show: [
      [CARD, '<card>'],
      [`please charge card ${CARD} again`, '<card>'],
      [EMAIL, '<email>'],
      ['EMP-12345', '<employee>'],
      ['paid', 'paid'],
      [12.5, 12.5],
    ],
    hide: [
      [CARD, '<card>'],
      [EMAIL, '<email>'],
      ['paid', HIDDEN],
      [12.5, HIDDEN],
    ],
    hash: [
      [CARD, /^<card #[0-9a-f]{12}>$/],
      [EMAIL, /^<email #[0-9a-f]{12}>$/],
      ['paid', /^#[0-9a-f]{12}$/],
    ],
  };
  for (const [policy, cases] of Object.entries(expected) as Array<[ExamplesPolicy, Array<[unknown, unknown]>]>) {
    for (const [input, output] of cases) {
      const actual = protectValue(input as string, 'status', false, rules(policy));
      if (output instanceof RegExp) assert.match(String(actual), output, `${policy}: ${String(input)}`);
      else assert.equal(actual, output, `${policy}: ${String(input)}`);
    }
    assert.equal(
      String(protectValue('ordinary note', 'note', false, rules(policy))).startsWith('<sensitive'),
      true,
      `${policy}: sensitive column`,
    );
    assert.equal(protectValue('42', 'id', true, rules(policy)), '42', `${policy}: key shown`);
    assert.equal(String(protectValue(EMAIL, 'id', true, rules(policy))).startsWith('<email'), true, `${policy}: a personal key is marked`);
    assert.equal(
      String(protectValue('secret-ish', 'Note', true, rules(policy))).startsWith('<sensitive'),
      true,
      `${policy}: a sensitive key is marked (any case)`,
    );
    assert.equal(protectValue(null, 'status', false, rules(policy)), null, `${policy}: NULL stays NULL`);
  }
});

test('hash: the same value gives the same mark on both sides and in every row; different values differ; the key matters', () => {
  const hash = rules('hash');
  assert.equal(protectValue(CARD, 'note', false, hash), protectValue(CARD, 'card', false, hash));
  assert.notEqual(protectValue(CARD, 'note', false, hash), protectValue('5555 5555 5555 4444', 'note', false, hash));
  assert.equal(protectValue('paid', 'status', false, hash), protectValue('paid', 'status', false, hash));
  assert.notEqual(protectValue('paid', 'status', false, hash), protectValue('pending', 'status', false, hash));
  assert.notEqual(
    protectValue('paid', 'status', false, hash),
    protectValue('paid', 'status', false, rules('hash', { hashKey: 'other-key' })),
  );
  // Protected again once its column became sensitive, a mark stays what it was: marks keep lining up.
  const again = { ...hash, again: true };
  const marked = protectValue(EMAIL, 'contact', false, hash);
  assert.equal(protectValue(marked, 'note', false, again), marked);
  assert.equal(
    protectValue(protectValue('paid', 'status', false, hash), 'note', false, again),
    protectValue('paid', 'status', false, hash),
  );
  // A value read from a database that only looks like a mark is protected like any other.
  assert.match(String(protectValue('<b>', 'note', false, hash)), /^<sensitive #[0-9a-f]{12}>$/);
});

test('free text keeps its words and loses the personal data in it', () => {
  const show = rules('show');
  assert.equal(protectText(`please charge card ${CARD} again, or mail ${EMAIL}`, show), 'please charge card <card> again, or mail <email>');
  assert.equal(
    protectText('invalid input syntax for type bigint: "+49 171 2345678"', show),
    'invalid input syntax for type bigint: <phone>',
  );
  assert.equal(protectText('3 of 120 rows differ', show), '3 of 120 rows differ');
  assert.match(protectText(`${'x'.repeat(5000)} ${EMAIL}`, show), /^<email> \(text withheld/);
});

test('log fields: personal data in any string field is marked, other fields untouched', () => {
  assert.deepEqual(
    scrubFields({ check: 'orders', err: `duplicate key value: "${EMAIL}"`, count: 3, nested: { note: `card ${CARD}` } }, detectors),
    {
      check: 'orders',
      err: 'duplicate key value: <email>',
      count: 3,
      nested: { note: 'card <card>' },
    },
  );
});

test('details: example rows, key records, column values and stray strings are protected; structure stays', () => {
  const details = {
    engine: 'postgres',
    examples: [
      {
        type: 'changed',
        baseline: { id: '7', email: EMAIL, note: 'hi', tier: 'gold' },
        candidate: { id: '7', email: 'x@example.com', note: 'ho', tier: 'silver' },
        columns: ['email', 'note', 'tier'],
      },
      { type: 'missing', key: { id: '8' } },
    ],
    relations: [{ relation: 'orders_customer', danglingReferences: [{ references: { customer_id: '99' }, rows: 2 }] }],
    columns: [
      { column: 'note', topMissing: [{ value: 'free text', shape: 'len 8-15: lower', rows: 1 }] },
      { column: 'tier', topMissing: [{ value: 'gold', shape: 'len 4-7', rows: 3 }] },
    ],
    offendingRows: [{ column: 'email', detector: 'email', key: { id: '7' } }],
    error: `staging said: ${CARD}`,
    violations: { email: 1, token: 2 },
  };
  const out = protectDetails(details, rules('show')) as typeof details;
  assert.deepEqual(out.examples[0], {
    type: 'changed',
    baseline: { id: '7', email: '<email>', note: '<sensitive>', tier: 'gold' },
    candidate: { id: '7', email: 'x@example.com', note: '<sensitive>', tier: 'silver' },
    columns: ['email', 'note', 'tier'],
  });
  assert.deepEqual(out.examples[1], { type: 'missing', key: { id: '8' } });
  assert.deepEqual(out.relations[0]?.danglingReferences, [{ references: { customer_id: '99' }, rows: 2 }]);
  assert.equal(out.columns[0]?.topMissing[0]?.value, '<sensitive>');
  assert.equal(out.columns[1]?.topMissing[0]?.value, 'gold');
  assert.deepEqual(out.offendingRows, [{ column: 'email', detector: 'email', key: { id: '7' } }]);
  assert.equal(out.error, 'staging said: <card>');
  assert.deepEqual(out.violations, { email: 1, token: 2 }, 'counts stay numbers');

  const hashed = protectDetails(details, rules('hash')) as typeof details;
  const [row] = hashed.examples as Array<{ baseline: Record<string, string>; candidate: Record<string, string> }>;
  assert.equal(row?.baseline.id, '7', 'the key stays visible under hash');
  assert.notEqual(row?.baseline.tier, row?.candidate.tier, 'a differing value shows as differing');
  assert.match(row?.baseline.tier ?? '', /^#[0-9a-f]{12}$/);
});

test('configuration: defaults.examples, per-check policy, sensitive_columns per database and check, masking columns and patterns', () => {
  const config = loadConfigObject(
    {
      environments: {
        production: { databases: { shop: { url: 'postgres://u@h/db', sensitive_columns: ['Notes'] } } },
        staging: { databases: { shop: { url: 'postgres://u@h/db' } } },
      },
      defaults: { examples: 'show' },
      checks: [
        { name: 'rows', kind: 'query', database: 'shop', sql: 'SELECT 1', key: ['id'], sensitive_columns: ['tier'] },
        { name: 'hidden', kind: 'query', database: 'shop', sql: 'SELECT 1', examples: 'hide' },
        {
          name: 'pii',
          kind: 'masking',
          database: 'shop',
          table: 'customers',
          key: ['id'],
          columns: [{ name: 'street', masked: true }, 'phone'],
          patterns: { member: 'MBR-\\d{6}' },
        },
      ],
    },
    { env: {} },
  );
  const privacy = new ExamplesPrivacy(config.root, config.checks);
  const [rows, hidden] = config.checks;
  const row = { id: '1', notes: 'n', tier: 'gold', street: 'Main St 1', phone: '5', code: 'MBR-123456', status: 'paid' };
  const result: CheckResult = {
    passed: false,
    summary: 's',
    series: [],
    scores: [],
    details: { examples: [{ type: 'extra', candidate: row }] },
  };
  const shown = (privacy.protectResult(rows!, result).details.examples as Array<{ candidate: Record<string, string> }>)[0]?.candidate;
  assert.deepEqual(shown, {
    id: '1',
    notes: '<sensitive>',
    tier: '<sensitive>',
    street: '<sensitive>',
    phone: '5',
    code: '<member>',
    status: 'paid',
  });
  const hiddenRow = (privacy.protectResult(hidden!, result).details.examples as Array<{ candidate: Record<string, string> }>)[0]?.candidate;
  assert.equal(hiddenRow?.status, HIDDEN);
  assert.equal(hiddenRow?.tier, HIDDEN, 'tier is sensitive only for the check that says so');

  // A masking sample flags `phone`: it is sensitive in every check of that database from now on.
  assert.equal(privacy.flag({ database: 'shop', columns: ['phone'] }), true);
  assert.equal(privacy.flag({ database: 'shop', columns: ['phone'] }), false);
  const after = (privacy.protectResult(rows!, result).details.examples as Array<{ candidate: Record<string, string> }>)[0]?.candidate;
  assert.equal(after?.phone, '<sensitive>');
  // A reload builds a new policy; what masking samples found is kept until they run again.
  const reloaded = new ExamplesPrivacy(config.root, config.checks);
  reloaded.inheritFlagged(privacy);
  assert.equal(
    (reloaded.protectResult(rows!, result).details.examples as Array<{ candidate: Record<string, string> }>)[0]?.candidate.phone,
    '<sensitive>',
  );
});

test('the default policy is hash', () => {
  const config = loadConfigObject({ environments: { production: {}, staging: {} } }, { env: {} });
  assert.equal(config.root.defaults.examples, 'hash');
});

test("secret redaction goes by origin and value, never by the exporter's own field names", () => {
  loadConfigObject(
    { environments: { production: { http: { base_url: 'https://shop.example.com', headers: { 'X-Api-Key': 'k3y-very-secret-4711' } } } } },
    { env: {} },
  );
  assert.deepEqual(redact({ violations: { email: 2, token: 3 }, password_rotation_days: 30 }), {
    violations: { email: 2, token: 3 },
    password_rotation_days: 30,
  });
  assert.deepEqual(redact({ message: 'upstream echoed k3y-very-secret-4711 back' }), { message: 'upstream echoed <secret> back' });
  assert.deepEqual(redact({ differences: [{ path: 'db.password', change: 'changed', secret: true, differs: true, baseline: 'a' }] }), {
    differences: [{ path: 'db.password', change: 'changed', secret: true, differs: true, baseline: '<redacted>' }],
  });
});
