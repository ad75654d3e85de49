import { z } from 'zod';
import { compareSchemas, schemaObjects, type SchemaComparison } from '../compare/schema.js';
import { identifier } from '../config/fields.js';
import { checkSchema } from '../config/schema.js';
import { defaultSchemas, readCatalog } from '../connectors/catalog.js';
import { type CatalogTable } from '../core/catalog.js';
import type { Dialect } from '../connectors/dialects/dialect.js';
import type { Engine } from '../core/engines.js';
import { sample } from '../metrics/catalogue.js';
import type { CheckKind, CheckProblem, KindResult, SampleContext, KindOptions } from './check.js';
import { SampleError } from '../core/errors.js';
import { unlessNothingCompared } from './evidence.js';
import { databaseReferences } from './references.js';

/** `schema`: tables, columns, keys and indexes of the chosen schemas compared between the sides. */

const schema = checkSchema('schema', {
  database: identifier,
  /** Schemas to compare; default: PostgreSQL current_schema(), MySQL/MariaDB the connection's database. */
  schemas: z.array(z.string().min(1)).min(1).optional(),
  /** Tables to compare (`name` or `schema.name`); default: every base table of the schemas. */
  tables: z.array(z.string().min(1)).default([]),
  ignore: z.array(z.enum(schemaObjects)).default([]),
  match_names: z.boolean().default(true),
  /** Differences listed in the API; all of them are counted. */
  max_differences: z.number().int().min(1).max(10_000).default(200),
});

type SchemaOptions = KindOptions<typeof schema>;

interface SideCatalog {
  engine: Engine;
  dialect: Dialect;
  schemas: string[];
  tables: CatalogTable[];
}

function selected(table: CatalogTable, wanted: readonly string[]): boolean {
  return wanted.length === 0 || wanted.includes(table.name) || wanted.includes(`${table.schema}.${table.name}`);
}

async function readSide(context: SampleContext, check: SchemaOptions, side: string): Promise<SideCatalog> {
  const database = context.database(side, check.database);
  return database.readOnly(async (session) => {
    const schemas = check.schemas ?? (await defaultSchemas(session, database.engine));
    if (schemas.length === 0)
      throw new SampleError('config', `no schema to compare on ${side}: set schemas, or name a database in the connection URL`);
    const tables = (await readCatalog(session, database.engine, schemas)).filter((table) => selected(table, check.tables));
    return { engine: database.engine, dialect: database.dialect, schemas, tables };
  });
}

/**
 * Engines that hide tables the role may not read (MySQL/MariaDB): a table expected on `side`
 * (configured, or present on the other side) but absent is probed, so that a missing grant is
 * `permission`.
 */
async function probeMissing(
  context: SampleContext,
  check: SchemaOptions,
  side: string,
  mine: SideCatalog,
  other: SideCatalog,
): Promise<void> {
  const probeHiddenTables = mine.dialect.probeHiddenTables;
  if (!probeHiddenTables || mine.schemas.length !== 1) return;
  const names = new Set(mine.tables.map((table) => table.name));
  const expected = new Set([
    ...check.tables.map((wanted) => wanted.split('.').pop() ?? wanted),
    ...other.tables.map((table) => table.name),
  ]);
  const missing = [...expected].filter((name) => !names.has(name));
  if (missing.length === 0) return;
  const database = context.database(side, check.database);
  await database.readOnly((session) => probeHiddenTables(session, mine.schemas[0] ?? '', missing));
}

function describe(comparison: SchemaComparison, tables: number): string {
  const total = comparison.differences.length;
  if (total === 0) return `${tables} tables identical`;
  const parts = schemaObjects.filter((object) => comparison.counts[object] > 0).map((object) => `${comparison.counts[object]} ${object}`);
  return `${total} schema difference${total === 1 ? '' : 's'} (${parts.join(', ')}); first: ${comparison.differences[0]?.message ?? ''}`;
}

const keyObjects = ['primary_key', 'unique', 'foreign_key'] as const;

/**
 * Why the sides give nothing to compare, or undefined: no table on either side, configured tables
 * absent from both, or (keys not ignored) not one key on either side, which is what a role that
 * cannot see constraints would read.
 */
function nothingToCompare(
  check: SchemaOptions,
  baseline: SideCatalog,
  candidate: SideCatalog,
  wantedButAbsent: string[],
): string | undefined {
  if (wantedButAbsent.length > 0) return `tables ${wantedButAbsent.join(', ')} found on neither side`;
  if (baseline.tables.length === 0 && candidate.tables.length === 0) {
    return `no tables found to compare in ${baseline.schemas.join(', ')} on either side; check schemas, tables and the role's grants`;
  }
  const keys = (side: SideCatalog) =>
    side.tables.some((table) => table.primaryKey !== null || table.uniques.length > 0 || table.foreignKeys.length > 0);
  if (!keyObjects.every((object) => check.ignore.includes(object)) && !keys(baseline) && !keys(candidate)) {
    return 'no primary key, unique key or foreign key on either side; add them to ignore if the tables really have none';
  }
  return undefined;
}

export const schemaKind: CheckKind<SchemaOptions> = {
  kind: 'schema',
  description: 'tables, columns, types, nullability, defaults, keys and indexes compared from the catalogs',
  dimension: 'data',
  schema,

  references(check, root): CheckProblem[] {
    return databaseReferences(root, check.database, [check.baseline, check.candidate]);
  },

  async run(check, context): Promise<KindResult> {
    const [baseline, candidate] = await Promise.all([readSide(context, check, check.baseline), readSide(context, check, check.candidate)]);
    await Promise.all([
      probeMissing(context, check, check.baseline, baseline, candidate),
      probeMissing(context, check, check.candidate, candidate, baseline),
    ]);
    const comparison = compareSchemas(baseline.tables, candidate.tables, {
      baselineName: check.baseline,
      candidateName: check.candidate,
      qualify: baseline.schemas.length > 1 || candidate.schemas.length > 1,
      ignore: check.ignore,
      matchNames: check.match_names,
      // Sides of different engines compare what the schema means, not how each engine spells it.
      logical: baseline.dialect !== candidate.dialect,
    });
    const pair = { check: check.name, baseline: check.baseline, candidate: check.candidate };
    const identical = comparison.differences.length === 0;
    const wantedButAbsent = check.tables.filter(
      (wanted) =>
        !baseline.tables.some((table) => selected(table, [wanted])) && !candidate.tables.some((table) => selected(table, [wanted])),
    );
    // Proven differences are a drift whatever else is missing.
    const inconclusive = identical ? nothingToCompare(check, baseline, candidate, wantedButAbsent) : undefined;
    return unlessNothingCompared(
      {
        passed: identical,
        summary: describe(comparison, baseline.tables.length),
        series: schemaObjects.map((object) => sample('fidelity_schema_differences', { ...pair, object }, comparison.counts[object])),
        scores: [{ candidate: check.candidate, value: identical ? 1 : 0 }],
        details: {
          database: check.database,
          sides: {
            [check.baseline]: { engine: baseline.engine, schemas: baseline.schemas, tables: baseline.tables.length },
            [check.candidate]: { engine: candidate.engine, schemas: candidate.schemas, tables: candidate.tables.length },
          },
          ignored: check.ignore,
          compared: comparison.compared,
          counts: comparison.counts,
          differenceCount: comparison.differences.length,
          differences: comparison.differences.slice(0, check.max_differences),
          ...(wantedButAbsent.length > 0 ? { tablesNotFound: wantedButAbsent } : {}),
        },
      },
      inconclusive,
    );
  },
};
