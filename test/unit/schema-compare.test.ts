import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSchemas, type SchemaCompareOptions } from '../../src/compare/schema.js';
import type { CatalogTable } from '../../src/core/catalog.js';

const options: SchemaCompareOptions = { baselineName: 'production', candidateName: 'staging', qualify: false };

function orders(schema = 'public'): CatalogTable {
  return {
    schema,
    name: 'orders',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'customer_id', type: 'bigint', nullable: false, default: null },
      { name: 'total', type: 'numeric(12,2)', nullable: false, default: '0' },
      { name: 'created_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
    ],
    primaryKey: { name: 'orders_pkey', columns: ['id'] },
    uniques: [],
    foreignKeys: [
      {
        name: 'orders_customer_id_fkey',
        columns: ['customer_id'],
        referencedSchema: schema,
        referencedTable: 'customers',
        referencedColumns: ['id'],
        onUpdate: 'NO ACTION',
        onDelete: 'CASCADE',
      },
    ],
    indexes: [{ name: 'orders_created_at_idx', columns: ['created_at'], include: [], unique: false, method: 'btree', predicate: null }],
  };
}

function customers(schema = 'public'): CatalogTable {
  return {
    schema,
    name: 'customers',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'email', type: 'text', nullable: false, default: null },
    ],
    primaryKey: { name: 'customers_pkey', columns: ['id'] },
    uniques: [{ name: 'customers_email_key', columns: ['email'] }],
    foreignKeys: [],
    indexes: [],
  };
}

function messages(baseline: CatalogTable[], candidate: CatalogTable[], extra: Partial<SchemaCompareOptions> = {}): string[] {
  return compareSchemas(baseline, candidate, { ...options, ...extra }).differences.map((difference) => difference.message);
}

test('identical catalogs: no differences, every object counted as compared', () => {
  const comparison = compareSchemas([customers(), orders()], [customers(), orders()], options);
  assert.deepEqual(comparison.differences, []);
  assert.deepEqual(comparison.compared, { tables: 2, columns: 6, constraints: 4, indexes: 1 });
  assert.ok(Object.values(comparison.counts).every((count) => count === 0));
});

test('each kind of difference is one sentence and one count under its object type', () => {
  const staging = orders();
  staging.columns = [
    { name: 'id', type: 'integer', nullable: false, default: null },
    { name: 'customer_id', type: 'bigint', nullable: true, default: null },
    { name: 'total', type: 'numeric(12,2)', nullable: false, default: null },
    { name: 'legacy', type: 'text', nullable: true, default: null },
  ];
  staging.primaryKey = { name: 'orders_pkey', columns: ['id', 'customer_id'] };
  staging.foreignKeys = [];
  staging.indexes = [];
  const comparison = compareSchemas([orders(), customers()], [staging], options);
  assert.deepEqual(
    comparison.differences.map((difference) => difference.message),
    [
      'column orders.id has type bigint on production, integer on staging',
      'column orders.customer_id is NOT NULL on production, NULL on staging',
      'column orders.total has default 0 on production, no default on staging',
      'staging lacks column orders.created_at',
      'staging has column orders.legacy, which production lacks',
      'primary key of orders is (id) on production, (id, customer_id) on staging',
      'staging lacks foreign key orders_customer_id_fkey on orders (customer_id) references customers(id) on delete CASCADE',
      'staging lacks index orders_created_at_idx on orders btree (created_at)',
      'staging lacks table customers',
    ],
  );
  assert.deepEqual(comparison.counts, {
    table: 1,
    column: 2,
    type: 1,
    nullability: 1,
    default: 1,
    primary_key: 1,
    unique: 0,
    foreign_key: 1,
    index: 1,
  });
});

test('a missing table counts once, not once per column', () => {
  const comparison = compareSchemas([orders(), customers()], [customers()], options);
  assert.deepEqual(comparison.counts.table, 1);
  assert.equal(comparison.differences.length, 1);
  assert.equal(comparison.differences[0]?.message, 'staging lacks table orders');
});

test('indexes and constraints pair by name, then by definition: a renamed index is a difference only with match_names', () => {
  const staging = orders();
  staging.indexes = [{ ...staging.indexes[0]!, name: 'orders_created_idx' }];
  assert.deepEqual(messages([orders()], [staging]), ['index orders_created_at_idx on orders is named orders_created_idx on staging']);
  assert.deepEqual(messages([orders()], [staging], { matchNames: false }), []);
  staging.indexes = [{ ...staging.indexes[0]!, name: 'orders_created_at_idx', columns: ['created_at', 'id'], unique: true }];
  assert.deepEqual(messages([orders()], [staging]), [
    'index orders_created_at_idx on orders is btree (created_at) on production, unique btree (created_at, id) on staging',
  ]);
  staging.indexes = [
    {
      name: 'orders_open_idx',
      columns: ['customer_id'],
      include: ['total'],
      unique: false,
      method: 'btree',
      predicate: "(status <> 'done'::text)",
    },
  ];
  assert.deepEqual(messages([orders()], [staging]), [
    'staging lacks index orders_created_at_idx on orders btree (created_at)',
    "staging has index orders_open_idx on orders btree (customer_id) include (total) where (status <> 'done'::text), which production lacks",
  ]);
});

test('unique constraints and foreign key actions are compared', () => {
  const staging = customers();
  staging.uniques = [];
  assert.deepEqual(messages([customers()], [staging]), ['staging lacks unique constraint customers_email_key on customers (email)']);
  const stagingOrders = orders();
  stagingOrders.foreignKeys = [{ ...stagingOrders.foreignKeys[0]!, onDelete: 'NO ACTION' }];
  assert.deepEqual(messages([orders()], [stagingOrders]), [
    'foreign key orders_customer_id_fkey on orders is (customer_id) references customers(id) on delete CASCADE on production, (customer_id) references customers(id) on staging',
  ]);
});

test('schemas named differently on each side compare equal; several schemas qualify table names', () => {
  assert.deepEqual(messages([orders('shop')], [orders('shop_staging')]), []);
  const comparison = compareSchemas([orders('shop'), customers('billing')], [orders('shop')], { ...options, qualify: true });
  assert.deepEqual(
    comparison.differences.map((difference) => [difference.table, difference.message]),
    [['billing.customers', 'staging lacks table billing.customers']],
  );
  const crossSchema = orders('shop');
  crossSchema.foreignKeys = [{ ...crossSchema.foreignKeys[0]!, referencedSchema: 'billing' }];
  assert.deepEqual(messages([orders('shop')], [crossSchema]), [
    'foreign key orders_customer_id_fkey on orders is (customer_id) references customers(id) on delete CASCADE on production, (customer_id) references billing.customers(id) on delete CASCADE on staging',
  ]);
});

test('ignored object types are neither listed nor counted', () => {
  const staging = orders();
  staging.columns = staging.columns.map((column) => ({ ...column, default: null }));
  staging.indexes = [];
  const comparison = compareSchemas([orders()], [staging], { ...options, ignore: ['default'] });
  assert.deepEqual(
    comparison.differences.map((difference) => difference.object),
    ['index'],
  );
  assert.equal(comparison.counts.default, 0);
});

test('logical comparison (sides of different engines): spelling never differs, meaning does', () => {
  const postgres = orders();
  postgres.columns = postgres.columns.map((column) => ({
    ...column,
    logical: {
      type: column.type === 'numeric(12,2)' ? 'decimal(12,2)' : column.type.startsWith('timestamp') ? 'timestamp(6)' : 'bigint',
      default: column.default === 'now()' ? 'current_timestamp' : column.default,
    },
  }));
  const mariadb: CatalogTable = {
    ...orders('shop'),
    columns: [
      { name: 'id', type: 'bigint(20)', nullable: false, default: null, logical: { type: 'bigint', default: null } },
      { name: 'customer_id', type: 'bigint(20)', nullable: false, default: null, logical: { type: 'bigint', default: null } },
      { name: 'total', type: 'decimal(12,2)', nullable: false, default: '0.00', logical: { type: 'decimal(12,2)', default: '0' } },
      {
        name: 'created_at',
        type: 'datetime(6)',
        nullable: false,
        default: 'current_timestamp(6)',
        logical: { type: 'timestamp(6)', default: 'current_timestamp' },
      },
    ],
    foreignKeys: (orders().foreignKeys ?? []).map((key) => ({ ...key, referencedSchema: 'shop', onUpdate: 'RESTRICT' as const })),
    indexes: [{ name: 'orders_created_at_idx', columns: ['created_at'], include: [], unique: false, method: 'BTREE', predicate: null }],
  };
  const logical = { ...options, logical: true };
  assert.deepEqual(compareSchemas([postgres], [mariadb], logical).differences, []);
  // Compared as spelled, the same pair differs in types, defaults, the foreign key's action and the index method.
  const spelled = compareSchemas([postgres], [mariadb], options).counts;
  assert.deepEqual([spelled.type, spelled.default, spelled.foreign_key, spelled.index], [4, 2, 1, 1]);

  const narrowed = structuredClone(mariadb);
  narrowed.columns[2] = { ...(narrowed.columns[2] as CatalogTable['columns'][number]), logical: { type: 'decimal(10,2)', default: '0' } };
  narrowed.foreignKeys = [];
  assert.deepEqual(
    compareSchemas([postgres], [narrowed], logical).differences.map((difference) => difference.message),
    [
      'column orders.total has type decimal(12,2) on production, decimal(10,2) on staging',
      'staging lacks foreign key orders_customer_id_fkey on orders (customer_id) references customers(id) on delete CASCADE',
    ],
  );
});
