import { crc32, deflateRaw, deflateRawSync, constants } from 'node:zlib';
import { promisify } from 'node:util';
import { crc32Append, crc32Shift } from './crc32-combine.js';

/**
 * The Prometheus text exposition format (version 0.0.4), written directly: the same lines
 * prom-client writes (label values and help escaped the same way, NaN and infinities spelled the
 * same), so the exporter's own series can be rendered once per change and served as bytes.
 */

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** The `{a="x",b="y"}` part of a series, labels in the order given; empty without labels. */
export function formatLabels(labels: Record<string, string>): string {
  let text = '';
  for (const [name, value] of Object.entries(labels)) text += `${text ? ',' : ''}${name}="${escapeLabelValue(value)}"`;
  return text ? `{${text}}` : '';
}

export function metricHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

const deflateRawAsync = promisify(deflateRaw);

/** Magic, deflate, no flags, no time, no extra flags, unknown OS (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/**
 * Level 1: metrics text still shrinks about tenfold, at a fraction of the default level's CPU. A
 * segment's lines repeat within a few hundred bytes, so a 4 KiB window and a small hash compress
 * them as well as the defaults, and a deflate starts four times faster (no 256 KiB state to set up).
 */
const SMALL_DEFLATE = { level: 1, windowBits: 12, memLevel: 4 } as const;
const SEGMENT_DEFLATE = { ...SMALL_DEFLATE, finishFlush: constants.Z_SYNC_FLUSH } as const;

/**
 * A piece of the body's text, kept as bytes with its raw deflate. Each piece is deflated on its
 * own and ends on a sync flush (byte aligned, not final), so the deflates of consecutive pieces
 * concatenate into one valid deflate stream: a change re-deflates only the pieces it touched.
 */
export class Segment {
  readonly bytes: Buffer;
  deflated: Buffer | undefined;
  private deflating: Promise<Buffer> | undefined;
  private crc: { checksum: number; shift: number } | undefined;

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text);
  }

  /** CRC-32 of the bytes and the operator appending them to a CRC, computed once: a body's CRC is combined from its segments'. */
  get checksum(): { checksum: number; shift: number } {
    this.crc ??= { checksum: crc32(this.bytes), shift: crc32Shift(this.bytes.length) };
    return this.crc;
  }

  deflateNow(): Buffer {
    this.deflated ??= deflateRawSync(this.bytes, SEGMENT_DEFLATE);
    return this.deflated;
  }

  /** Compressed in zlib's thread pool, once. */
  deflate(): Promise<Buffer> {
    if (this.deflated) return Promise.resolve(this.deflated);
    this.deflating ??= deflateRawAsync(this.bytes, SEGMENT_DEFLATE).then((deflated) => (this.deflated = deflated));
    return this.deflating;
  }

  /** The deflate when made, else the bytes as stored (uncompressed) blocks, which join the deflates just the same. */
  deflatedOrStored(): Buffer {
    return this.deflated ?? storedBlocks(this.bytes);
  }
}

/** Most bytes a stored deflate block holds. */
const STORED_BLOCK_BYTES = 0xffff;

/**
 * `bytes` as raw deflate stored blocks, none final (RFC 1951, 3.2.4): byte aligned like a sync
 * flush, so they sit between other segments' deflates in one valid stream.
 */
function storedBlocks(bytes: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(bytes.length / STORED_BLOCK_BYTES));
  const out = Buffer.allocUnsafe(bytes.length + blocks * 5);
  let at = 0;
  for (let start = 0; start < bytes.length || at === 0; start += STORED_BLOCK_BYTES) {
    const length = Math.min(STORED_BLOCK_BYTES, bytes.length - start);
    out[at] = 0; // BFINAL 0, BTYPE 00 (stored), padded to the byte
    out.writeUInt16LE(length, at + 1);
    out.writeUInt16LE(~length & 0xffff, at + 3);
    bytes.copy(out, at + 5, start, start + length);
    at += 5 + length;
  }
  return out;
}

/** Below this many bytes of new text, segments are deflated on the event loop: a thread pool round trip per segment costs more. */
const SYNC_DEFLATE_BYTES = 64 * 1024;

/**
 * Deflates segments after the current task (a scrape waiting on the render is served first): the
 * few of one change at once, many (a first render, a reload) in zlib's thread pool.
 */
async function deflateAll(fresh: readonly Segment[]): Promise<void> {
  if (fresh.reduce((sum, segment) => sum + segment.bytes.length, 0) > SYNC_DEFLATE_BYTES)
    await Promise.all(fresh.map((segment) => segment.deflate()));
  else await new Promise<void>((resolve) => setImmediate(() => resolve(void fresh.forEach((segment) => segment.deflateNow()))));
}

interface CompressedHead {
  deflated: Buffer;
  checksum: number;
  length: number;
}

/**
 * One body served in two parts: `head`, the segments rendered when the results change, and a
 * small `tail` rendered at every scrape (process metrics). A gzip scrape joins the segments'
 * kept deflates and compresses only the tail, whose final deflate blocks end the gzip member.
 */
export class CachedBody {
  private joined: Buffer | undefined;
  private compressed: CompressedHead | undefined;
  private compressing: Promise<void> | undefined;

  constructor(private readonly segments: readonly Segment[]) {}

  get head(): Buffer {
    this.joined ??= Buffer.concat(this.segments.map((segment) => segment.bytes));
    return this.joined;
  }

  /**
   * The head's gzip body, ready at once: segments not compressed yet (the ones a change just
   * rendered) go as stored blocks, a few KiB more on the wire, while zlib's thread pool compresses
   * them; the compressed head replaces this one when they are done.
   */
  private compressedHead(): CompressedHead {
    if (this.compressed) return this.compressed;
    let checksum = 0;
    let length = 0;
    for (const segment of this.segments) {
      checksum = crc32Append(checksum, segment.checksum.checksum, segment.checksum.shift);
      length += segment.bytes.length;
    }
    const join = () => Buffer.concat(this.segments.map((segment) => segment.deflatedOrStored()));
    this.compressed = { deflated: join(), checksum, length };
    this.compressing ??= deflateAll(this.segments.filter((segment) => !segment.deflated)).then(
      () => void (this.compressed = { deflated: join(), checksum, length }),
      () => undefined, // the stored blocks stay: larger, still valid
    );
    return this.compressed;
  }

  /** Starts compressing the head in the background (zlib's thread pool), before a scrape asks. */
  prepareGzip(): void {
    this.compressedHead();
  }

  /** Settles when every segment of the head is compressed (or could not be). */
  async compressedAll(): Promise<void> {
    this.compressedHead();
    await this.compressing;
  }

  /** The gzip member of head and tail, in pieces to write one after the other (no copy of the head). */
  gzip(tail: Buffer): Buffer[] {
    const head = this.compressedHead();
    const body = deflateRawSync(tail, SMALL_DEFLATE);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(tail, head.checksum) >>> 0, 0);
    trailer.writeUInt32LE((head.length + tail.length) % 2 ** 32, 4);
    return [GZIP_HEADER, head.deflated, body, trailer];
  }
}

/**
 * Series of catalogued metrics, kept as text lines per metric. Setting a gauge's labels again
 * replaces its value and a counter's adds to it, as prom-client does; counters never go below 0.
 */
export class SeriesLines {
  private readonly byMetric = new Map<string, Map<string, number>>();
  /** Text already written per metric; dropped when a series of that metric is set again. */
  private readonly written = new Map<string, string>();

  constructor(private readonly types: Readonly<Record<string, { type: 'gauge' | 'counter' }>>) {}

  set(metric: string, labels: Record<string, string>, value: number): void {
    let series = this.byMetric.get(metric);
    if (!series) this.byMetric.set(metric, (series = new Map()));
    this.written.delete(metric);
    const key = formatLabels(labels);
    if (this.types[metric]?.type === 'counter') series.set(key, (series.get(key) ?? 0) + Math.max(0, value));
    else series.set(key, value);
  }

  /** The lines of one metric, each ending in a newline; empty when it has no series. */
  lines(metric: string): string {
    const series = this.byMetric.get(metric);
    if (!series) return '';
    let text = this.written.get(metric);
    if (text !== undefined) return text;
    text = '';
    for (const [labels, value] of series) text += `${metric}${labels} ${formatValue(value)}\n`;
    this.written.set(metric, text);
    return text;
  }
}
