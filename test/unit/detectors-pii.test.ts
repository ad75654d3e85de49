import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  builtinDetectorNames,
  cardDetector,
  createDetectors,
  detect,
  emailDetector,
  ibanDetector,
  ibanValid,
  ipDetector,
  luhnValid,
  patternProblem,
  phoneDetector,
  reservedEmailDomains,
  tokenDetector,
  type Detector,
} from '../../src/compare/detectors.js';

function table(detector: Detector, positives: string[], negatives: string[]): void {
  for (const value of positives) assert.equal(detector.test(value), true, `${detector.name} should flag ${JSON.stringify(value)}`);
  for (const value of negatives) assert.equal(detector.test(value), false, `${detector.name} should not flag ${JSON.stringify(value)}`);
}

test('email: real-looking addresses flagged, reserved and allowed domains not', () => {
  table(
    emailDetector(),
    ['anna.schmidt@gmail.com', 'contact: Bob <bob+shop@mail.co.uk>', 'X@Sub.Example-Shop.DE', 'a@b.io'],
    [
      'customer1@example.com',
      'user@mail.example',
      'x@shop.invalid',
      'dev@localhost',
      'qa@api.test',
      'no at sign',
      '@gmail.com',
      'foo@bar',
      'user@example.org',
    ],
  );
  const allowing = emailDetector([...reservedEmailDomains, 'masked.shop.com']);
  assert.equal(allowing.test('u1@masked.shop.com'), false);
  assert.equal(allowing.test('u1@eu.masked.shop.com'), false);
  assert.equal(allowing.test('u1@notmasked.shop.com'), true, 'suffix match is on label boundaries');
});

test('Luhn: known valid and invalid numbers', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('79927398713'), true);
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(luhnValid('4111 1111'), false, 'digits only');
});

test('card: Luhn-valid numbers of known networks, grouped or not', () => {
  table(
    cardDetector(),
    [
      '4111111111111111', // Visa
      '4111 1111 1111 1111',
      'paid with 5555-5555-5555-4444 yesterday', // Mastercard
      '2223003122003222', // Mastercard 2-series
      '378282246310005', // American Express
      '6011111111111117', // Discover
      '3530111333300000', // JCB
    ],
    [
      '4111111111111112', // Luhn fails
      '1234567812345670', // Luhn-valid, no network starts with 1
      '79927398713', // too short
      '41111111111111111111', // part of a longer digit run
      'order 4111111111111111.50', // a decimal amount, not a card
      '2026-06-01 00:00:00+00',
    ],
  );
});

test('IBAN: mod-97 and country length', () => {
  assert.equal(ibanValid('DE89370400440532013000'), true);
  assert.equal(ibanValid('GB82 WEST 1234 5698 7654 32'), true);
  assert.equal(ibanValid('DE89370400440532013001'), false, 'check digits');
  assert.equal(ibanValid('DE8937040044053201300'), false, 'length of DE is 22');
  assert.equal(ibanValid('ZZ89370400440532013000'), false, 'unknown country');
  table(
    ibanDetector(),
    ['DE89370400440532013000', 'IBAN: DE89 3704 0044 0532 0130 00 EUR', 'fr1420041010050500013m02606', 'NL91ABNA0417164300'],
    ['DE89370400440532013001', 'SKU-0017', 'ABCD1234EFGH5678', 'NL91ABNA0417164301'],
  );
});

test('ip: public IPv4 and IPv6 flagged; loopback, documentation ranges, versions and times not', () => {
  table(
    ipDetector(),
    ['8.8.8.8', 'login from 81.169.145.78 at noon', '10.1.2.3', '2a00:1450:4001:81c::200e', 'client=[2606:4700:4700::1111]:443'],
    [
      '127.0.0.1',
      '0.0.0.0',
      '192.0.2.15',
      '198.51.100.7',
      '203.0.113.200',
      '::1',
      '2001:db8::1',
      '300.1.1.1',
      'version 1.2.3',
      '12:30:45',
      '00:1a:2b:3c:4d:5e',
      '1.2.3.4.5',
    ],
  );
});

test('phone: international, North American and grouped national numbers; not dates, amounts or ids', () => {
  table(
    phoneDetector(),
    [
      '+49 30 1234567',
      'call +1 (555) 123-4567 now',
      '0049 171 2345678',
      '(555) 123-4567',
      '555-123-4567',
      '030 1234 5678',
      '+44 20 7946 0958',
    ],
    [
      '2026-06-01',
      '2026-06-01 10:00:00',
      '12345678',
      'order 1000042',
      '1234.56',
      'SKU-0017',
      '+12',
      'total 123 456 789 012 345 678',
      '0800',
    ],
  );
});

test('token: provider keys, JWTs and private keys', () => {
  table(
    tokenDetector(),
    [
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'AKIAIOSFODNN7EXAMPLE',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIE...',
      'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345',
      'xoxb-123456789012-abcdefghij',
    ],
    ['sk_live_short', 'a plain sentence', '5f4dcc3b5aa765d61d8327deb882cf99', '550e8400-e29b-41d4-a716-446655440000', 'Bearer token'],
  );
});

test('user patterns run in Unicode mode; invalid ones are explained without echoing the pattern', () => {
  const detectors = createDetectors({ builtins: [], patterns: { employee_id: '^E\\d{6}$' } });
  assert.deepEqual(detect('E123456', detectors), ['employee_id']);
  assert.deepEqual(detect('E12345', detectors), []);
  assert.equal(patternProblem('^E\\d{6}$'), null);
  const problem = patternProblem('(unclosed');
  assert.match(problem ?? '', /^invalid regular expression/);
  assert.doesNotMatch(problem ?? '', /unclosed/);
});

test('detect: every built-in by default, each detector at most once per value', () => {
  const detectors = createDetectors({ builtins: builtinDetectorNames });
  assert.deepEqual(
    detectors.map((d) => d.name),
    ['email', 'phone', 'card', 'iban', 'ip', 'token'],
  );
  assert.deepEqual(detect('a@gmail.com b@gmail.com 4111111111111111 from 8.8.8.8', detectors), ['email', 'card', 'ip']);
  assert.deepEqual(detect('masked-42@example.com', detectors), []);
  assert.deepEqual(detect('', detectors), []);
});

test('detect: long values are scanned up to a bound', () => {
  const detectors = createDetectors({ builtins: ['email'] });
  assert.deepEqual(detect(`${'x'.repeat(20_000)} a@gmail.com`, detectors), []);
  assert.deepEqual(detect(`a@gmail.com ${'x'.repeat(20_000)}`, detectors), ['email']);
});
