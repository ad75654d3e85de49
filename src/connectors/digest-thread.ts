import { Worker } from 'node:worker_threads';
import { copyLines } from '../compare/copy-text.js';
import type { FirstPass } from '../compare/digest-compare.js';
import { bothSides, type FirstPassResult, type SideIndex } from '../compare/digest-pass.js';
import type { SideResult } from '../compare/side-pass.js';
import type { Column } from '../core/columns.js';
import { SampleError } from '../core/errors.js';
import type { RawRow, RowSink } from './database.js';
import { SideProcessor } from './digest-processor.js';
import type { DigestMessage, DigestOptions, DigestReply, SideMessage } from './digest-types.js';

/**
 * The exporter's side of the digest threads of one `query` sample (digest-worker.ts): one thread
 * per side parses and digests that side's result, so the sides use two cores. Each thread answers a
 * batch with its digests, which this thread passes on to the other side's thread as they are (one
 * buffer a batch, no work per row here): identical rows cancel there, and a million-row read costs
 * this thread only the hand-over of buffers.
 *
 * Flow control: each side has at most IN_FLIGHT messages not yet handled by its thread; past that
 * the read waits (COPY stops reading its socket, MySQL pauses its connection), so memory stays
 * bounded whichever side is faster. Rows (MySQL/MariaDB, or PostgreSQL where COPY cannot run) go
 * in batches of ROW_BATCH.
 *
 * A thread that fails or exits fails the sample (reason `internal`), never the process.
 *
 * The threads start only once both sides together handed over more than IN_PROCESS_ROWS rows: a
 * small result (most checks) is digested on the exporter's thread at the end, which costs less
 * than starting threads (under tsx, a thread also compiles its source). What was handed over
 * before the start is replayed to the threads.
 */

const IN_PROCESS_ROWS = 5_000;

const IN_FLIGHT = 4;
const ROW_BATCH = 2000;
/**
 * Rows one side may be handed ahead of what the other side's thread digested: rows wait in their
 * thread until their twin's digest arrives (up to PENDING_ROWS, compare/digest-compare.ts), so the
 * sides are kept close enough for twins to meet; the slower side sets the pace either way.
 */
const LEAD = 5_000;

/**
 * The thread's values live for one row at most (identical rows cancel within a few thousand rows):
 * a small young generation collects them as cheaply as a large one and keeps the thread's memory
 * low (V8's default lets it grow to 64 MiB, a third of a million-row sample's peak).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

const fromSource = import.meta.url.endsWith('.ts');

/** Built code starts the worker file; source runs (tests, tsx) register tsx in the worker first. */
function startDigestWorker(workerData: DigestOptions): Worker {
  const options = { workerData, resourceLimits: WORKER_LIMITS };
  if (!fromSource) return new Worker(new URL('./digest-worker.js', import.meta.url), options);
  const worker = new URL('./digest-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); })`;
  return new Worker(code, { eval: true, ...options });
}

/** COPY text is handed over in batches of about this size: the socket's chunks are often a row or two. */
const COPY_BATCH = 64 * 1024;

/**
 * Collects COPY chunks into batches of memory of their own, which can be transferred to the thread
 * (socket buffers are shared with other reads).
 */
class CopyBatch {
  private bytes = new Uint8Array(COPY_BATCH);
  private length = 0;

  /** Adds a chunk; returns a full batch to send, if any. */
  add(chunk: Uint8Array): Uint8Array | null {
    let full: Uint8Array | null = null;
    if (this.length + chunk.byteLength > this.bytes.byteLength) {
      full = this.take();
      if (chunk.byteLength > this.bytes.byteLength) this.bytes = new Uint8Array(chunk.byteLength);
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.byteLength;
    return full;
  }

  /** What was collected (null when nothing), in memory the caller now owns. */
  take(): Uint8Array | null {
    if (this.length === 0) return null;
    const batch = this.bytes.subarray(0, this.length);
    this.bytes = new Uint8Array(Math.max(COPY_BATCH, this.bytes.byteLength));
    this.length = 0;
    return batch;
  }
}

export class DigestThread {
  private readonly workers: [Worker | null, Worker | null] = [null, null];
  /** Messages handed over before the threads started, and the rows in them. */
  private queued: Array<{ message: DigestMessage; transfer: ArrayBuffer[] }> = [];
  private queuedRows = 0;
  private failure: SampleError | null = null;
  private readonly inFlight: [number, number] = [0, 0];
  private readonly waiters: [Array<() => void>, Array<() => void>] = [[], []];
  private readonly batches: [RawRow[], RawRow[]] = [[], []];
  private readonly batchColumns: [Column[], Column[]] = [[], []];
  private readonly copyBatches = [new CopyBatch(), new CopyBatch()] as const;
  /** Rows handed over and rows digested per side, which sides ended, and the sides waiting for the other to catch up. */
  private readonly sent: [number, number] = [0, 0];
  private readonly digested: [number, number] = [0, 0];
  private readonly ended: [boolean, boolean] = [false, false];
  private readonly behind: [Array<() => void>, Array<() => void>] = [[], []];
  private readonly results: [SideResult | null, SideResult | null] = [null, null];
  private finishing = false;
  private resolveResult: ((result: FirstPassResult) => void) | null = null;
  private rejectResult: ((error: Error) => void) | null = null;

  constructor(
    private readonly options: DigestOptions,
    private readonly start: (data: DigestOptions) => Worker = startDigestWorker,
    private readonly inProcessRows = IN_PROCESS_ROWS,
  ) {}

  private startWorkers(): void {
    this.startWorker(0);
    this.startWorker(1);
    for (const { message, transfer } of this.queued.splice(0)) this.post(message, transfer, 0);
  }

  private startWorker(side: SideIndex): void {
    const worker = this.start(this.options);
    this.workers[side] = worker;
    let fatal: string | null = null;
    worker.on('message', (reply: DigestReply) => {
      if (reply.type === 'fatal') fatal = reply.message;
      else if (reply.type === 'ack') this.acked(side, reply.digests);
      else this.resulted(side, reply.result);
    });
    const fail = (why: string) => this.fail(new SampleError('internal', `the digest thread failed: ${fatal ?? why}`));
    worker.on('error', (error) => fail(error.message || error.name));
    worker.on('exit', (code) => fail(`it exited with code ${code}`));
  }

  /** A batch handled: its digests go on to the other side's thread, in this side's order. */
  private acked(side: SideIndex, digests: Float64Array): void {
    const other = side === 0 ? 1 : 0;
    this.inFlight[side] -= 1;
    this.digested[side] += digests.length;
    if (digests.length > 0)
      this.workers[other]?.postMessage({ type: 'other', digests } satisfies SideMessage, [digests.buffer as ArrayBuffer]);
    this.waiters[side].shift()?.();
    for (const wake of this.behind[other].splice(0)) wake();
    this.finishWhenPassed();
  }

  /** Asks both threads for their result once both reads ended and every digest was passed on. */
  private finishWhenPassed(): void {
    if (!this.finishing || this.inFlight[0] > 0 || this.inFlight[1] > 0) return;
    this.finishing = false;
    for (const worker of this.workers) worker?.postMessage({ type: 'finish' } satisfies SideMessage);
  }

  private resulted(side: SideIndex, result: SideResult): void {
    this.results[side] = result;
    const [baseline, candidate] = this.results;
    if (baseline && candidate) this.resolveResult?.(bothSides(baseline, candidate));
  }

  /** Hands a message to its side's thread, or keeps it while the result is still small. */
  /** `rows`: the rows in the message, counted once by the caller (before its memory is transferred). */
  private post(message: DigestMessage, transfer: ArrayBuffer[], rows: number): void {
    const worker = this.workers[message.side];
    if (worker === null) {
      this.queued.push({ message, transfer });
      this.queuedRows += rows;
      if (this.queuedRows > this.inProcessRows) this.startWorkers();
      return;
    }
    worker.postMessage(message satisfies SideMessage, transfer);
    if (message.type === 'copy' || message.type === 'rows') this.inFlight[message.side] += 1;
  }

  private fail(error: SampleError): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiters of [...this.waiters, ...this.behind]) for (const wake of waiters.splice(0)) wake();
    this.rejectResult?.(error);
  }

  private send(message: DigestMessage, transfer: ArrayBuffer[] = []): Promise<void> | void {
    if (this.failure) throw this.failure;
    // Counted before the chunk's memory is transferred.
    const rows = message.type === 'rows' ? message.rows.length : message.type === 'copy' ? copyLines(message.chunk) : 0;
    this.post(message, transfer, rows);
    const side = message.side;
    if (message.type === 'end') this.ended[side] = true;
    if (message.type !== 'copy' && message.type !== 'rows') {
      for (const wake of this.behind[side === 0 ? 1 : 0].splice(0)) wake();
      return;
    }
    this.sent[side] += rows;
    if (!this.busy(side) && !this.ahead(side)) return;
    return this.paced(side);
  }

  /**
   * Whether this side's thread has too much not yet handled: a thread handles the messages waiting
   * on one port before those on another, so what is in flight must stay within LEAD rows for the
   * other side's digests to be met in time.
   */
  private busy(side: SideIndex): boolean {
    return this.inFlight[side] > IN_FLIGHT || (this.workers[side] !== null && this.sent[side] - this.digested[side] > LEAD);
  }

  private ahead(side: SideIndex): boolean {
    const other = side === 0 ? 1 : 0;
    return this.workers[other] !== null && !this.ended[other] && this.sent[side] - this.digested[other] > LEAD;
  }

  /** Waits until the thread caught up with this side and the other side is not too far behind. */
  private async paced(side: SideIndex): Promise<void> {
    while (!this.failure && this.busy(side)) await new Promise<void>((resolve) => this.waiters[side].push(resolve));
    while (!this.failure && this.ahead(side)) await new Promise<void>((resolve) => this.behind[side].push(resolve));
    if (this.failure) throw this.failure;
  }

  private sendCopy(side: SideIndex, batch: Uint8Array | null): Promise<void> | void {
    if (batch) return this.send({ type: 'copy', side, chunk: batch }, [batch.buffer as ArrayBuffer]);
  }

  private flush(side: SideIndex): Promise<void> | void {
    const copied = this.sendCopy(side, this.copyBatches[side].take());
    if (copied) return copied;
    const rows = this.batches[side];
    if (rows.length === 0) return;
    this.batches[side] = [];
    return this.send({ type: 'rows', side, rows, columns: this.batchColumns[side] });
  }

  /** Where one side's bulk read hands its result. */
  sink(side: SideIndex): RowSink {
    return {
      columns: (columns) => void this.send({ type: 'columns', side, columns }),
      copyText: (chunk) => this.sendCopy(side, this.copyBatches[side].add(chunk)),
      row: (row, columns) => {
        if (this.batchColumns[side] !== columns) {
          const pending = this.flush(side);
          this.batchColumns[side] = columns;
          if (pending) return pending.then(() => this.row(side, row));
        }
        return this.row(side, row);
      },
    };
  }

  private row(side: SideIndex, row: RawRow): Promise<void> | void {
    this.batches[side].push(row);
    if (this.batches[side].length >= ROW_BATCH) return this.flush(side);
  }

  /** One side's read is over (its columns, for a result without rows). */
  async end(side: SideIndex, columns: Column[]): Promise<void> {
    await this.flush(side);
    await this.send({ type: 'end', side, columns });
  }

  /** The digests and left-over rows, once both sides ended. */
  result(): Promise<FirstPassResult> {
    const [baseline, candidate] = this.workers;
    if (baseline === null && candidate === null && !this.failure) return Promise.resolve().then(() => this.resultHere());
    return new Promise<FirstPassResult>((resolve, reject) => {
      if (this.failure) throw this.failure;
      this.resolveResult = resolve;
      this.rejectResult = reject;
      this.finishing = true;
      this.finishWhenPassed();
    });
  }

  /** A small result, digested on this thread, a side's batch at a time. */
  private resultHere(): FirstPassResult {
    const sides = [new SideProcessor(this.options), new SideProcessor(this.options)] as const;
    try {
      for (const { message } of this.queued.splice(0)) {
        const digests = sides[message.side].handle(message);
        if (digests) sides[message.side === 0 ? 1 : 0].other(digests);
      }
      return bothSides(sides[0].result(), sides[1].result());
    } catch (error) {
      throw new SampleError('internal', `the digest failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  close(): void {
    // Wakes a side still waiting for the other (which failed): it stops its read instead of
    // holding its statement open on the server.
    this.fail(new SampleError('internal', 'the digest thread was closed'));
    this.queued = [];
    for (const worker of this.workers) void worker?.terminate();
  }
}

/** A side's bulk read: hands its result to the sink, resolves with what the read reports. */
export type BulkRead<S> = (sink: RowSink) => Promise<S>;

/** The first read of both sides, digested in a thread of its own (compare/digest-compare.ts `firstPass`). */
export async function firstPassInThread<S extends { columns: Column[] }>(
  reads: [BulkRead<S>, BulkRead<S>],
  options: DigestOptions,
): Promise<FirstPass<S>> {
  const thread = new DigestThread(options);
  try {
    const read = async (side: SideIndex) => {
      const summary = await reads[side](thread.sink(side));
      await thread.end(side, summary.columns);
      return summary;
    };
    const summaries = await Promise.all([read(0), read(1)]);
    return { ...(await thread.result()), summaries };
  } finally {
    thread.close();
  }
}
