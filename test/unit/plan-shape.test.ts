import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainProblem } from '../../src/checks/plan.js';
import { comparePlans, describeNode, ignoreNodes, mysqlPlanShape, postgresPlanShape, renderPlan } from '../../src/compare/plan.js';
import { loadConfigObject } from '../../src/runtime/load.js';

const names = { baseline: 'production', candidate: 'staging' };

/** PostgreSQL EXPLAIN (FORMAT JSON) of a join, trimmed to what matters plus some noise fields. */
function pgJoin(inner: Record<string, unknown>, rows = 1200) {
  return [
    {
      Plan: {
        'Node Type': 'Hash Join',
        'Join Type': 'Inner',
        'Parallel Aware': false,
        'Startup Cost': 1.5,
        'Total Cost': 99.1,
        'Plan Rows': rows,
        'Plan Width': 40,
        'Hash Cond': '(o.customer_id = c.id)',
        Plans: [
          {
            'Node Type': 'Seq Scan',
            'Parent Relationship': 'Outer',
            'Relation Name': 'orders',
            Alias: 'o',
            'Total Cost': 50,
            'Plan Rows': rows,
          },
          { 'Node Type': 'Hash', 'Parent Relationship': 'Inner', 'Total Cost': 20, Plans: [{ 'Parent Relationship': 'Outer', ...inner }] },
        ],
      },
      Planning: { 'Shared Hit Blocks': 3 },
    },
  ];
}

test('PostgreSQL: costs, rows and conditions are not part of the shape', () => {
  const scan = {
    'Node Type': 'Index Scan',
    'Relation Name': 'customers',
    'Index Name': 'customers_pkey',
    'Scan Direction': 'Forward',
    'Index Cond': '(id = 1)',
  };
  const a = postgresPlanShape(pgJoin(scan, 1200));
  const b = postgresPlanShape(pgJoin({ ...scan, 'Total Cost': 12345, 'Index Cond': '(id = 2)' }, 7));
  assert.deepEqual(comparePlans(a, b, names), []);
  assert.deepEqual(renderPlan(a), [
    'Hash Join [join=Inner]',
    '  Seq Scan on orders [parent=Outer]',
    '  Hash [parent=Inner]',
    '    Index Scan using customers_pkey on customers [direction=Forward, parent=Outer]',
  ]);
});

test('PostgreSQL: an index scan turned sequential scan is one changed node', () => {
  const index = postgresPlanShape(
    pgJoin({ 'Node Type': 'Index Scan', 'Relation Name': 'customers', 'Index Name': 'customers_pkey', 'Scan Direction': 'Forward' }),
  );
  const seq = postgresPlanShape(pgJoin({ 'Node Type': 'Seq Scan', 'Relation Name': 'customers' }));
  const differences = comparePlans(index, seq, names);
  assert.deepEqual(differences, [
    {
      path: 'Hash Join > Hash > Index Scan',
      change: 'changed',
      baseline: 'Index Scan using customers_pkey on customers [direction=Forward, parent=Outer]',
      candidate: 'Seq Scan on customers [parent=Outer]',
      message:
        'Index Scan using customers_pkey on customers [direction=Forward, parent=Outer] on production, Seq Scan on customers [parent=Outer] on staging (at Hash Join > Hash > Index Scan)',
    },
  ]);
});

test('PostgreSQL: join method, join type, strategy and extra or missing nodes are differences', () => {
  const base = { 'Node Type': 'Aggregate', Strategy: 'Hashed', Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 't' }] };
  const shape = (plan: Record<string, unknown>) => postgresPlanShape([{ Plan: plan }]);
  assert.deepEqual(
    comparePlans(shape(base), shape({ ...base, Strategy: 'Sorted', Plans: [{ 'Node Type': 'Sort', Plans: base.Plans }] }), names).map(
      (d) => [d.change, d.path],
    ),
    [
      ['changed', 'Aggregate'],
      ['changed', 'Aggregate > Seq Scan'],
      ['extra', 'Aggregate > Seq Scan > Seq Scan'],
    ],
  );
  const nested = shape({ 'Node Type': 'Nested Loop', 'Join Type': 'Left', Plans: [] });
  const hashed = shape({ 'Node Type': 'Hash Join', 'Join Type': 'Left', Plans: [] });
  assert.deepEqual(
    comparePlans(nested, hashed, names).map((d) => [d.baseline, d.candidate]),
    [['Nested Loop [join=Left]', 'Hash Join [join=Left]']],
  );
  const missing = comparePlans(shape(base), shape({ ...base, Plans: [] }), names);
  assert.deepEqual(
    missing.map((d) => [d.change, d.message]),
    [['missing', 'staging plan lacks Seq Scan on t (at Aggregate > Seq Scan)']],
  );
});

test('ignored node types are removed and their children take their place', () => {
  const parallel = postgresPlanShape([
    {
      Plan: {
        'Node Type': 'Finalize Aggregate',
        Plans: [{ 'Node Type': 'Gather', Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 't' }] }],
      },
    },
  ]);
  const serial = postgresPlanShape([
    { Plan: { 'Node Type': 'Finalize Aggregate', Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 't' }] } },
  ]);
  assert.equal(comparePlans(parallel, serial, names).length, 2);
  assert.deepEqual(comparePlans(ignoreNodes(parallel, new Set(['Gather'])), serial, names), []);
});

test('MySQL/MariaDB: table access, key and join buffer are the shape; costs and conditions are not', () => {
  const plan = (access: string, key: string | undefined, rows: number) => ({
    query_block: {
      select_id: 1,
      cost_info: { query_cost: String(rows / 10) },
      nested_loop: [
        {
          table: {
            table_name: 'o',
            access_type: access,
            possible_keys: ['orders_created_at_idx'],
            ...(key ? { key, key_length: '5', used_key_parts: ['created_at'] } : {}),
            rows,
            filtered: 100,
            attached_condition: 'o.created_at = 1',
          },
        },
        { block_nl_join: { join_type: 'BNL', table: { table_name: 'c', access_type: 'ALL', rows: 9 } } },
      ],
    },
  });
  const a = mysqlPlanShape(plan('ref', 'orders_created_at_idx', 3));
  assert.deepEqual(renderPlan(a), [
    'query_block',
    '  nested_loop',
    '    table using orders_created_at_idx on o [access=ref]',
    '    block_nl_join [join=BNL]',
    '      table on c [access=ALL]',
  ]);
  assert.deepEqual(comparePlans(a, mysqlPlanShape(plan('ref', 'orders_created_at_idx', 90_000)), names), []);
  const differences = comparePlans(a, mysqlPlanShape(plan('ALL', undefined, 90_000)), names);
  assert.deepEqual(
    differences.map((d) => [d.path, d.baseline, d.candidate]),
    [['query_block > nested_loop > table', 'table using orders_created_at_idx on o [access=ref]', 'table on o [access=ALL]']],
  );
});

test('malformed plans are reported, not guessed', () => {
  assert.throws(() => postgresPlanShape({ query_block: {} }), /not a PostgreSQL JSON plan/);
  assert.throws(() => mysqlPlanShape([{ Plan: {} }]), /not a MySQL\/MariaDB JSON plan/);
  assert.equal(describeNode({ label: 'Result', attributes: {}, children: [] }), 'Result');
});

test('explainProblem: only the plain query is accepted', () => {
  const cases: Array<[string, RegExp | null]> = [
    ['SELECT * FROM orders', null],
    ['WITH x AS (SELECT 1) SELECT * FROM x', null],
    ['-- comment\nEXPLAIN ANALYZE SELECT 1', /^EXPLAIN ANALYZE executes the statement and is never run/],
    ['explain (format json, analyse) select 1', /^EXPLAIN ANALYZE executes/],
    ['/* x */ EXPLAIN (ANALYZE true) SELECT 1', /^EXPLAIN ANALYZE executes/],
    ['EXPLAIN SELECT analyze FROM t', /^give the query without EXPLAIN/],
    ['EXPLAIN FORMAT=JSON SELECT 1', /^give the query without EXPLAIN/],
    ['DELETE FROM orders', /^only read-only statements can be sampled/],
    ['SELECT 1; SELECT 2', /single statement/],
  ];
  for (const [sql, expected] of cases) {
    const problem = explainProblem(sql);
    if (expected === null) assert.equal(problem, null, sql);
    else assert.match(problem ?? '', expected, sql);
  }
});

test('plan checks: EXPLAIN ANALYZE, writes and duplicate query names are refused at config load with their paths', () => {
  const load = (queries: unknown[]) => () =>
    loadConfigObject(
      {
        environments: {
          production: { databases: { shop: { url: 'postgres://u@127.0.0.1:1/p' } } },
          staging: { databases: { shop: { url: 'postgres://u@127.0.0.1:1/s' } } },
        },
        checks: [{ name: 'p', kind: 'plan', database: 'shop', queries }],
      },
      { env: {} },
    );
  assert.throws(
    load([{ name: 'q', sql: 'EXPLAIN ANALYZE SELECT 1' }]),
    /checks\[0\]\.queries\[0\]\.sql: EXPLAIN ANALYZE executes the statement and is never run/,
  );
  assert.throws(
    load([{ name: 'q', sql: 'SELECT 1', sql_per_side: { staging: 'EXPLAIN (ANALYZE) SELECT 1' } }]),
    /checks\[0\]\.queries\[0\]\.sql_per_side\.staging: EXPLAIN ANALYZE/,
  );
  assert.throws(load([{ name: 'q', sql: 'UPDATE orders SET total = 0' }]), /checks\[0\]\.queries\[0\]\.sql: only read-only statements/);
  assert.throws(
    load([
      { name: 'q', sql: 'SELECT 1' },
      { name: 'q', sql: 'SELECT 2' },
    ]),
    /checks\[0\]\.queries\[1\]\.name: duplicate query name "q"/,
  );
  assert.throws(load([]), /checks\[0\]\.queries/);
  assert.doesNotThrow(load([{ name: 'q', sql: 'SELECT 1;' }]));
});
