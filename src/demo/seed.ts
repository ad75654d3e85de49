/**
 * The demo shop: the same deterministic data in production and staging, then deliberate drift
 * in staging (a missing order, a changed price) so that some checks match and some do not.
 */
export const SHOP_SCHEMA = `
CREATE TABLE customers (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  country text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE products (
  id integer PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  category text NOT NULL,
  price numeric(10,2) NOT NULL,
  active boolean NOT NULL DEFAULT true
);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  status text NOT NULL,
  total numeric(12,2) NOT NULL,
  note text,
  created_at timestamptz NOT NULL
);
CREATE INDEX orders_created_at_idx ON orders (created_at);
`;

export const SHOP_DATA = `
INSERT INTO customers
SELECT i, 'customer' || i || '@example.com', 'Customer ' || i,
       (ARRAY['DE','FR','US','JP','BR'])[1 + i % 5],
       timestamptz '2026-01-01 00:00:00+00' + i * interval '7 hours'
FROM generate_series(1, 200) AS i;

INSERT INTO products
SELECT i, 'SKU-' || lpad(i::text, 4, '0'), 'Product ' || i,
       (ARRAY['books','games','garden','kitchen'])[1 + i % 4],
       round((5 + (i * 37) % 200)::numeric + 0.99, 2), i % 10 <> 0
FROM generate_series(1, 50) AS i;

INSERT INTO orders
SELECT i, 1 + (i * 13) % 200,
       (ARRAY['new','paid','shipped','delivered','cancelled'])[1 + i % 5],
       round(((i * 7919) % 50000)::numeric / 100 + 1, 2),
       CASE WHEN i % 7 = 0 THEN NULL ELSE 'note ' || i END,
       timestamptz '2026-06-01 00:00:00+00' + i * interval '41 minutes'
FROM generate_series(1, 1000) AS i;
`;

/** Drift applied to staging only (run by the demo as the seeding step, never by the exporter). */
export const STAGING_DRIFT = `
DELETE FROM orders WHERE id = 421;
UPDATE products SET price = price + 1 WHERE sku = 'SKU-0017';
`;
