/**
 * Builds the benchmark pair for bench/table.ts: an orders-shaped table in "production" and a copy
 * in "staging" with known drift (deleted, inserted and changed rows spread over the key range).
 * Production keys are even numbers so that inserted staging rows (odd keys) fall between them.
 */

export interface Drift {
  deleted: bigint[];
  inserted: bigint[];
  changed: bigint[];
}

export function driftFor(rows: number, counts = { deleted: 50, inserted: 50, changed: 100 }): Drift {
  const spread = (count: number, offset: number) =>
    Array.from({ length: count }, (_, k) => BigInt(Math.floor(((k + 0.5) * rows) / count) + offset));
  // Production keys are 2*i for i in 1..rows; pick different i for each kind of drift.
  return {
    deleted: spread(counts.deleted, 3).map((i) => 2n * i),
    inserted: spread(counts.inserted, 5).map((i) => 2n * i + 1n),
    changed: spread(counts.changed, 11).map((i) => 2n * i),
  };
}

const COLUMNS = `(
  id bigint NOT NULL,
  customer_id integer NOT NULL,
  status text NOT NULL,
  total numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL,
  note text
)`;

/** The production rows as a SELECT over generate_series (PostgreSQL). */
export function productionRowsSql(rows: number): string {
  return `SELECT 2 * i AS id, ((i * 7919) % 100000)::integer AS customer_id,
    (ARRAY['new','paid','shipped','delivered','cancelled'])[1 + i % 5] AS status,
    round(((i * 7919) % 5000000)::numeric / 100 + 1, 2) AS total,
    timestamptz '2024-01-01 00:00:00+00' + i * interval '3 seconds' + (i % 997) * interval '1 microsecond' AS created_at,
    CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || i || ' ünïcødé' END AS note
  FROM generate_series(1::bigint, ${rows}) AS i`;
}

/** Statements that build both PostgreSQL tables and apply the drift to staging. */
export function postgresPairSql(
  rows: number,
  drift: Drift,
  names = { production: 'orders_production', staging: 'orders_staging' },
): string[] {
  const list = (keys: bigint[]) => keys.join(',');
  return [
    `DROP TABLE IF EXISTS ${names.production}, ${names.staging}`,
    `CREATE TABLE ${names.production} ${COLUMNS}`,
    `INSERT INTO ${names.production} ${productionRowsSql(rows)}`,
    `ALTER TABLE ${names.production} ADD PRIMARY KEY (id)`,
    `CREATE TABLE ${names.staging} ${COLUMNS}`,
    `INSERT INTO ${names.staging} SELECT * FROM ${names.production} WHERE id NOT IN (${list(drift.deleted)})`,
    `INSERT INTO ${names.staging} SELECT id + 1, customer_id, status, total + 1, created_at, 'inserted' FROM ${names.production} WHERE id IN (${list(drift.inserted.map((key) => key - 1n))})`,
    `ALTER TABLE ${names.staging} ADD PRIMARY KEY (id)`,
    // Three flavours of change: a numeric cent, a NULL flipped, a timestamp microsecond.
    `UPDATE ${names.staging} SET
       total = CASE WHEN id % 3 = 0 THEN total + 0.01 ELSE total END,
       note = CASE WHEN id % 3 = 1 THEN (CASE WHEN note IS NULL THEN 'was null' ELSE NULL END) ELSE note END,
       created_at = CASE WHEN id % 3 = 2 THEN created_at + interval '1 microsecond' ELSE created_at END
     WHERE id IN (${list(drift.changed)})`,
    `VACUUM (FREEZE, ANALYZE) ${names.production}`,
    `VACUUM (FREEZE, ANALYZE) ${names.staging}`,
  ];
}

/** MariaDB table of the same shape (for the cross-engine pair). */
export const MARIADB_TABLE = `CREATE TABLE orders (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id INT NOT NULL,
  status VARCHAR(20) NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  note TEXT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
