import { crc32, deflateRaw, deflateRawSync, constants } from 'node:zlib';
import { promisify } from 'node:util';

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

/**
 * One body served in two parts: `head`, rendered when the results change and kept, and a small
 * `tail` rendered at every scrape (process metrics). The head's compression is kept with it, so a
 * gzip scrape only compresses the tail: the head is deflated once, ending on a sync flush (byte
 * aligned, not final), and the tail's final deflate blocks follow it in the same gzip member.
 */
export class CachedBody {
  private deflated: Promise<Buffer> | undefined;
  private checksum: number | undefined;

  constructor(readonly head: Buffer) {}

  private compressedHead(): Promise<Buffer> {
    // Level 1: metrics text still shrinks about tenfold, at a fraction of the default level's CPU.
    this.deflated ??= deflateRawAsync(this.head, { finishFlush: constants.Z_SYNC_FLUSH, level: 1 });
    return this.deflated;
  }

  /** Starts compressing the head in the background (zlib's thread pool), before a scrape asks. */
  prepareGzip(): void {
    void this.compressedHead().catch(() => undefined);
  }

  async gzip(tail: Buffer): Promise<Buffer> {
    const head = await this.compressedHead();
    this.checksum ??= crc32(this.head);
    const body = deflateRawSync(tail, { level: 1 });
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(tail, this.checksum) >>> 0, 0);
    trailer.writeUInt32LE((this.head.length + tail.length) % 2 ** 32, 4);
    // Magic, deflate, no flags, no time, no extra flags, unknown OS (RFC 1952).
    const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    return Buffer.concat([header, head, body, trailer]);
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
