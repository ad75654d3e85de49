import { z } from 'zod';
import { checkSchema } from '../config/schema.js';
import { duration, identifier, positiveInt } from '../config/fields.js';
import type { KindOptions } from './check.js';

/** Options of the `table` kind (see table.ts). */

const tableName = z
  .string()
  .regex(/^[^.\s"`]+(\.[^.\s"`]+)?$/, { error: 'must be a table name, optionally schema-qualified ("orders", "sales.orders")' });
const columnName = z.string().min(1).max(128);

const tolerance = z.strictObject({
  absolute: z.number().nonnegative().optional(),
  relative: z.number().nonnegative().optional(),
});

export const tableSchema = checkSchema('table', {
  database: identifier,
  table: tableName,
  /** Side name -> table name on that side (a renamed or differently-schema'd copy). */
  table_per_side: z.record(identifier, tableName).default({}),
  key: z.array(columnName).min(1, { error: 'at least one key column is required' }),
  columns: z.array(columnName).min(1).optional(),
  ignore_columns: z.array(columnName).default([]),
  filter: z.strictObject({ column: columnName, min_age: duration }).optional(),
  tolerance: tolerance.optional(),
  column_tolerance: z.record(z.string(), tolerance).default({}),
  hash: z.enum(['auto', 'native', 'md5', 'sha256']).default('auto'),
  segment_time: duration.default(1000),
  bucket_rows: positiveInt.max(1_000_000).default(1024),
  fetch_rows: positiveInt.max(100_000).default(64),
  page_rows: positiveInt.max(1_000_000).default(5000),
  fallback_share: z.number().min(0).max(1).default(0.5),
  parallel: positiveInt.max(16).default(2),
  max_examples: z.number().int().min(0).max(1000).optional(),
});

export type TableOptions = KindOptions<typeof tableSchema>;

/** A table check with its common fields resolved. */
export type TableCheck = TableOptions & { name: string; baseline: string; candidate: string };

export type Role = 'baseline' | 'candidate';
