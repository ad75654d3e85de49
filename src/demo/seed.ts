/**
 * The demo shop: the same deterministic data in production and staging, then deliberate drift
 * in staging (a missing order, a changed price, masked customers with one left unmasked, ...)
 * so that some checks match and some do not.
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
-- Stock movements keep arriving: timestamps relative to the time the demo starts (freshness check).
CREATE TABLE stock_movements (
  id bigint PRIMARY KEY,
  product_id integer NOT NULL,
  quantity integer NOT NULL,
  moved_at timestamptz NOT NULL
);
-- Order items and payments refer to orders without a declared foreign key (filled by a separate
-- job, as often happens); the integrity check is told about these relations.
CREATE TABLE order_items (
  id bigint PRIMARY KEY,
  order_id bigint NOT NULL,
  product_id integer NOT NULL REFERENCES products(id),
  quantity integer NOT NULL
);
CREATE TABLE payments (
  id bigint PRIMARY KEY,
  order_id bigint NOT NULL,
  method text NOT NULL,
  amount numeric(12,2) NOT NULL
);
`;

export const SHOP_DATA = `
-- Real-looking personal data (fictional people); staging masks it (see STAGING_DRIFT).
INSERT INTO customers
SELECT i,
       (ARRAY['anna','ben','chloe','dmitri','emma','farid','grace','hugo'])[1 + i % 8] || '.' ||
         (ARRAY['schmidt','martin','garcia','novak','rossi','kowalski'])[1 + i % 6] || i || '@' ||
         (ARRAY['gmail.com','outlook.com','web.de','yahoo.fr','icloud.com'])[1 + i % 5],
       initcap((ARRAY['anna','ben','chloe','dmitri','emma','farid','grace','hugo'])[1 + i % 8]) || ' ' ||
         initcap((ARRAY['schmidt','martin','garcia','novak','rossi','kowalski'])[1 + i % 6]),
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

INSERT INTO stock_movements
SELECT i, 1 + i % 50, (i % 7) - 3, now() - i * interval '20 minutes'
FROM generate_series(1, 500) AS i;

INSERT INTO order_items
SELECT i, 1 + i % 1000, 1 + (i * 7) % 50, 1 + i % 3
FROM generate_series(1, 3000) AS i;

INSERT INTO payments
SELECT i, i, (ARRAY['card','paypal','invoice','voucher','gift_card'])[1 + i % 5], 1 + (i * 7919) % 50000 / 100.0
FROM generate_series(1, 1000) AS i;
`;

/** Drift applied to staging only (run by the demo as the seeding step, never by the exporter). */
export const STAGING_DRIFT = `
DELETE FROM orders WHERE id = 421;
-- A note edited in staging only (table check: one changed row besides the missing one).
UPDATE orders SET note = 'gift wrap' WHERE id = 77;
UPDATE products SET price = price + 1 WHERE sku = 'SKU-0017';
-- The staging copy was built without the created_at index (schema and plan checks) and its
-- stock movements stopped syncing two days ago (freshness check).
DROP INDEX orders_created_at_idx;
DELETE FROM stock_movements WHERE moved_at > now() - interval '2 days';
-- Order 421 went without its items and payment: orphans (integrity check). Staging's subset
-- has no gift card payments (coverage check). The masking job skipped customer 42, whose real
-- email and name are still there (masking check).
UPDATE payments SET method = 'card' WHERE method = 'gift_card';
UPDATE customers SET email = 'customer' || id || '@example.com', name = 'Customer ' || id WHERE id <> 42;
`;
