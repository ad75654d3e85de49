/**
 * Plan shape: the EXPLAIN (FORMAT JSON) output of PostgreSQL and EXPLAIN FORMAT=JSON of
 * MySQL/MariaDB reduced to a tree of node types, join methods, relations and index names.
 * Costs, row estimates, widths and conditions are left out: a scaled-down staging should give
 * smaller numbers, but the same shape. Pure functions.
 */

export interface PlanNode {
  /** Node type: "Index Scan", "Hash Join" (PostgreSQL); "table", "nested_loop", "filesort" (MySQL). */
  label: string;
  /** Shape attributes: relation, index, join type, strategy, access type. Sorted keys when rendered. */
  attributes: Record<string, string>;
  children: PlanNode[];
}

export interface PlanDifference {
  /** Labels from the root to the node, e.g. "Limit > Sort > Seq Scan". */
  path: string;
  change: 'missing' | 'extra' | 'changed';
  baseline?: string;
  candidate?: string;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

// PostgreSQL plan fields that make up the shape, and the attribute name each becomes.
const PG_SHAPE_FIELDS: Record<string, string> = {
  'Relation Name': 'relation',
  'Index Name': 'index',
  'Join Type': 'join',
  Strategy: 'strategy',
  'Partial Mode': 'partial',
  'Scan Direction': 'direction',
  'Parent Relationship': 'parent',
  'Subplan Name': 'subplan',
  'CTE Name': 'cte',
  Operation: 'operation',
  Command: 'command',
};

function pgNode(plan: Record<string, unknown>): PlanNode {
  const attributes: Record<string, string> = {};
  for (const [field, attribute] of Object.entries(PG_SHAPE_FIELDS)) {
    const value = scalar(plan[field]);
    if (value !== undefined) attributes[attribute] = value;
  }
  const children = Array.isArray(plan.Plans) ? plan.Plans.filter(isRecord).map(pgNode) : [];
  return { label: scalar(plan['Node Type']) ?? 'unknown', attributes, children };
}

/** PostgreSQL: the JSON document EXPLAIN (FORMAT JSON) returns (`[{"Plan": {...}}]`). */
export function postgresPlanShape(document: unknown): PlanNode {
  const top = Array.isArray(document) ? document[0] : document;
  const plan = isRecord(top) ? top.Plan : undefined;
  if (!isRecord(plan)) throw new Error('not a PostgreSQL JSON plan (no "Plan" object)');
  return pgNode(plan);
}

// MySQL/MariaDB scalar fields that make up the shape; the rest (costs, rows, conditions) is dropped.
const MYSQL_SHAPE_FIELDS: Record<string, string> = {
  table_name: 'relation',
  access_type: 'access',
  key: 'index',
  join_type: 'join',
  using_filesort: 'filesort',
  using_temporary_table: 'temporary',
  using_index: 'covering',
  using_index_for_group_by: 'group_by_index',
  materialized_from_subquery: 'materialized',
  message: 'message',
};
// Object-valued fields that carry numbers only.
const MYSQL_NOISE = new Set(['cost_info', 'query_optimization', 'r_engine_stats']);

function mysqlNodes(value: Record<string, unknown>): PlanNode[] {
  const nodes: PlanNode[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (MYSQL_NOISE.has(key) || key.startsWith('r_')) continue;
    if (isRecord(child)) {
      nodes.push(mysqlNode(key, child));
    } else if (Array.isArray(child) && child.some(isRecord)) {
      nodes.push({ label: key, attributes: {}, children: child.filter(isRecord).flatMap(mysqlNodes) });
    }
  }
  return nodes;
}

function mysqlNode(label: string, value: Record<string, unknown>): PlanNode {
  const attributes: Record<string, string> = {};
  for (const [field, attribute] of Object.entries(MYSQL_SHAPE_FIELDS)) {
    const text = scalar(value[field]);
    if (text !== undefined) attributes[attribute] = text;
  }
  return { label, attributes, children: mysqlNodes(value) };
}

/** MySQL/MariaDB: the JSON document EXPLAIN FORMAT=JSON returns (`{"query_block": {...}}`). */
export function mysqlPlanShape(document: unknown): PlanNode {
  if (!isRecord(document) || !isRecord(document.query_block)) throw new Error('not a MySQL/MariaDB JSON plan (no "query_block" object)');
  return mysqlNode('query_block', document.query_block);
}

/** Removes nodes of the given types below the root, keeping their children in their place. */
export function ignoreNodes(root: PlanNode, labels: ReadonlySet<string>): PlanNode {
  const strip = (node: PlanNode): PlanNode[] => {
    const children = node.children.flatMap(strip);
    return labels.has(node.label) ? children : [{ ...node, children }];
  };
  return { ...root, children: root.children.flatMap(strip) };
}

/** One line per node: "Index Scan using orders_created_at_idx on orders [direction=Forward]". */
export function describeNode(node: PlanNode): string {
  const { relation, index, ...rest } = node.attributes;
  let text = node.label;
  if (index !== undefined) text += ` using ${index}`;
  if (relation !== undefined) text += ` on ${relation}`;
  const extra = Object.keys(rest)
    .sort()
    .map((key) => `${key}=${rest[key]}`);
  return extra.length > 0 ? `${text} [${extra.join(', ')}]` : text;
}

/** The shape as indented lines, for the API and the report. */
export function renderPlan(node: PlanNode, depth = 0): string[] {
  return [`${'  '.repeat(depth)}${describeNode(node)}`, ...node.children.flatMap((child) => renderPlan(child, depth + 1))];
}

/**
 * Compares two shapes node by node (children by position). A node whose description differs is
 * `changed` and its subtrees are still compared; surplus children are `missing` / `extra`.
 */
export function comparePlans(baseline: PlanNode, candidate: PlanNode, names: { baseline: string; candidate: string }): PlanDifference[] {
  const differences: PlanDifference[] = [];
  const walk = (left: PlanNode | undefined, right: PlanNode | undefined, parentPath: string) => {
    const here = (node: PlanNode) => (parentPath ? `${parentPath} > ${node.label}` : node.label);
    if (left && !right) {
      const path = here(left);
      differences.push({
        path,
        change: 'missing',
        baseline: describeNode(left),
        message: `${names.candidate} plan lacks ${describeNode(left)} (at ${path})`,
      });
      return;
    }
    if (!left && right) {
      const path = here(right);
      differences.push({
        path,
        change: 'extra',
        candidate: describeNode(right),
        message: `${names.candidate} plan has ${describeNode(right)}, which ${names.baseline} lacks (at ${path})`,
      });
      return;
    }
    if (!left || !right) return;
    const path = here(left);
    const baselineText = describeNode(left);
    const candidateText = describeNode(right);
    if (baselineText !== candidateText) {
      differences.push({
        path,
        change: 'changed',
        baseline: baselineText,
        candidate: candidateText,
        message: `${baselineText} on ${names.baseline}, ${candidateText} on ${names.candidate} (at ${path})`,
      });
    }
    const count = Math.max(left.children.length, right.children.length);
    for (let i = 0; i < count; i += 1) walk(left.children[i], right.children[i], path);
  };
  walk(baseline, candidate, '');
  return differences;
}
