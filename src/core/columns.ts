/** A column as a connector reports it: its name, the value class its values are compared in, and the engine's own type. */

export type ValueClass =
  'integer' | 'decimal' | 'float' | 'boolean' | 'text' | 'bytes' | 'date' | 'time' | 'timestamp' | 'json' | 'uuid' | 'other';

export interface Column {
  name: string;
  valueClass: ValueClass;
  /** The engine's own type name, for messages ("numeric", "NEWDECIMAL"). */
  engineType: string;
}
