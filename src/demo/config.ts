/**
 * The demo configuration: an ordinary config file whose database URLs come from the environment,
 * so the demo goes through the same loader, connectors and checks as a real deployment.
 */
export const DEMO_CONFIG = `# fidelity-exporter demo: production and staging shop databases (PGlite) with deliberate drift.
environments:
  production:
    description: demo production shop
    databases:
      shop: { url: "\${DEMO_PRODUCTION_SHOP_URL}", pool_size: 2 }
    configs:
      app: { file: "\${DEMO_CONFIG_DIR}/production/app.yaml" }
      runtime: { env: { LOG_LEVEL: info, WORKERS: 4, REQUEST_TIMEOUT: 30s } }
    # The demo shop apps keep their state in memory, so the flow may log in and check out here.
    http: { base_url: "\${DEMO_PRODUCTION_HTTP_URL}", allow_writes: true }
  staging:
    description: demo staging shop (one order missing, one price changed)
    databases:
      shop: { url: "\${DEMO_STAGING_SHOP_URL}", pool_size: 2 }
    configs:
      app: { file: "\${DEMO_CONFIG_DIR}/staging/app.yaml" }
      runtime: { env_file: "\${DEMO_CONFIG_DIR}/staging/runtime.env" }
    http: { base_url: "\${DEMO_STAGING_HTTP_URL}", allow_writes: true }
  payments:
    description: demo payment service
    http: { base_url: "\${DEMO_PAYMENTS_URL}", allow_writes: true }
  payments-mock:
    description: the payment mock staging uses (answers "success", never declines, no refunds)
    http: { base_url: "\${DEMO_PAYMENTS_MOCK_URL}", allow_writes: true }

defaults:
  baseline: production
  candidate: staging
  every: 15s
  timeout: 10s

checks:
  - name: customers_by_country
    kind: query
    description: customers per country (faithful)
    database: shop
    sql: SELECT country, count(*) AS customers FROM customers GROUP BY country

  - name: product_catalog_size
    kind: query
    description: active products per category (faithful)
    database: shop
    sql: SELECT category, count(*) AS products FROM products WHERE active GROUP BY category

  - name: orders_by_status
    kind: query
    description: orders and revenue per status — drift, staging lost an order
    database: shop
    sql: SELECT status, count(*) AS orders, sum(total) AS revenue FROM orders GROUP BY status
    tolerance: { relative: 0.0001 }

  - name: product_prices
    kind: query
    description: price of every product by SKU — drift, one price changed in staging
    database: shop
    sql: SELECT sku, name, price FROM products ORDER BY sku
    key: [sku]
    examples: show          # prices are not personal: show them (the default shows keyed hashes)

  - name: orders_table
    kind: table
    description: every order row by id, checksummed inside each database — drift, staging lost order 421 and order 77's note changed
    database: shop
    table: orders
    key: [id]

  - name: catalog_schema
    kind: schema
    description: columns, keys and indexes of the catalog tables (faithful)
    database: shop
    tables: [customers, products]

  - name: shop_schema
    kind: schema
    description: every table of the shop — drift, staging lacks the index orders_created_at_idx
    database: shop

  - name: order_plans
    kind: plan
    description: plan shapes of hot queries — drift, the time-window lookup scans the whole table in staging
    database: shop
    queries:
      - name: orders_in_window
        sql: SELECT id, total FROM orders WHERE created_at >= '2026-06-20 00:00:00+00' AND created_at < '2026-06-20 03:00:00+00'
      - name: product_by_sku
        sql: SELECT id, price FROM products WHERE sku = 'SKU-0017'

  - name: stock_movements_freshness
    kind: freshness
    description: newest stock movement — drift, staging stopped syncing two days ago
    database: shop
    sql: SELECT max(moved_at) FROM stock_movements
    max_age: 24h

  - name: order_links
    kind: integrity
    description: orphan rows — drift, staging lost order 421 but kept its items and payment
    database: shop
    # Declared foreign keys of production are followed too (orders -> customers, order_items -> products).
    relations:
      - { name: order_items_order, child: order_items, columns: [order_id], parent: orders, parent_columns: [id] }
      - { name: payments_order, child: payments, columns: [order_id], parent: orders, parent_columns: [id] }
    discover: true

  - name: customer_profiles
    kind: coverage
    description: countries and (masked) email shapes of customers (faithful)
    database: shop
    table: customers
    columns: [country, { name: email, masked: true, mode: shapes }]

  - name: payment_methods
    kind: coverage
    description: payment methods — drift, staging's subset has no gift card payments
    database: shop
    table: payments
    columns: [method]

  - name: orders_spread
    kind: distribution
    description: how order statuses, totals and dates are spread, judged against production's own noise (faithful, staging lacks one order)
    database: shop
    table: orders
    columns: [status, total, created_at]
    calibrate: true

  - name: payment_spread
    kind: distribution
    description: how methods and amounts of the payments of orders of 50 or more are spread — drift, staging's gift card payments became card payments
    database: shop
    sql: SELECT p.method, p.amount FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.total >= 50
    columns: [method, amount]
    examples: show

  - name: customer_masking
    kind: masking
    description: personal data in staging's customers — drift, the masking job skipped one customer
    database: shop
    table: customers
    key: [id]
    columns: [{ name: email, masked: true }, { name: name, masked: true }]

  - name: app_config
    kind: config
    description: application settings — drift, staging's database pool, a flag and the cache TTL differ
    source: app
    keyed_arrays: { payment.providers: name }
    ignore: [database.host, service.replicas]
    approved:
      - { key: features.new_checkout, reason: canary of the new checkout in staging, owner: team-checkout, expires: "2099-12-31" }
      - { key: cache.ttl, reason: short cache while testing prices, owner: team-pricing, expires: "2026-01-31" }
    max_approved: 3

  - name: runtime_env
    kind: config
    description: runtime environment variables (faithful; 30s and 0.5m are the same duration)
    source: runtime
    equivalences: [numbers, durations]

  - name: checkout_flow
    kind: flow
    description: login, search, product page, checkout — drift, staging's search is 3x slower, one price changed, an extra field, checkout answers 500
    iterations: 4
    latency: { min_samples: 8 }
    steps:
      - name: login
        method: POST
        path: /api/login
        form: { user: demo, password: secret }
        extract: { token: { json: "$.token" } }
        expect: { status: 200 }
      - name: search
        path: /api/products
        query: { q: e }
        headers: { Authorization: "Bearer {{token}}" }
        expect: { status: 200, json: [{ path: "$.count", equals: 3 }] }
      - name: product
        path: /api/products/SKU-2
        headers: { Authorization: "Bearer {{token}}" }
        extract: { sku: { json: "$.sku" } }
      - name: checkout
        method: POST
        path: /api/checkout
        headers: { Authorization: "Bearer {{token}}" }
        json: { sku: "{{sku}}", quantity: 1 }
        expect: { status: 201 }

  - name: error_handling
    kind: fault
    description: injected errors — staging accepts oversized input that production rejects
    probes:
      - { name: expired_token, path: /api/products, headers: { Authorization: "Bearer expired" }, expect: { status: 401 } }
      - { name: malformed_body, method: POST, path: /api/login, content_type: application/json, body: '{"user": ', expect: { status: 400 } }
      - { name: unknown_product, path: /api/products/SKU-404, headers: { Authorization: "Bearer none" }, expect: { status: [401, 404] } }
      - { name: oversized_input, method: POST, path: /api/login, body_bytes: 200000, expect: { status: 413 } }

  - name: payments_mock
    kind: virtual
    description: the payment mock against the real payment service — drift, status wording, no declines, no refunds
    baseline: payments
    candidate: payments-mock
    requests:
      - { name: charge, method: POST, path: /v1/charges, json: { amount: 1000, card: "4242424242424242" }, ignore: ["$.id"] }
      - { name: declined, method: POST, path: /v1/charges, json: { amount: 1000, card: "4000000000000002" } }
      - { name: invalid, method: POST, path: /v1/charges, json: { card: "4242424242424242" } }
      - { name: lookup, path: /v1/charges/ch_demo }
      - { name: refund, method: POST, path: /v1/refunds, json: { charge: ch_demo } }
`;
