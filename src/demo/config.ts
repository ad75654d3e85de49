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
  staging:
    description: demo staging shop (one order missing, one price changed)
    databases:
      shop: { url: "\${DEMO_STAGING_SHOP_URL}", pool_size: 2 }

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
`;
