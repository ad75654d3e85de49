// Personal data never leaves the exporter: canary values planted in differing rows of real
// PostgreSQL and MariaDB databases, read by query (keyed and key-less), table, coverage, integrity
// and masking checks through a SELECT-only role, and every output searched for them: the API, the
// report page (with its history), /metrics, /gate, debug logs, and `run`'s table, JSON, JUnit and
// report files. Examples must still say which key differs and that a value differs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { startServing } from '../../src/cli/serve.js';
import { loadConfigFile } from '../../src/runtime/load.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { runExporter } from '../helpers/exporter.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';

const READER = 'fidelity_reader';
const READER_PASSWORD = 'reader-pw-7Hq2xv';

interface Customer {
  id: number;
  email: string;
  phone: string;
  iban: string;
  note: string;
  member_code: string;
  secret_answer: string;
  tier: string;
}

// Row 1 is identical, row 2 differs in every column, row 3 is only in production, row 4 only in
// staging, row 5 has the same e-mail on both sides (hash marks must line up) and another tier.
const same: Customer = {
  id: 1,
  email: 'anna@example.com',
  phone: '',
  iban: '',
  note: 'regular',
  member_code: '',
  secret_answer: '',
  tier: 'bronze',
};
const production: Customer[] = [
  same,
  {
    id: 2,
    email: 'lena.weiss@posteo.net',
    phone: '+49 171 2345678',
    iban: 'DE89 3704 0044 0532 0130 00',
    note: 'please charge card 4111 1111 1111 1111 again',
    member_code: 'MBR-482913',
    secret_answer: 'bluebird-canary-alpha',
    tier: 'gold',
  },
  {
    id: 3,
    email: 'piotr.nowak@wp.pl',
    phone: '+48 601 234 567',
    iban: 'FR14 2004 1010 0505 0001 3M02 606',
    note: 'amex 378282246310005 on file',
    member_code: 'MBR-300117',
    secret_answer: 'falcon-canary-gamma',
    tier: 'gold',
  },
  { id: 5, email: 'same.person@posteo.net', phone: '', iban: '', note: 'regular', member_code: '', secret_answer: '', tier: 'silver' },
];
const staging: Customer[] = [
  same,
  {
    id: 2,
    email: 'jonas.berg@gmx.de',
    phone: '+44 20 7946 0958',
    iban: 'GB82 WEST 1234 5698 7654 32',
    note: 'card 5555 5555 5555 4444 please',
    member_code: 'MBR-771204',
    secret_answer: 'crimson-canary-beta',
    tier: 'silver',
  },
  {
    id: 4,
    email: 'maria.rossi@libero.it',
    phone: '+39 06 4821 9375',
    iban: 'NL91 ABNA 0417 1643 00',
    note: 'visa 4012888888881881 for refunds',
    member_code: 'MBR-904455',
    secret_answer: 'heron-canary-delta',
    tier: 'bronze',
  },
  { id: 5, email: 'same.person@posteo.net', phone: '', iban: '', note: 'regular', member_code: '', secret_answer: '', tier: 'platinum' },
];
const ORPHAN_EMAIL = 'orphan.user@web.de';

const personal = [...production, ...staging].filter((row) => row.id !== 1);
const CANARIES = [
  ...personal.flatMap((row) => [row.email, row.phone, row.iban, row.member_code, row.secret_answer]),
  '4111 1111 1111 1111',
  '5555 5555 5555 4444',
  '378282246310005',
  '4012888888881881',
  ORPHAN_EMAIL,
].filter((value) => value !== '');
/** Every form a canary could take in an output: as stored, without spaces, escaped for JSON and HTML. */
const FORMS = [
  ...new Set(
    CANARIES.flatMap((value) => [value, value.replace(/ /g, ''), JSON.stringify(value).slice(1, -1), value.replaceAll('+', '&#43;')]),
  ),
];

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;
const rowSql = (row: Customer) =>
  `(${row.id}, ${[row.email, row.phone, row.iban, row.note, row.member_code, row.secret_answer, row.tier].map(quote).join(', ')})`;

async function seed(server: DatabaseServer, database: string, rows: Customer[], orphans: string[]): Promise<void> {
  const statements = [
    'CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(200) UNIQUE, phone VARCHAR(50), iban VARCHAR(50), note VARCHAR(300), member_code VARCHAR(30), secret_answer VARCHAR(100), tier VARCHAR(20))',
    `INSERT INTO customers VALUES ${rows.map(rowSql).join(', ')}`,
    'CREATE TABLE subscriptions (id INT PRIMARY KEY, email VARCHAR(200) NOT NULL)',
    `INSERT INTO subscriptions VALUES ${[...rows.map((row) => row.email), ...orphans].map((email, index) => `(${index + 1}, ${quote(email)})`).join(', ')}`,
  ];
  for (const statement of statements) await server.exec(statement, database);
}

/** A login role with SELECT on the two tables and nothing else; the exporter connects as it. */
async function readOnlyUrl(server: DatabaseServer, engine: 'postgres' | 'mysql', database: string): Promise<string> {
  if (engine === 'postgres') {
    await server.exec(`GRANT SELECT ON customers, subscriptions TO ${READER}`, database);
  } else {
    await server.exec(`GRANT SELECT ON \`${database}\`.customers TO '${READER}'@'%'`);
    await server.exec(`GRANT SELECT ON \`${database}\`.subscriptions TO '${READER}'@'%'`);
  }
  const url = new URL(server.url(database));
  url.username = READER;
  url.password = READER_PASSWORD;
  return url.toString();
}

function configYaml(urls: Record<string, string>): string {
  const pgCustomers = 'SELECT id, email, phone, iban, note, member_code, secret_answer, tier FROM customers';
  const checks = (database: 'pg' | 'maria', extra: string) => `
  - { name: ${database}_keyed, kind: query, database: ${database}, sql: "${pgCustomers}", key: [id]${extra} }
  - { name: ${database}_keyed_shown, kind: query, database: ${database}, sql: "${pgCustomers}", key: [id], examples: show${extra} }
  - { name: ${database}_keyless, kind: query, database: ${database}, sql: "SELECT email, note, member_code, secret_answer, tier FROM customers", examples: show${extra} }
  - { name: ${database}_table, kind: table, database: ${database}, table: customers, key: [id]${extra} }
  - { name: ${database}_coverage, kind: coverage, database: ${database}, table: customers, columns: [email, phone, iban, note, member_code, secret_answer, tier], mode: values, examples: show${extra} }
  - { name: ${database}_integrity, kind: integrity, database: ${database}, examples: show, relations: [{ name: subscription_customer, child: subscriptions, columns: [email], parent: customers, parent_columns: [email] }]${extra} }
  - { name: ${database}_masking, kind: masking, database: ${database}, table: customers, key: [id], columns: [email, phone, iban, note, member_code, { name: secret_answer, masked: true }], patterns: { member: 'MBR-\\d{6}' }${extra} }`;
  return `environments:
  production:
    databases:
      pg: { url: "${urls.pgProduction}", sensitive_columns: [secret_answer] }
      maria: { url: "${urls.mariaProduction}" }
  staging:
    databases:
      pg: { url: "${urls.pgStaging}", sensitive_columns: [secret_answer] }
      maria: { url: "${urls.mariaStaging}" }
defaults: { every: 1h, timeout: 30s, start_spread: 0s }
checks:${checks('pg', '')}${checks('maria', ', sensitive_columns: [secret_answer]')}
`;
}

interface CheckOut {
  name: string;
  status: string;
  lastRun?: { success: boolean; reason?: string; error?: string };
  details?: Record<string, unknown>;
}
type Row = Record<string, string | null>;
interface RowExample {
  type: string;
  key?: Row;
  baseline?: Row;
  candidate?: Row;
  columns?: string[];
}

function examplesOf(check: CheckOut | undefined): RowExample[] {
  return (check?.details?.examples ?? []) as RowExample[];
}

function keyOf(example: RowExample): string | null | undefined {
  return (example.key ?? example.baseline ?? example.candidate)?.id;
}

/** Asserts without printing the body: a failure message must not carry a canary itself. */
function assertNoCanary(surface: string, body: string): void {
  assert.ok(body.length > 0, `${surface} is empty`);
  FORMS.forEach((form, index) => assert.ok(!body.includes(form), `${surface} contains canary form #${index}`));
}

describe('personal data in examples, on real PostgreSQL and MariaDB through a read-only role', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  let dir: string;
  let configFile: string;

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres({ database: 'production' }), startMariaDb({ database: 'production' })]);
    // The superuser builds the fixtures; the exporter gets SELECT and nothing else.
    await postgres.exec('CREATE DATABASE staging', 'production');
    await postgres.exec(`CREATE ROLE ${READER} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${READER_PASSWORD}'`, 'production');
    await mariadb.exec('CREATE DATABASE staging');
    await mariadb.exec(`CREATE USER '${READER}'@'%' IDENTIFIED BY '${READER_PASSWORD}'`);
    for (const server of [postgres, mariadb]) {
      await seed(server, 'production', production, []);
      await seed(server, 'staging', staging, [ORPHAN_EMAIL]);
    }
    const urls = {
      pgProduction: await readOnlyUrl(postgres, 'postgres', 'production'),
      pgStaging: await readOnlyUrl(postgres, 'postgres', 'staging'),
      mariaProduction: await readOnlyUrl(mariadb, 'mysql', 'production'),
      mariaStaging: await readOnlyUrl(mariadb, 'mysql', 'staging'),
    };
    dir = mkdtempSync(join(tmpdir(), 'fidelity-privacy-'));
    configFile = join(dir, 'fidelity.yaml');
    writeFileSync(configFile, configYaml(urls));
  });

  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the role the exporter uses can read and cannot write', async () => {
    const [role] = await postgres.query<{ rolsuper: boolean }>(`SELECT rolsuper FROM pg_roles WHERE rolname = '${READER}'`);
    assert.equal(role?.rolsuper, false);
    const grants = await mariadb.query<Record<string, string>>(`SHOW GRANTS FOR '${READER}'@'%'`);
    const text = grants.map((row) => Object.values(row).join(' ')).join('\n');
    assert.match(text, /GRANT SELECT ON `staging`\.`customers`/);
    assert.doesNotMatch(text, /INSERT|UPDATE|DELETE|ALL PRIVILEGES/);
  });

  test('serve: no canary in the API, the report, /metrics, /gate or debug logs; examples still locate the difference', async () => {
    const logs: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
    const config = loadConfigFile(configFile);
    const running = await startServing(config, '127.0.0.1:0', log);
    try {
      const deadline = Date.now() + 60_000;
      while (config.checks.some((check) => !running.exporter.store.get(check.name)?.lastRun) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      running.exporter.recordScores();
      const get = async (path: string) => (await fetch(new URL(path, running.url))).text();
      const [api, report, metrics, gate] = await Promise.all([get('api/v1/results'), get(''), get('metrics'), get('gate')]);
      const checks = new Map((JSON.parse(api) as { checks: CheckOut[] }).checks.map((check) => [check.name, check]));
      for (const check of checks.values())
        assert.equal(check.lastRun?.success, true, `${check.name}: ${check.lastRun?.reason} ${check.lastRun?.error}`);

      for (const database of ['pg', 'maria']) {
        // Keyed query under the default (hash): keys visible, every differing value a distinct mark.
        const keyed = examplesOf(checks.get(`${database}_keyed`));
        assert.deepEqual(
          keyed.map((example) => [example.type, keyOf(example)]).sort(),
          [
            ['changed', '2'],
            ['changed', '5'],
            ['extra', '4'],
            ['missing', '3'],
          ],
          `${database}: keys`,
        );
        const changed = keyed.find((example) => keyOf(example) === '2');
        assert.deepEqual(changed?.columns?.sort(), ['email', 'iban', 'member_code', 'note', 'phone', 'secret_answer', 'tier']);
        for (const column of changed?.columns ?? [])
          assert.notEqual(changed?.baseline?.[column], changed?.candidate?.[column], `${database}: ${column} shows as differing`);
        assert.match(changed?.baseline?.email ?? '', /^<email #[0-9a-f]{12}>$/);
        assert.match(changed?.baseline?.note ?? '', /^<card #[0-9a-f]{12}>$/);
        assert.match(changed?.baseline?.member_code ?? '', /^<member #[0-9a-f]{12}>$/);
        assert.match(changed?.baseline?.secret_answer ?? '', /^<sensitive #[0-9a-f]{12}>$/);
        assert.match(changed?.baseline?.tier ?? '', /^#[0-9a-f]{12}$/, 'an ordinary value is hashed by default');
        // Hash: the same e-mail on both sides gives the same mark; different tiers do not.
        const sameEmail = keyed.find((example) => keyOf(example) === '5');
        assert.deepEqual(sameEmail?.columns, ['tier']);
        assert.equal(sameEmail?.baseline?.email, sameEmail?.candidate?.email);
        assert.match(sameEmail?.baseline?.email ?? '', /^<email #/);
        assert.notEqual(sameEmail?.baseline?.tier, sameEmail?.candidate?.tier);

        // Under show, ordinary values are readable and personal ones still marked.
        const shown = examplesOf(checks.get(`${database}_keyed_shown`)).find((example) => keyOf(example) === '2');
        assert.deepEqual([shown?.baseline?.tier, shown?.candidate?.tier], ['gold', 'silver']);
        assert.deepEqual(
          [shown?.baseline?.phone, shown?.baseline?.iban, shown?.baseline?.secret_answer],
          ['<phone>', '<iban>', '<sensitive>'],
        );

        // Key-less: the rows that differ, which columns differ, ordinary values readable, personal ones marked.
        const keyless = examplesOf(checks.get(`${database}_keyless`));
        assert.ok(keyless.length >= 3, `${database}: key-less examples`);
        assert.ok(
          keyless.some(
            (example) =>
              example.baseline?.tier === 'gold' &&
              example.candidate?.tier === 'silver' &&
              example.columns?.includes('tier') &&
              example.baseline.email === '<email>' &&
              example.baseline.secret_answer === '<sensitive>',
          ),
          `${database}: key-less changed row`,
        );

        const table = examplesOf(checks.get(`${database}_table`));
        assert.deepEqual(table.map((example) => [example.type, example.key?.id]).sort(), [
          ['changed', '2'],
          ['changed', '5'],
          ['extra', '4'],
          ['missing', '3'],
        ]);

        const coverage = (checks.get(`${database}_coverage`)?.details?.columns ?? []) as Array<{
          column: string;
          topMissing: Array<{ value?: string }>;
        }>;
        const missing = (column: string) => coverage.find((entry) => entry.column === column)?.topMissing.map((entry) => entry.value) ?? [];
        assert.ok(
          missing('email').length > 0 && missing('email').every((value) => value?.startsWith('<email>')),
          `${database}: coverage e-mails marked`,
        );
        assert.ok(missing('secret_answer').every((value) => value === '<sensitive>') && missing('secret_answer').length > 0);
        assert.ok(missing('tier').includes('gold'), `${database}: an ordinary missing value is shown under show`);

        const relations = (checks.get(`${database}_integrity`)?.details?.relations ?? []) as Array<{
          orphanRows: number;
          danglingReferences: Array<{ references: Row; rows: number }>;
        }>;
        assert.equal(relations[0]?.orphanRows, 1);
        assert.deepEqual(relations[0]?.danglingReferences, [{ references: { email: '<email>' }, rows: 1 }]);

        // Masking counts are numbers, `token` included.
        const violations = checks.get(`${database}_masking`)?.details?.violations as Record<string, unknown>;
        for (const detector of ['email', 'phone', 'card', 'iban', 'ip', 'token', 'member', 'leak'])
          assert.equal(typeof violations[detector], 'number', `${database}: ${detector} count`);
        assert.ok((violations.email as number) >= 2 && (violations.member as number) >= 2 && violations.token === 0, `${database}: counts`);
        assert.match(metrics, new RegExp(`^fidelity_masking_violations\\{check="${database}_masking",detector="token"\\} 0$`, 'm'));
      }
      assert.match(report, /<h2[^>]*>|pg_masking/, 'the report lists the checks');
      assert.ok(
        logs.some((line) => line.includes('"sample done"')),
        'debug lines were logged',
      );
      for (const [surface, body] of Object.entries({ api, report, metrics, gate, logs: logs.join('') })) assertNoCanary(surface, body);
    } finally {
      await running.close();
    }
  });

  test('run: no canary in the table, --output.json, --output.junit, --report or debug logs; masking counts are numbers', async () => {
    const files = { json: join(dir, 'out.json'), junit: join(dir, 'out.xml'), report: join(dir, 'report.html') };
    const result = await runExporter(
      [
        'run',
        `--config.file=${configFile}`,
        '--log.level=debug',
        `--output.json=${files.json}`,
        `--output.junit=${files.junit}`,
        `--report=${files.report}`,
      ],
      { env: { NO_COLOR: '1' } },
    );
    assert.equal(result.code, 1, 'drift fails the gate');
    const outputs = {
      stdout: result.stdout,
      stderr: result.stderr,
      json: readFileSync(files.json, 'utf8'),
      junit: readFileSync(files.junit, 'utf8'),
      report: readFileSync(files.report, 'utf8'),
    };
    assert.ok(outputs.stderr.includes('"sample done"'), 'debug lines were logged');
    const json = JSON.parse(outputs.json) as {
      checks: Array<{ name: string; status: string; error?: string; details?: Record<string, unknown> }>;
    };
    for (const check of json.checks) assert.notEqual(check.status, 'error', `${check.name}: ${check.error}`);
    const masking = json.checks.find((check) => check.name === 'maria_masking')?.details?.violations as Record<string, unknown>;
    assert.equal(masking.token, 0);
    assert.equal(typeof masking.email, 'number');
    assert.match(outputs.junit, /&quot;token&quot;: 0/, 'JUnit carries the token count as a number');
    assert.match(outputs.report, /token/, 'the report lists the token count');
    assert.doesNotMatch(
      outputs.report + outputs.json + outputs.junit,
      /<redacted>|&lt;redacted&gt;/,
      'no count or example is taken for a secret',
    );
    const keyed = examplesOf(json.checks.find((check) => check.name === 'pg_keyed') as CheckOut);
    assert.deepEqual(keyed.map((example) => [example.type, keyOf(example)]).sort(), [
      ['changed', '2'],
      ['changed', '5'],
      ['extra', '4'],
      ['missing', '3'],
    ]);
    for (const [surface, body] of Object.entries(outputs)) assertNoCanary(surface, body);
  });
});
