import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { startServing } from '../../src/cli/serve.js';
import type { DatabaseServer } from '../helpers/binaries.js';
import { CheckRunner, configWith, seriesValue } from '../helpers/harness.js';
import { startMariaDb } from '../helpers/mariadb.js';
import { createLeastPrivilegeRole, type LeastPrivilegeRole } from '../helpers/least-privilege.js';
import { startPostgres } from '../helpers/postgres.js';

/**
 * masking checks on real PostgreSQL and MariaDB, and the guarantee that matters most: values a
 * masking check flags appear nowhere — not in /metrics, /api/v1/results, the HTML report or logs.
 */

function luhnComplete(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

const FIRST = ['anna', 'ben', 'chloe', 'dmitri', 'emma', 'farid'];
const LAST = ['schmidt', 'martin', 'garcia', 'novak', 'rossi'];
const CUSTOMERS = 30;

/** Production's personal data, deterministic. */
const production = Array.from({ length: CUSTOMERS }, (_, index) => {
  const id = index + 1;
  return {
    id,
    email: `${FIRST[id % FIRST.length]}.${LAST[id % LAST.length]}${id}@mailbox-${id % 3}.net`,
    phone: `+49 30 ${String(5550000 + id)}`,
    card: luhnComplete(`4929${String(10_000_000_000 + id * 7919).slice(-11)}`).replace(/(\d{4})(?=\d)/g, '$1 '),
  };
});

// Values staging must not contain, flagged in the drift test; grepped for in every output.
const LEAKED_EMAIL = production[6]!.email; // row 7
const LEAKED_CARD = production[8]!.card; // row 9
const TEST_CARD = '4111 1111 1111 1111'; // row 8
const NOTE_PHONE = '+49 171 2345678'; // row 10
const EMPLOYEE = 'EMP-12345'; // row 11
const FLAGGED = [LEAKED_EMAIL, LEAKED_CARD, LEAKED_CARD.replace(/ /g, ''), TEST_CARD, TEST_CARD.replace(/ /g, ''), NOTE_PHONE, EMPLOYEE];

const TABLE =
  'CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(200), phone varchar(50), card_number varchar(40), note varchar(200))';
const quote = (value: string | null) => (value === null ? 'NULL' : `'${value.replaceAll("'", "''")}'`);

async function seed(server: DatabaseServer, database: string, side: 'production' | 'staging'): Promise<void> {
  await server.exec(TABLE, database);
  const values = production.map((row) =>
    side === 'production'
      ? `(${row.id}, ${quote(row.email)}, ${quote(row.phone)}, ${quote(row.card)}, ${quote(`customer since ${2000 + row.id}`)})`
      : `(${row.id}, ${quote(`user${row.id}@example.com`)}, NULL, ${quote(`**** **** **** ${row.card.slice(-4)}`)}, 'masked')`,
  );
  await server.exec(`INSERT INTO customers VALUES ${values.join(', ')}`, database);
}

const DRIFT = [
  `UPDATE customers SET email = ${quote(LEAKED_EMAIL)} WHERE id = 7`,
  `UPDATE customers SET card_number = ${quote(TEST_CARD)} WHERE id = 8`,
  `UPDATE customers SET card_number = ${quote(LEAKED_CARD)} WHERE id = 9`,
  `UPDATE customers SET note = ${quote(`call me at ${NOTE_PHONE}`)} WHERE id = 10`,
  `UPDATE customers SET note = ${quote(EMPLOYEE)} WHERE id = 11`,
];

async function applyDrift(server: DatabaseServer): Promise<void> {
  for (const statement of DRIFT) await server.exec(statement, 'staging');
}

async function undoDrift(server: DatabaseServer): Promise<void> {
  await server.exec(`UPDATE customers SET email = CONCAT('user', id, '@example.com'), note = 'masked' WHERE id IN (7, 10, 11)`, 'staging');
  for (const row of production.slice(7, 9)) {
    await server.exec(
      `UPDATE customers SET card_number = ${quote(`**** **** **** ${row.card.slice(-4)}`)} WHERE id = ${row.id}`,
      'staging',
    );
  }
}

const MASKING_CHECK = {
  name: 'customer_pii',
  kind: 'masking',
  database: 'shop',
  table: 'customers',
  key: ['id'],
  columns: [{ name: 'email', masked: true }, { name: 'card_number', masked: true }, { name: 'phone', masked: true }, 'note'],
  patterns: { employee_id: '^EMP-\\d{5}$' },
};

// The exporter reads with the documented least-privilege role; the superuser only builds fixtures.
const roles = new Map<DatabaseServer, LeastPrivilegeRole>();
const pairOf = (server: DatabaseServer) => {
  const role = roles.get(server) as LeastPrivilegeRole;
  return { production: { shop: role.url('production') }, staging: { shop: role.url('staging') } };
};

describe('masking checks on real servers', () => {
  let postgres: DatabaseServer;
  let mariadb: DatabaseServer;

  before(async () => {
    [postgres, mariadb] = await Promise.all([startPostgres({ database: 'production' }), startMariaDb({ database: 'production' })]);
    await Promise.all([postgres.exec('CREATE DATABASE staging', 'production'), mariadb.exec('CREATE DATABASE staging')]);
    await Promise.all([
      seed(postgres, 'production', 'production'),
      seed(postgres, 'staging', 'staging'),
      seed(mariadb, 'production', 'production'),
      seed(mariadb, 'staging', 'staging'),
    ]);
    for (const server of [postgres, mariadb])
      roles.set(server, await createLeastPrivilegeRole(server, { databases: ['production', 'staging'], kinds: ['masking'] }));
  });
  after(async () => {
    await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
  });

  for (const [engine, server] of [
    ['PostgreSQL', () => postgres],
    ['MariaDB', () => mariadb],
  ] as const) {
    test(`${engine}: a properly masked candidate has zero violations for every detector`, async () => {
      const runner = new CheckRunner(configWith(pairOf(server()), [MASKING_CHECK]));
      try {
        const state = await runner.run('customer_pii');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        for (const detector of ['email', 'phone', 'card', 'iban', 'ip', 'token', 'employee_id', 'leak']) {
          assert.equal(seriesValue(state, 'fidelity_masking_violations', { detector }), 0, detector);
        }
        assert.equal(seriesValue(state, 'fidelity_masking_sampled_rows'), CUSTOMERS);
        assert.equal(state.result?.details.pairedRows, CUSTOMERS);
        assert.equal(state.result?.passed, true);
        assert.deepEqual(state.result?.scores, [{ dimension: 'privacy', candidate: 'staging', value: 1 }]);
      } finally {
        await runner.close();
      }
    });

    test(`${engine}: real emails, card numbers, a phone and values copied from production are found by detector`, async () => {
      const runner = new CheckRunner(configWith(pairOf(server()), [MASKING_CHECK]));
      try {
        await applyDrift(server());
        const state = await runner.run('customer_pii');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        const expected: Record<string, number> = { email: 1, phone: 1, card: 2, iban: 0, ip: 0, token: 0, employee_id: 1, leak: 2 };
        for (const [detector, count] of Object.entries(expected)) {
          assert.equal(seriesValue(state, 'fidelity_masking_violations', { detector }), count, detector);
        }
        const offending = state.result?.details.offendingRows as Array<{ column: string; detector: string; key: { id: string } }>;
        assert.deepEqual(offending.map((o) => `${o.key.id}:${o.column}:${o.detector}`).sort(), [
          '10:note:phone',
          '11:note:employee_id',
          '7:email:email',
          '7:email:leak',
          '8:card_number:card',
          '9:card_number:card',
          '9:card_number:leak',
        ]);
        assert.equal(state.result?.passed, false);
        assert.deepEqual(state.result?.scores, [{ dimension: 'privacy', candidate: 'staging', value: 0 }]);
        const text = JSON.stringify(state.result);
        for (const value of FLAGGED) assert.ok(!text.includes(value), 'a flagged value is in the check result');
      } finally {
        await undoDrift(server());
        await runner.close();
      }
    });
  }

  for (const [engine, server] of [
    ['PostgreSQL', () => postgres],
    ['MariaDB', () => mariadb],
  ] as const) {
    test(`${engine}: composite keys pair rows for leak detection`, async () => {
      const table = 'CREATE TABLE addresses (customer_id bigint, kind varchar(10), street varchar(100), PRIMARY KEY (customer_id, kind))';
      await server().exec(table, 'production');
      await server().exec(table, 'staging');
      await server().exec(
        "INSERT INTO addresses VALUES (1, 'home', 'Hauptstrasse 1'), (1, 'work', 'Ring 7'), (2, 'home', 'Gartenweg 3')",
        'production',
      );
      // Staging masked every street but the work address of customer 1.
      await server().exec(
        "INSERT INTO addresses VALUES (1, 'home', 'Street A'), (1, 'work', 'Ring 7'), (2, 'home', 'Street C')",
        'staging',
      );
      const runner = new CheckRunner(
        configWith(pairOf(server()), [
          {
            name: 'streets',
            kind: 'masking',
            database: 'shop',
            table: 'addresses',
            key: ['customer_id', 'kind'],
            columns: [{ name: 'street', masked: true, detect: false }],
          },
        ]),
      );
      try {
        const state = await runner.run('streets');
        assert.equal(state.lastRun?.success, true, state.lastRun?.error);
        assert.equal(state.result?.details.pairedRows, 3);
        assert.deepEqual(
          state.result?.series.map((s) => [s.metric, s.labels.detector, s.value]),
          [
            ['fidelity_masking_violations', 'leak', 1],
            ['fidelity_masking_sampled_rows', undefined, 3],
          ],
        );
        assert.deepEqual(state.result?.details.offendingRows, [
          { column: 'street', detector: 'leak', key: { customer_id: '1', kind: 'work' } },
        ]);
      } finally {
        await runner.close();
        await server().exec('DROP TABLE addresses', 'production');
        await server().exec('DROP TABLE addresses', 'staging');
      }
    });
  }

  test('keys are not shown when a key column is itself scanned', async () => {
    const runner = new CheckRunner(
      configWith(pairOf(postgres), [
        { name: 'by_email', kind: 'masking', database: 'shop', table: 'customers', key: ['email'], columns: ['email'] },
      ]),
    );
    try {
      await applyDrift(postgres);
      const state = await runner.run('by_email');
      assert.equal(seriesValue(state, 'fidelity_masking_violations', { detector: 'email' }), 1);
      assert.equal(state.result?.details.keysShown, false);
      assert.deepEqual(state.result?.details.offendingRows, [{ column: 'email', detector: 'email' }]);
    } finally {
      await undoDrift(postgres);
      await runner.close();
    }
  });

  test('a failing sample does not carry a value in its error message', async () => {
    // Staging's key column changed type and holds an email: the baseline's lookup by key fails
    // with an error that quotes the value ("invalid input syntax for type bigint: ...").
    await postgres.exec('CREATE TABLE accounts (id bigint PRIMARY KEY, secret text)', 'production');
    await postgres.exec(
      "CREATE TABLE accounts (id text PRIMARY KEY, secret text); INSERT INTO accounts VALUES ('lena.weiss@posteo.net', 'x')",
      'staging',
    );
    const runner = new CheckRunner(
      configWith(pairOf(postgres), [
        {
          name: 'accounts',
          kind: 'masking',
          database: 'shop',
          table: 'accounts',
          key: ['id'],
          columns: [{ name: 'secret', masked: true }],
        },
      ]),
    );
    try {
      const state = await runner.run('accounts');
      assert.equal(state.lastRun?.success, false);
      assert.equal(state.lastRun?.reason, 'query');
      assert.ok(!(state.lastRun?.error ?? '').includes('posteo'), 'the error message carries the value');
      assert.ok((state.lastRun?.error ?? '').includes('"<value>"'), 'the quoted value is replaced');
    } finally {
      await runner.close();
      await postgres.exec('DROP TABLE accounts', 'production');
      await postgres.exec('DROP TABLE accounts', 'staging');
    }
  });

  test('no metric, API response, HTML report or log line contains a flagged value', async () => {
    await applyDrift(postgres);
    const logs: string[] = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
    const config = configWith(pairOf(postgres), [
      MASKING_CHECK,
      {
        name: 'email_coverage',
        kind: 'coverage',
        database: 'shop',
        table: 'customers',
        columns: [{ name: 'email', masked: true, mode: 'values' }, 'card_number'],
      },
      { name: 'customers_rows', kind: 'query', database: 'shop', sql: 'SELECT count(*) AS customers FROM customers' },
    ]);
    const running = await startServing(config, '127.0.0.1:0', log);
    try {
      const deadline = Date.now() + 20_000;
      while (config.checks.some((check) => !running.exporter.store.get(check.name)?.lastRun) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const get = async (path: string) => {
        const response = await fetch(new URL(path, running.url));
        assert.equal(response.status, 200, path);
        return response.text();
      };
      const [metrics, api, html] = await Promise.all([get('metrics'), get('api/v1/results'), get('')]);
      // The checks did flag the values (otherwise this test would prove nothing). assert.ok, not
      // assert.match: a failure must not print a body that might hold a flagged value.
      const has = (body: string, pattern: RegExp, what: string) => assert.ok(pattern.test(body), what);
      has(metrics, /^fidelity_masking_violations\{check="customer_pii",detector="leak"\} 2$/m, 'metrics: 2 leaks');
      has(metrics, /^fidelity_masking_violations\{check="customer_pii",detector="card"\} 2$/m, 'metrics: 2 cards');
      has(
        metrics,
        /^fidelity_data_coverage_ratio\{(?=[^}]*check="email_coverage")(?=[^}]*column="email")[^}]*\} 0\.033/m,
        'metrics: email coverage 1/30',
      );
      has(api, /"offendingRows"/, 'api: offending rows listed');
      has(api, /"value":"<card #[0-9a-f]{12}>"/, 'api: missing card numbers of the coverage check are marked');
      has(html, /customer_pii/, 'html: the check is shown');
      assert.ok(logs.length > 0, 'the logger captured lines');
      assert.ok(
        logs.some((line) => line.includes('sample done')),
        'debug sample lines were logged',
      );
      const outputs = { metrics, api, html, logs: logs.join('') };
      for (const [name, body] of Object.entries(outputs)) {
        FLAGGED.forEach((value, index) => {
          assert.ok(!body.includes(value), `${name} contains flagged value #${index}`);
          assert.ok(
            !body.includes(value.replaceAll('.', '&#46;')) && !body.includes(JSON.stringify(value).slice(1, -1)),
            `${name} contains an escaped flagged value #${index}`,
          );
        });
        // No production email or card number at all, leaked or not: the coverage check lists
        // missing card numbers, and must redact them.
        for (const row of production) {
          assert.ok(!body.includes(row.email), `${name} contains a production email (id ${row.id})`);
          assert.ok(
            !body.includes(row.card) && !body.includes(row.card.replace(/ /g, '')),
            `${name} contains a production card (id ${row.id})`,
          );
        }
      }
    } finally {
      await running.close();
      await undoDrift(postgres);
    }
  });
});

test('masking config: masked columns need a key, cannot be the key; patterns must compile and not shadow built-ins', () => {
  assert.throws(
    () =>
      configWith({ production: { shop: 'postgres://u@h/db' }, staging: { shop: 'postgres://u@h/db' } }, [
        { name: 'a', kind: 'masking', database: 'shop', table: 't', columns: [{ name: 'email', masked: true }] },
        {
          name: 'b',
          kind: 'masking',
          database: 'shop',
          table: 't',
          key: ['email'],
          columns: [{ name: 'email', masked: true }],
          patterns: { card: 'x', bad: '(' },
        },
      ]),
    (error: Error) => {
      assert.match(error.message, /checks\[0\]\.key: is required when a column is masked/);
      assert.match(error.message, /checks\[1\]\.columns\[0\]: a masked column cannot be part of key/);
      assert.match(error.message, /checks\[1\]\.patterns\.card: "card" is the name of a built-in detector/);
      assert.match(error.message, /checks\[1\]\.patterns\.bad: invalid regular expression/);
      return true;
    },
  );
});
