import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SampleError } from '../../src/core/errors.js';
import { loadConfigObject } from '../../src/runtime/load.js';
import { endpointOf } from '../../src/core/engines.js';
import { Limiter } from '../../src/connectors/limiter.js';
import { databaseConcurrency } from '../../src/connectors/sides.js';
import { textOf } from '../../src/connectors/sources.js';

test('max_concurrency counts per database: the environment gives the default, a database its own, the pool the ceiling', () => {
  const config = loadConfigObject(
    {
      environments: {
        production: {
          max_concurrency: 3,
          databases: {
            shop: { url: 'postgres://u:p@db:5432/shop', pool_size: 4 },
            reports: { url: 'mysql://u:p@db:3306/reports', pool_size: 8, max_concurrency: 6 },
            small: { url: 'mysql://u:p@db:3306/small' },
          },
        },
      },
      checks: [],
    },
    { env: {} },
  );
  const production = config.root.environments.production!;
  assert.equal(databaseConcurrency(production, production.databases.shop!), 3);
  assert.equal(databaseConcurrency(production, production.databases.reports!), 6);
  assert.equal(databaseConcurrency(production, production.databases.small!), 2, 'never more than pool_size (default 2)');
});

test('host:port of a database URL never carries the user, password or database', () => {
  assert.equal(endpointOf('postgres://reader:s3cret@db.internal:6432/shop'), 'db.internal:6432');
  assert.equal(endpointOf('postgresql://reader:s3cret@db.internal/shop'), 'db.internal:5432');
  assert.equal(endpointOf('mysql://reader:s3cret@10.0.0.7/shop'), '10.0.0.7:3306');
  assert.equal(endpointOf('postgres://reader:s3cret@[::1]:5433/shop'), '[::1]:5433');
  assert.equal(endpointOf('postgres:///shop?host=/var/run/postgresql'), '/var/run/postgresql:5432');
});

test('a limiter reports how long its holders have held their slots, and a release twice is harmless', async () => {
  const limiter = new Limiter(2);
  const first = await limiter.acquire();
  const second = await limiter.acquire();
  assert.equal(limiter.inUse, 2);
  assert.equal(limiter.heldForMs().length, 2);
  const controller = new AbortController();
  const waiting = limiter.acquire(controller.signal);
  controller.abort(new SampleError('timeout', 'deadline'));
  await assert.rejects(waiting, /deadline/);
  first();
  first();
  assert.equal(limiter.inUse, 1, 'one release per slot');
  second();
  assert.equal(limiter.inUse, 0);
});

test('a document that is not text is called binary, with its size; text passes', () => {
  const binary = Buffer.from(Array.from({ length: 2048 }, (_, index) => index % 256));
  assert.throws(
    () => textOf(binary, 'staging source "app"'),
    (error: unknown) => {
      assert.ok(error instanceof SampleError);
      assert.equal(error.reason, 'parse');
      assert.equal(error.message, 'staging source "app": not a text document (binary content, 2048 bytes)');
      return true;
    },
  );
  assert.equal(textOf(Buffer.from('name: café\ttab\r\n'), 'app'), 'name: café\ttab\r\n');
  // Latin-1 text (old .properties files) is text, not binary.
  assert.equal(textOf(Buffer.from([0x6b, 0x3d, 0xe9, 0x0a]), 'app').length, 4);
});
