import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { SHOP_DATA, SHOP_SCHEMA, STAGING_DRIFT } from './seed.js';

/**
 * An embedded PostgreSQL (PGlite, WASM) served over loopback by pglite-socket, so the exporter's
 * real `pg` connector talks to it exactly as to a server. In memory; gone when the demo stops.
 */
export interface DemoDatabase {
  url: string;
  db: PGlite;
  stop(): Promise<void>;
}

export async function startDemoDatabase(name: string, extraSql = ''): Promise<DemoDatabase> {
  const db = await PGlite.create();
  await db.exec(SHOP_SCHEMA);
  await db.exec(SHOP_DATA);
  if (extraSql) await db.exec(extraSql);
  // Planner statistics, as a real database has them, so that EXPLAIN shows realistic plans.
  await db.exec('ANALYZE');
  // PGlite is a single backend: a few connections are multiplexed onto it, queries queued.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  const address = server.getServerConn();
  const port = Number(address.split(':').pop());
  // PGlite takes any password. This one is a word no output holds: a password is searched for in
  // every output and hidden, and "postgres" would hide each side's engine name in the report.
  return {
    url: `postgres://postgres:demo-shop-password@127.0.0.1:${port}/postgres?sslmode=disable&application_name=${encodeURIComponent(name)}`,
    db,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

export async function startDemoShops(): Promise<{ production: DemoDatabase; staging: DemoDatabase; stop(): Promise<void> }> {
  const [production, staging] = await Promise.all([startDemoDatabase('production'), startDemoDatabase('staging', STAGING_DRIFT)]);
  return {
    production,
    staging,
    stop: async () => {
      await Promise.all([production.stop(), staging.stop()]);
    },
  };
}
