import { z } from 'zod';
import { checkSchema } from '../config/schema.js';
import { identifier, positiveInt } from '../config/fields.js';
import { defaultSchemas, readForeignKeys } from '../connectors/catalog.js';
import type { ReadSession } from '../connectors/database.js';
import type { Dialect } from '../connectors/dialects/dialect.js';
import type { Engine } from '../core/engines.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, KindResult, SampleContext, KindOptions } from './check.js';
import { SampleError } from '../core/errors.js';
import { unlessNothingCompared } from './evidence.js';
import { databaseReferences } from './references.js';
import { parseTableName, type TableRef } from './sampling.js';

/**
 * `integrity`: orphan rows on the candidate, i.e. child rows whose reference matches no parent
 * row, for relations given in the configuration or discovered from the baseline's declared
 * foreign keys (staging copies often drop the constraints, or subset tables independently).
 */

const relationSchema = z.strictObject({
  /** Becomes the `relation` label. */
  name: identifier,
  child: identifier,
  columns: z.array(identifier).min(1),
  parent: identifier,
  parent_columns: z.array(identifier).min(1),
});

const schema = checkSchema('integrity', {
  database: identifier,
  relations: z.array(relationSchema).default([]),
  /** Follow the baseline's declared foreign keys; defaults to true when `relations` is empty. */
  discover: z.boolean().optional(),
  /** Schemas (MySQL: databases) whose foreign keys are discovered; default the connection's own. */
  schemas: z.array(identifier).min(1).optional(),
  /** Only discover foreign keys of these child tables. */
  tables: z.array(identifier).optional(),
  /** Constraint names left out of discovery. */
  exclude: z.array(identifier).default([]),
  max_relations: positiveInt.max(500).default(50),
  max_examples: z.number().int().min(0).max(1000).optional(),
});

type IntegrityOptions = KindOptions<typeof schema>;

export interface Relation {
  name: string;
  origin: 'config' | 'foreign_key';
  child: TableRef;
  columns: string[];
  parent: TableRef;
  parentColumns: string[];
}

function tableText(table: TableRef): string {
  return table.schema ? `${table.schema}.${table.name}` : table.name;
}

/** The orphan count and a few dangling references of one relation, by a NOT EXISTS anti-join. */
export function orphanQueries(dialect: Dialect, relation: Relation, maxExamples: number): { count: string; examples: string } {
  const q = (name: string) => dialect.quote(name);
  const child = `${dialect.quoteTable(relation.child)} c`;
  const parent = `${dialect.quoteTable(relation.parent)} p`;
  const notNull = relation.columns.map((column) => `c.${q(column)} IS NOT NULL`).join(' AND ');
  const joins = relation.columns.map((column, index) => `p.${q(relation.parentColumns[index] ?? column)} = c.${q(column)}`).join(' AND ');
  // MATCH SIMPLE, like the databases themselves: a reference with a NULL column is not checked.
  const where = `WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${parent} WHERE ${joins})`;
  const referenced = relation.columns.map((column) => `c.${q(column)}`).join(', ');
  return {
    count: `SELECT count(*) FROM ${child} ${where}`,
    examples: `SELECT ${referenced}, count(*) FROM ${child} ${where} GROUP BY ${referenced} ORDER BY count(*) DESC, ${referenced} LIMIT ${maxExamples}`,
  };
}

function configuredRelations(check: IntegrityOptions): Relation[] {
  return check.relations.map((relation) => ({
    name: relation.name,
    origin: 'config',
    child: parseTableName(relation.child),
    columns: relation.columns,
    parent: parseTableName(relation.parent),
    parentColumns: relation.parent_columns,
  }));
}

/**
 * Declared foreign keys of the baseline. Without configured `schemas` table names stay
 * unqualified: the candidate's schema (a MySQL database name, say) often differs from production's.
 */
async function discoveredRelations(session: ReadSession, engine: Engine, check: IntegrityOptions): Promise<Relation[]> {
  const qualify = check.schemas !== undefined;
  const schemas = check.schemas ?? (await defaultSchemas(session, engine));
  const keys = await readForeignKeys(session, engine, schemas);
  const wanted = check.tables ? new Set(check.tables) : null;
  const excluded = new Set(check.exclude);
  const relations: Relation[] = [];
  const names = new Set<string>();
  for (const key of keys) {
    if (excluded.has(key.name)) continue;
    if (wanted && !wanted.has(key.table) && !wanted.has(`${key.schema}.${key.table}`)) continue;
    // Constraint names are unique per table (PostgreSQL) or schema (MySQL): qualify on collision.
    let name = key.name;
    if (names.has(name)) name = `${key.table}.${key.name}`;
    names.add(name);
    const crossSchema = key.referencedSchema !== key.schema;
    relations.push({
      name,
      origin: 'foreign_key',
      child: qualify ? { schema: key.schema, name: key.table } : { name: key.table },
      columns: key.columns,
      parent: qualify || crossSchema ? { schema: key.referencedSchema, name: key.referencedTable } : { name: key.referencedTable },
      parentColumns: key.referencedColumns,
    });
  }
  return relations;
}

interface RelationResult {
  relation: Relation;
  orphans: number;
  examples: Array<{ references: Record<string, string | null>; rows: number }>;
}

export const integrityKind: CheckKind<IntegrityOptions> = {
  kind: 'integrity',
  description: "orphan rows on the candidate for parent/child relations from config or the baseline's foreign keys",
  dimension: 'data',
  schema,

  references(check, root): CheckProblem[] {
    const problems = databaseReferences(root, check.database, [check.baseline, check.candidate]);
    const seen = new Set<string>();
    check.relations.forEach((relation, index) => {
      if (relation.columns.length !== relation.parent_columns.length) {
        problems.push({
          path: ['relations', index, 'parent_columns'],
          message: `has ${relation.parent_columns.length} columns but columns has ${relation.columns.length}`,
        });
      }
      if (seen.has(relation.name))
        problems.push({ path: ['relations', index, 'name'], message: `duplicate relation name "${relation.name}"` });
      seen.add(relation.name);
    });
    if (check.relations.length === 0 && check.discover === false) {
      problems.push({ path: ['relations'], message: 'is empty and discover is false: nothing to check' });
    }
    return problems;
  },

  async run(check, context: SampleContext): Promise<KindResult> {
    const relations = configuredRelations(check);
    const discover = check.discover ?? check.relations.length === 0;
    if (discover) {
      const baseline = context.database(check.baseline, check.database);
      const discovered = await baseline.readOnly((session) => discoveredRelations(session, baseline.engine, check));
      const taken = new Set(relations.map((relation) => relation.name));
      relations.push(...discovered.filter((relation) => !taken.has(relation.name)));
    }
    if (relations.length > check.max_relations) {
      throw new SampleError(
        'limit',
        `${relations.length} relations to check, more than max_relations (${check.max_relations}); narrow with tables or exclude`,
      );
    }
    const maxExamples = check.max_examples ?? context.defaults.max_examples;
    const candidate = context.database(check.candidate, check.database);
    const results = await candidate.readOnly(async (session) => {
      const out: RelationResult[] = [];
      for (const relation of relations) {
        const sql = orphanQueries(candidate.dialect, relation, maxExamples);
        let counted;
        try {
          counted = await session.query(sql.count);
        } catch (error) {
          // Name the relation (a table missing on the candidate, say); keep the engine's reason.
          const classified = candidate.dialect.classifyError(error);
          // The connector names the grant for the role it logged in as; the message names the table.
          if (classified.reason === 'permission') throw error;
          throw new SampleError(classified.reason, `relation ${relation.name}: ${classified.message}`);
        }
        const orphans = Number(counted.rows[0]?.[0] ?? 0);
        const examples: RelationResult['examples'] = [];
        if (orphans > 0 && maxExamples > 0) {
          const found = await session.query(sql.examples);
          for (const row of found.rows) {
            examples.push({
              references: Object.fromEntries(relation.columns.map((column, index) => [column, row[index] ?? null])),
              rows: Number(row[relation.columns.length] ?? 0),
            });
          }
        }
        out.push({ relation, orphans, examples });
      }
      return out;
    });

    const broken = results.filter((result) => result.orphans > 0);
    const totalOrphans = results.reduce((sum, result) => sum + result.orphans, 0);
    // Discovery that finds nothing (a baseline without foreign keys, or a filter that matches
    // none) proves nothing: say it rather than pass.
    const inconclusive =
      results.length === 0
        ? `no relations found to check: the baseline ${check.baseline} declares no foreign keys${check.tables ? ' for the tables configured' : ''}; configure relations or check the role's grants`
        : undefined;
    return unlessNothingCompared(
      {
        passed: broken.length === 0,
        summary:
          broken.length === 0
            ? `${results.length} relations intact`
            : `${totalOrphans} orphan rows in ${broken.length} of ${results.length} relations (${broken.map((r) => `${r.relation.name}: ${r.orphans}`).join(', ')})`,
        series: results.map((result) =>
          sample('fidelity_integrity_violations', { check: check.name, relation: result.relation.name }, result.orphans),
        ),
        // Share of relations without orphans; no relations means nothing to judge (no score).
        scores: results.length === 0 ? [] : [{ candidate: check.candidate, value: (results.length - broken.length) / results.length }],
        details: {
          database: check.database,
          side: check.candidate,
          orphanRows: totalOrphans,
          relations: results.map((result) => ({
            relation: result.relation.name,
            origin: result.relation.origin,
            child: tableText(result.relation.child),
            columns: result.relation.columns,
            parent: tableText(result.relation.parent),
            parentColumns: result.relation.parentColumns,
            orphanRows: result.orphans,
            danglingReferences: result.examples,
          })),
        },
      },
      inconclusive,
    );
  },
};
