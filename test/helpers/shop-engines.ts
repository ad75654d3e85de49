// The same shop, seeded into PostgreSQL and into MariaDB with each engine's usual spelling of the
// types a migration between them meets (docs/cross-engine.md): booleans, json, uuids, decimals,
// timestamps, text lengths, integer display widths, doubles, bytes and enums. Identical rows.

const CUSTOMERS = [
  [1, 'ana@example.com', 'Ana Lima', true, '2f1e0c4a-6b1d-4c8e-9a37-0c5d1f2e3a4b', '2026-03-01 10:00:00.123456'],
  [2, 'bo@example.com', 'Bo Ørsted', false, 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d', '2026-03-02 11:30:00'],
  [3, 'chen@example.com', '陈 🚀', true, '00000000-0000-4000-8000-000000000003', '2026-03-03 00:00:00.5'],
] as const;

const PRODUCTS = [
  [10, 'SKU-0010', 'Lamp', '19.90', 0.25, '{"color": "red", "tags": ["home", "light"], "watts": 40}', 'cafe01', 'physical'],
  [11, 'SKU-0011', 'E-book', '5.00', null, '{"pages": 320, "drm": false}', null, 'digital'],
  [12, 'SKU-0012', 'Chair', '120.00', 7.5, '{"size": {"h": 90, "w": 45}}', '00ff', 'physical'],
] as const;

const ORDERS = [
  [
    100,
    1,
    'paid',
    true,
    '25.40',
    '9007199254740993',
    'first order',
    '2026-03-04 09:00:00',
    '2026-03-04 09:05:00.25',
    'b7e0d7a2-1c3f-4e5a-8b9c-0d1e2f3a4b5c',
  ],
  [
    101,
    2,
    'new',
    false,
    '5.00',
    '-9223372036854775808',
    null,
    '2026-03-05 12:00:00',
    '2026-03-05 12:00:00',
    '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
  ],
  [
    102,
    3,
    'shipped',
    true,
    '120.00',
    '9223372036854775807',
    '',
    '2026-03-06 18:30:00.5',
    '2026-03-06 18:31:00',
    'e1d2c3b4-a5f6-4071-8293-a4b5c6d7e8f9',
  ],
] as const;

const ITEMS = [
  [100, 10, 1],
  [100, 11, 1],
  [101, 11, 1],
  [102, 12, 1],
] as const;

function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `'${value.replaceAll("'", "''")}'`;
}

const rows = (
  list: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>,
  map: (row: ReadonlyArray<string | number | boolean | null>) => string[] = (row) => row.map(literal),
) => list.map((row) => `(${map(row).join(', ')})`).join(',\n  ');

export const SHOP_POSTGRES = `
CREATE TYPE product_kind AS ENUM ('physical', 'digital');
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE customers (
  id bigint PRIMARY KEY,
  email varchar(120) NOT NULL,
  name text NOT NULL,
  active boolean NOT NULL DEFAULT false,
  external_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT customers_email_key UNIQUE (email)
);
CREATE TABLE products (
  id integer PRIMARY KEY,
  sku varchar(20) NOT NULL,
  title text NOT NULL,
  price numeric(12,2) NOT NULL DEFAULT 0,
  weight double precision,
  attrs jsonb,
  image bytea,
  kind product_kind NOT NULL DEFAULT 'physical'
);
CREATE INDEX products_sku ON products (sku);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  status order_status NOT NULL DEFAULT 'new',
  paid boolean NOT NULL DEFAULT false,
  total numeric(12,2) NOT NULL,
  big_ref bigint,
  note text,
  placed_at timestamp NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  token uuid NOT NULL,
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_placed ON orders (placed_at);
CREATE TABLE order_items (
  order_id bigint NOT NULL,
  product_id integer NOT NULL,
  qty smallint NOT NULL DEFAULT 1,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON UPDATE RESTRICT
);
CREATE INDEX order_items_product ON order_items (product_id);
INSERT INTO customers VALUES
  ${rows(CUSTOMERS, (row) => [...row.slice(0, 5).map(literal), `${literal(row[5] ?? null)}::timestamp AT TIME ZONE 'UTC'`])};
INSERT INTO products VALUES
  ${rows(PRODUCTS, (row) => [...row.slice(0, 6).map(literal), row[6] === null ? 'NULL' : `'\\x${String(row[6])}'::bytea`, literal(row[7] ?? null)])};
INSERT INTO orders VALUES
  ${rows(ORDERS, (row) => [...row.slice(0, 8).map(literal), `${literal(row[8] ?? null)}::timestamp AT TIME ZONE 'UTC'`, literal(row[9] ?? null)])};
INSERT INTO order_items VALUES
  ${rows(ITEMS)};
ANALYZE;
`;

// MariaDB spellings: display widths, BOOLEAN (tinyint(1)), json (longtext with a json_valid check),
// uuid (10.7+) and char(36), longtext, datetime(6), timestamp(6), decimal, double, blob, enum.
export const SHOP_MARIADB = `
SET time_zone = '+00:00';
CREATE TABLE customers (
  id bigint(20) NOT NULL PRIMARY KEY,
  email varchar(120) NOT NULL,
  name longtext NOT NULL,
  active tinyint(1) NOT NULL DEFAULT 0,
  external_id uuid NOT NULL,
  created_at timestamp(6) NOT NULL DEFAULT current_timestamp(6),
  CONSTRAINT customers_email_key UNIQUE (email)
) CHARACTER SET utf8mb4;
CREATE TABLE products (
  id int(11) NOT NULL PRIMARY KEY,
  sku varchar(20) NOT NULL,
  title text NOT NULL,
  price decimal(12,2) NOT NULL DEFAULT 0.00,
  weight double,
  attrs json,
  image blob,
  kind enum('physical','digital') NOT NULL DEFAULT 'physical',
  INDEX products_sku (sku)
) CHARACTER SET utf8mb4;
CREATE TABLE orders (
  id bigint(20) NOT NULL PRIMARY KEY,
  customer_id bigint(20) NOT NULL,
  status enum('new','paid','shipped') NOT NULL DEFAULT 'new',
  paid BOOLEAN NOT NULL DEFAULT FALSE,
  total decimal(12,2) NOT NULL,
  big_ref bigint(20),
  note text,
  placed_at datetime(6) NOT NULL,
  updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  token char(36) NOT NULL,
  INDEX orders_customer (customer_id),
  INDEX orders_placed (placed_at),
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) CHARACTER SET utf8mb4;
CREATE TABLE order_items (
  order_id bigint NOT NULL,
  product_id int NOT NULL,
  qty smallint(6) NOT NULL DEFAULT 1,
  PRIMARY KEY (order_id, product_id),
  INDEX order_items_product (product_id),
  CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON UPDATE RESTRICT
) CHARACTER SET utf8mb4;
INSERT INTO customers VALUES
  ${rows(CUSTOMERS)};
INSERT INTO products VALUES
  ${rows(PRODUCTS, (row) => [...row.slice(0, 6).map(literal), row[6] === null ? 'NULL' : `X'${String(row[6])}'`, literal(row[7] ?? null)])};
INSERT INTO orders VALUES
  ${rows(ORDERS)};
INSERT INTO order_items VALUES
  ${rows(ITEMS)};
ANALYZE TABLE customers, products, orders, order_items;
`;
