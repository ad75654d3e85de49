import type { RawRow } from './database.js';

/** One row per constraint column, as both engines' catalogue reads produce it before grouping. */

export function text(row: RawRow, index: number): string {
  return row[index] ?? '';
}

export interface ConstraintRow {
  schema: string;
  table: string;
  name: string;
  type: 'primary_key' | 'unique' | 'foreign_key';
  column: string;
  referencedSchema: string;
  referencedTable: string;
  referencedColumn: string;
  onUpdate: string;
  onDelete: string;
}

export function constraintType(raw: string): ConstraintRow['type'] | null {
  switch (raw) {
    case 'p':
    case 'PRIMARY KEY':
      return 'primary_key';
    case 'u':
    case 'UNIQUE':
      return 'unique';
    case 'f':
    case 'FOREIGN KEY':
      return 'foreign_key';
    default:
      return null;
  }
}
