// Privilege errors become `permission` failures naming the privilege and the exact GRANT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foreignKeysOfCreateTable } from '../../src/connectors/catalog-mysql.js';
import { mysqlPermissionError, postgresPermissionError, withMysqlAccount } from '../../src/connectors/permissions.js';
import { classifyMysqlError } from '../../src/connectors/mysql.js';
import { classifyPostgresError } from '../../src/connectors/postgres.js';

test('PostgreSQL 42501: the object of the message and the role give the GRANT', () => {
  const cases: Array<[string, string]> = [
    ['permission denied for table orders', 'the role lacks SELECT on orders; grant it with: GRANT SELECT ON orders TO fidelity;'],
    [
      'permission denied for view open_orders',
      'the role lacks SELECT on open_orders; grant it with: GRANT SELECT ON open_orders TO fidelity;',
    ],
    ['permission denied for schema sales', 'the role lacks USAGE on schema sales; grant it with: GRANT USAGE ON SCHEMA sales TO fidelity;'],
    [
      'permission denied for database shop',
      'the role lacks CONNECT on database shop; grant it with: GRANT CONNECT ON DATABASE shop TO fidelity;',
    ],
  ];
  for (const [message, expected] of cases) {
    const error = postgresPermissionError(message, 'fidelity');
    assert.equal(error.reason, 'permission');
    assert.equal(error.message, `${message}: ${expected}`);
  }
  assert.match(postgresPermissionError('permission denied for table orders', 'Fidelity Reader').message, /TO "Fidelity Reader";$/);
  const classified = classifyPostgresError(Object.assign(new Error('permission denied for table orders'), { code: '42501' }), 'fidelity');
  assert.equal(classified.reason, 'permission');
  assert.match(classified.message, /GRANT SELECT ON orders TO fidelity;$/);
});

test('MySQL/MariaDB privilege errors: table, column, global privilege, view EXPLAIN, database', () => {
  const account = '`fidelity`@`10.0.0.7`';
  const cases: Array<[number, string, RegExp]> = [
    [
      1142,
      "SELECT command denied to user 'fidelity'@'10.0.0.7' for table `shop`.`orders`",
      new RegExp(`lacks SELECT on \`shop\`\\.\`orders\`; grant it with: GRANT SELECT ON \`shop\`\\.\`orders\` TO ${account};$`),
    ],
    [1142, "SELECT command denied to user 'fidelity'@'10.0.0.7' for table 'orders'", /GRANT SELECT ON <database>\.`orders` TO /],
    [
      1143,
      "SELECT command denied to user 'fidelity'@'10.0.0.7' for column 'email' in table 'customers'",
      /^SELECT command denied.*GRANT SELECT ON /,
    ],
    [
      1227,
      'Access denied; you need (at least one of) the PROCESS privilege(s) for this operation',
      /lacks PROCESS; grant it with: GRANT PROCESS ON \*\.\* TO /,
    ],
    [
      1345,
      'ANALYZE/EXPLAIN/SHOW can not be issued; lacking privileges for underlying table',
      /GRANT SELECT, SHOW VIEW ON <database>\.\* TO /,
    ],
    [1044, "Access denied for user 'fidelity'@'10.0.0.7' to database 'shop'", new RegExp(`GRANT SELECT ON \`shop\`\\.\\* TO ${account};$`)],
  ];
  for (const [errno, message, expected] of cases) {
    const error = mysqlPermissionError(errno, message);
    assert.equal(error?.reason, 'permission', message);
    assert.match(error?.message ?? '', expected);
  }
  assert.equal(mysqlPermissionError(1146, "Table 'shop.orders' doesn't exist"), null);
  assert.equal(
    classifyMysqlError(
      Object.assign(new Error("Access denied for user 'x'@'h' (using password: YES)"), { errno: 1045, code: 'ER_ACCESS_DENIED_ERROR' }),
    ).reason,
    'auth',
  );
  // The GRANT names the account the server matched, not the client's address.
  const denied = mysqlPermissionError(1142, "SELECT command denied to user 'fidelity'@'10.0.0.7' for table `shop`.`orders`");
  assert.ok(denied);
  assert.match(withMysqlAccount(denied, 'fidelity@%').message, /TO `fidelity`@`%`;$/);
});

test('SHOW CREATE TABLE: foreign keys with their actions; the unprinted default is RESTRICT', () => {
  const created = [
    'CREATE TABLE `order_items` (',
    '  `id` int(11) NOT NULL,',
    '  `order_id` int(11) NOT NULL,',
    '  `product_id` int(11) DEFAULT NULL,',
    '  PRIMARY KEY (`id`),',
    '  KEY `items_product` (`product_id`),',
    '  CONSTRAINT `items_order` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`) ON DELETE CASCADE,',
    '  CONSTRAINT `items_product` FOREIGN KEY (`product_id`) REFERENCES `other`.`products` (`id`) ON DELETE SET NULL ON UPDATE NO ACTION,',
    '  CONSTRAINT `odd``name` FOREIGN KEY (`order_id`, `id`) REFERENCES `orders` (`id`, `x`)',
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  ].join('\n');
  assert.deepEqual(foreignKeysOfCreateTable(created), [
    { name: 'items_order', onDelete: 'CASCADE', onUpdate: 'RESTRICT' },
    { name: 'items_product', onDelete: 'SET NULL', onUpdate: 'NO ACTION' },
    { name: 'odd`name', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' },
  ]);
  assert.deepEqual(foreignKeysOfCreateTable('CREATE TABLE `t` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n)'), []);
});
