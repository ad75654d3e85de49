import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith } from '../helpers/harness.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { startPostgres } from '../helpers/postgres.js';
import { generator } from '../helpers/random.js';
import { SHAPE_LENGTH } from '../../src/connectors/dialects/dialect.js';
import { mysqlDialect } from '../../src/connectors/dialects/mysql.js';
import { postgresDialect } from '../../src/connectors/dialects/postgres.js';
import { renderReport } from '../../src/server/html.js';
import { resultsView } from '../../src/server/view.js';

/**
 * Masked and sensitive columns compared by their shapes (docs/checks/distribution.md, "Shapes"):
 * computed in each database, the same on PostgreSQL and MariaDB, shown in the API and the report,
 * while the values themselves never leave the exporter.
 */

interface Person {
  id: number;
  email: string;
  phone: string;
  note: string;
}

const ROWS = 3000;
/** A value a person could be found by: it must appear nowhere the exporter shows. */
const PLANTED = { email: 'jane.planted@example.org', phone: '+44 20-7946-0958', note: 'Käthe Planted' };

function production(): Person[] {
  const random = generator(31);
  const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');
  const people = Array.from({ length: ROWS }, (_, i) => {
    const pick = random();
    const email =
      pick < 0.5
        ? `${letters(5)}.${letters(6)}@example.com`
        : pick < 0.8
          ? `${letters(6)}${digits(2)}@mail.example.org`
          : `${letters(1).toUpperCase()}${letters(4)}_${letters(5)}@corp.io`;
    // Accented letters and symbols are "other" characters: one `#` per run on both engines.
    const note = pick < 0.3 ? `café ${digits(2)}` : pick < 0.6 ? `Ünïcode — ${letters(3)}` : `plain ${letters(4)}`;
    return { id: i + 1, email, phone: `+1 ${digits(3)}-${digits(4)}`, note };
  });
  people[7] = { id: 8, ...PLANTED };
  return people;
}

/** Masking that keeps each character's class (a letter for a letter of the same case, a digit for a digit): same shapes. */
function faithfulMask(text: string, seed: number): string {
  const random = generator(seed);
  return text.replace(/[A-Za-z0-9]/g, (char) => {
    if (/[0-9]/.test(char)) return String(Math.floor(random() * 10));
    const letter = String.fromCharCode(97 + Math.floor(random() * 26));
    return /[A-Z]/.test(char) ? letter.toUpperCase() : letter;
  });
}

const stagings: Record<string, (person: Person) => Person> = {
  faithful: (p) => ({ ...p, email: faithfulMask(p.email, p.id), phone: faithfulMask(p.phone, p.id + 1), note: faithfulMask(p.note, p.id) }),
  // The masking script every team writes once: every e-mail becomes XXXX.
  crossed_out: (p) => ({ ...p, email: 'XXXX', phone: faithfulMask(p.phone, p.id + 1), note: faithfulMask(p.note, p.id) }),
  // Same lengths, other shapes: only the shape tells.
  digits_only: (p) => ({
    ...p,
    email: '7'.repeat(p.email.length),
    phone: faithfulMask(p.phone, p.id + 1),
    note: faithfulMask(p.note, p.id),
  }),
};

const sqlText = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function load(server: DatabaseServer, database: string, people: Person[]): Promise<void> {
  if (database !== 'production') await server.exec(`CREATE DATABASE ${database}`, 'production');
  await server.exec('CREATE TABLE people (id integer PRIMARY KEY, email varchar(80), phone varchar(30), note varchar(40))', database);
  for (let start = 0; start < people.length; start += 1000) {
    const values = people.slice(start, start + 1000).map((p) => `(${p.id}, ${sqlText(p.email)}, ${sqlText(p.phone)}, ${sqlText(p.note)})`);
    await server.exec(`INSERT INTO people VALUES ${values.join(', ')}`, database);
  }
}

interface ColumnDetail {
  name: string;
  drifted: boolean;
  statistics: Record<string, { distance: number; drifted: boolean }>;
  attribution: Array<{ statistic: string; shape?: string; value?: unknown; bucket?: string; baseline: number; candidate: number }>;
}

describe('distribution: masked and sensitive columns compared by shape', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;
  const roles = new Map<DatabaseServer, LeastPrivilegeRole>();
  const people = production();

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres({ database: 'production' }), startMariaDb({ database: 'production' })]);
    await Promise.all(
      [postgres, mariadb].map(async (server) => {
        await load(server, 'production', people);
        for (const [name, mask] of Object.entries(stagings)) await load(server, name, people.map(mask));
        roles.set(
          server,
          await createLeastPrivilegeRole(server, { databases: ['production', ...Object.keys(stagings)], kinds: ['distribution'] }),
        );
      }),
    );
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  const runnerFor = (baseline: DatabaseServer, candidate: DatabaseServer) => {
    const url = (server: DatabaseServer, database: string) => (roles.get(server) as LeastPrivilegeRole).url(database);
    const sides = Object.fromEntries(Object.keys(stagings).map((name) => [name, { shop: url(candidate, name) }]));
    return new CheckRunner(
      configWith(
        { production: { shop: url(baseline, 'production') }, ...sides },
        Object.keys(stagings).map((name) => ({
          kind: 'distribution',
          name,
          database: 'shop',
          table: 'people',
          baseline: 'production',
          candidate: name,
          // `show`: shapes must stay out of the report by construction, not because values are hidden.
          examples: 'show',
          columns: [{ name: 'email', masked: true }, 'phone', { name: 'note', masked: true }],
          sensitive_columns: ['phone'],
        })),
        { defaults: { every: '1h', timeout: '60s', start_spread: '0s' } },
      ),
    );
  };
  const columnsOf = (details: Record<string, unknown> | undefined) => (details?.columns ?? []) as ColumnDetail[];

  const pairs = [
    ['PostgreSQL baseline, MariaDB candidate', () => postgres, () => mariadb],
    ['MariaDB baseline, PostgreSQL candidate', () => mariadb, () => postgres],
    ['PostgreSQL on both sides', () => postgres, () => postgres],
    ['MariaDB on both sides', () => mariadb, () => mariadb],
  ] as const;

  for (const [title, baseline, candidate] of pairs) {
    test(`${title}: faithful masking holds; XXXX for e-mails drifts on shape; same lengths in other shapes drift on shape alone`, async () => {
      const runner = runnerFor(baseline(), candidate());
      try {
        const faithful = await runner.run('faithful');
        assert.equal(faithful.lastRun?.success, true, faithful.lastRun?.error);
        assert.equal(faithful.result?.passed, true, `${faithful.result?.summary} ${JSON.stringify(columnsOf(faithful.result?.details))}`);
        for (const column of columnsOf(faithful.result?.details)) {
          assert.ok(column.statistics.shape_tv !== undefined, `${column.name} has no shape distance`);
          assert.ok(column.statistics.shape_tv.distance < 0.001, JSON.stringify(column.statistics));
        }

        const crossed = await runner.run('crossed_out');
        const email = columnsOf(crossed.result?.details).find((column) => column.name === 'email');
        assert.deepEqual(
          columnsOf(crossed.result?.details)
            .filter((column) => column.drifted)
            .map((column) => column.name),
          ['email'],
          crossed.result?.summary,
        );
        assert.ok(email?.statistics.shape_tv?.drifted && email.statistics.shape_tv.distance > 0.99, JSON.stringify(email?.statistics));
        const shapes = email.attribution.filter((entry) => entry.statistic === 'shape_tv');
        // The baseline's shapes with their shares, and the candidate's one new shape.
        const byShape = new Map(shapes.map((entry) => [entry.shape, entry]));
        assert.ok(Math.abs((byShape.get('a.a@a.a')?.baseline ?? 0) - 0.5) < 0.05, JSON.stringify(shapes));
        assert.equal(byShape.get('a.a@a.a')?.candidate, 0, JSON.stringify(shapes));
        assert.ok(
          shapes.some((entry) => entry.bucket === 'new' && entry.shape === 'A' && entry.candidate === 1),
          JSON.stringify(shapes),
        );

        const digits = await runner.run('digits_only');
        const digitEmail = columnsOf(digits.result?.details).find((column) => column.name === 'email');
        assert.equal(digitEmail?.drifted, true, JSON.stringify(digitEmail?.statistics));
        assert.equal(digitEmail.statistics.length_ks?.drifted, false, JSON.stringify(digitEmail.statistics));
        assert.equal(digitEmail.statistics.shape_tv?.drifted, true, JSON.stringify(digitEmail.statistics));
        assert.ok(
          digitEmail.attribution.some((entry) => entry.shape === '9' && entry.bucket === 'new'),
          JSON.stringify(digitEmail.attribution),
        );
      } finally {
        await runner.close();
      }
    });
  }

  test('each engine computes the same shape of a text: classes of ASCII letters and digits, separators kept, other runs as #', async () => {
    const texts = [
      'john.doe@example.com',
      'Mary_Smith42@corp.io',
      'café 12',
      'Ünïcode — abc',
      '+1 555-0100',
      'XXXX',
      '',
      'a'.repeat(40) + '.b',
    ];
    const expected = ['a.a@a.a', 'Aa_Aa9@a.a', 'a# 9', '#a#a # a', '+9 9-9', 'A', '', 'a.a'];
    for (const [server, dialect] of [
      [postgres, postgresDialect],
      [mariadb, mysqlDialect],
    ] as const) {
      const shapes: string[] = [];
      for (const text of texts) {
        const rows = await server.query<Record<string, string>>(`SELECT ${dialect.distribution.shape(sqlText(text))} AS shape`);
        shapes.push(String(Object.values(rows[0] ?? {})[0] ?? ''));
      }
      assert.deepEqual(shapes, expected, dialect.label);
    }
    // A shape is cut to SHAPE_LENGTH characters: a long value's shape says where its structure starts, never all of it.
    const long = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'ab' : '12')).join('.');
    for (const [server, dialect] of [
      [postgres, postgresDialect],
      [mariadb, mysqlDialect],
    ] as const) {
      const rows = await server.query<Record<string, string>>(`SELECT ${dialect.distribution.shape(sqlText(long))} AS shape`);
      assert.equal(String(Object.values(rows[0] ?? {})[0]), 'a.9.'.repeat(6).slice(0, SHAPE_LENGTH), dialect.label);
    }
  });

  test('a planted personal value never appears in the API, the report or the metrics; its shape may', async () => {
    const runner = runnerFor(postgres, mariadb);
    try {
      for (const name of Object.keys(stagings)) await runner.run(name);
      const view = resultsView({
        config: runner.config,
        store: runner.store,
        sides: runner.sides,
        startedAt: Date.now(),
        reload: { successful: true },
      });
      const api = JSON.stringify(view);
      const html = renderReport(view);
      const series = JSON.stringify(Object.keys(stagings).map((name) => runner.store.get(name)?.result?.series));
      assert.match(html, /a\.a@a\.a/);
      for (const value of [...Object.values(PLANTED), 'jane', 'planted', 'example.org', '7946', 'Käthe']) {
        for (const [where, text] of [
          ['API', api],
          ['report', html],
          ['metrics', series],
        ] as const)
          assert.ok(!text.toLowerCase().includes(value.toLowerCase()), `${value} appears in the ${where}`);
      }
    } finally {
      await runner.close();
    }
  });
});
