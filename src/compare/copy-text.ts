/**
 * Rows of PostgreSQL's COPY text format, parsed from the raw bytes of `COPY (query) TO STDOUT`
 * (pure). One row a line, fields separated by tabs, `\N` for NULL; a backslash escapes a tab,
 * newline, carriage return, backslash or control character inside a value, so a raw newline
 * always ends a row and a raw tab always ends a field. Chunks may end anywhere (inside a row, a
 * multi-byte character or an escape): the unfinished line is carried to the next chunk.
 *
 * Values come out as the same text a row-by-row read gives (the server's text output of each
 * type), so compare/canonical.ts treats them alike.
 */

export type CopyRow = Array<string | null>;

const NEWLINE = 0x0a;

/** `\b \f \n \r \t \v`: what the server writes for these characters inside a value. */
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One field's value: NULL for `\N`, otherwise the text with its escapes undone. */
export function copyField(field: string): string | null {
  if (field.indexOf('\\') < 0) return field;
  if (field === '\\N') return null;
  let out = '';
  let i = 0;
  while (i < field.length) {
    const slash = field.indexOf('\\', i);
    if (slash < 0 || slash === field.length - 1) {
      out += field.slice(i);
      break;
    }
    out += field.slice(i, slash);
    const next = field.charAt(slash + 1);
    const octal = /^[0-7]{1,3}/.exec(field.slice(slash + 1, slash + 4));
    const hex = next === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(field.slice(slash + 2, slash + 4)) : null;
    if (octal) {
      out += String.fromCharCode(parseInt(octal[0], 8));
      i = slash + 1 + octal[0].length;
    } else if (hex) {
      out += String.fromCharCode(parseInt(hex[0], 16));
      i = slash + 2 + hex[0].length;
    } else {
      out += ESCAPES[next] ?? next;
      i = slash + 2;
    }
  }
  return out;
}

/** Splits decoded lines (each ending in a newline, an empty line being a row of one empty value) into rows. */
function eachRow(text: string, onRow: (row: CopyRow) => void): number {
  let rows = 0;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end);
    const row: CopyRow = [];
    let from = 0;
    for (;;) {
      const tab = line.indexOf('\t', from);
      row.push(copyField(tab < 0 ? line.slice(from) : line.slice(from, tab)));
      if (tab < 0) break;
      from = tab + 1;
    }
    onRow(row);
    rows += 1;
    start = end + 1;
  }
  return rows;
}

/**
 * Text is decoded a window of whole lines at a time: a window's string stays small enough for the
 * young generation (a large string goes to the old generation and lives until a full collection),
 * and values held as slices of it (rows waiting for their twin) keep only their window alive.
 */
const WINDOW = 32 * 1024;

/** Parses a stream of COPY text chunks; `finish` says whether the stream ended on a row's end. */
export class CopyTextRows {
  private carry: Buffer | null = null;

  /** Calls back for each complete row of the chunk (and of what the last chunk left); returns their number. */
  push(chunk: Uint8Array, onRow: (row: CopyRow) => void): number {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const first = bytes.indexOf(NEWLINE);
    if (first < 0) {
      this.carry = this.carry ? Buffer.concat([this.carry, bytes]) : Buffer.from(bytes);
      return 0;
    }
    let rows = 0;
    let from = 0;
    if (this.carry) {
      // Only the line the last chunk left unfinished is copied, not the whole chunk.
      rows += eachRow(Buffer.concat([this.carry, bytes.subarray(0, first + 1)]).toString('utf8'), onRow);
      from = first + 1;
    }
    const last = bytes.lastIndexOf(NEWLINE);
    while (from <= last) {
      let end = from + WINDOW < last ? bytes.lastIndexOf(NEWLINE, from + WINDOW) : last;
      if (end < from) end = bytes.indexOf(NEWLINE, from);
      rows += eachRow(bytes.toString('utf8', from, end + 1), onRow);
      from = end + 1;
    }
    this.carry = last + 1 < bytes.length ? Buffer.from(bytes.subarray(last + 1)) : null;
    return rows;
  }

  /** True when no partial row is left (a stream cut mid-row is not a complete result). */
  finish(): boolean {
    return this.carry === null;
  }
}

/** Rows (newlines) in a chunk of COPY text: the row count, without decoding anything. */
export function copyLines(chunk: Uint8Array): number {
  let count = 0;
  let at = chunk.indexOf(NEWLINE);
  while (at >= 0) {
    count += 1;
    at = chunk.indexOf(NEWLINE, at + 1);
  }
  return count;
}
