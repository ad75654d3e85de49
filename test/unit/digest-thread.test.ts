// The digest thread of the query kind (connectors/digest-thread.ts) in a real worker thread: it digests
// COPY text and row batches alike, and a thread that dies or is closed fails the sample (reason
// `internal`) instead of crashing the process or leaving a read waiting forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { Column } from '../../src/core/columns.js';
import { SampleError } from '../../src/core/errors.js';
import { DigestThread, firstPassInThread } from '../../src/connectors/digest-thread.js';
import { compareByDigests, firstPassHere } from '../../src/compare/digest-compare.js';
import type { RowSink } from '../../src/connectors/database.js';

const columns: Column[] = [
  { name: 'id', valueClass: 'integer', engineType: 'int8' },
  { name: 'note', valueClass: 'text', engineType: 'text' },
];
const options = { ordered: false, ignoreColumns: [], pendingLimit: 1000 };

test('COPY text on one side and rows on the other give the digests of a row-by-row read', async () => {
  const rows: Array<[string, string | null]> = Array.from({ length: 5000 }, (_, i) => [String(i), i % 7 === 0 ? null : `note\t${i}\n`]);
  const text = rows.map(([id, note]) => `${id}\t${note === null ? '\\N' : note.replace('\t', '\\t').replace('\n', '\\n')}\n`).join('');
  const copy = async (sink: RowSink) => {
    sink.columns(columns);
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += 1000) await sink.copyText(bytes.subarray(at, at + 1000));
    return { columns };
  };
  const byRows = async (sink: RowSink) => {
    for (const row of rows.slice(0, -1)) await sink.row(row, columns);
    return { columns };
  };
  const threaded = await firstPassInThread([copy, byRows], { ...options, pendingLimit: 50_000 });
  const here = await firstPassHere(
    {
      baseline: async (onRow) => (rows.forEach((row) => onRow(row, columns)), { columns }),
      candidate: async (onRow) => (rows.slice(0, -1).forEach((row) => onRow(row, columns)), { columns }),
    },
    { ...options, key: [], tolerances: {}, maxExamples: 10 },
    50_000,
  );
  assert.deepEqual(Array.from(threaded.digests[0]), Array.from(here.digests[0]));
  assert.deepEqual(Array.from(threaded.digests[1]), Array.from(here.digests[1]));
  assert.deepEqual(
    threaded.leftovers?.[0].map((row) => row.raw),
    [rows[4999]],
  );
  const { comparison } = await compareByDigests(
    { baseline: () => Promise.reject(new Error('no second read')), candidate: () => Promise.reject(new Error('no second read')) },
    { ...options, key: ['id'], tolerances: {}, maxExamples: 10 },
    1000,
    async () => threaded,
  );
  assert.equal(comparison.missingRows, 1);
});

test('a digest thread that dies fails the reads and the result with reason internal', async () => {
  const thread = new DigestThread(options, () => new Worker('setTimeout(() => process.exit(3), 50)', { eval: true }));
  const sink = thread.sink(0);
  sink.columns(columns);
  const feeding = (async () => {
    for (;;) await sink.row(['1', 'x'], columns);
  })();
  await assert.rejects(
    feeding,
    (error: unknown) => error instanceof SampleError && error.reason === 'internal' && /exited with code 3/.test(error.message),
  );
  await assert.rejects(thread.result(), (error: unknown) => error instanceof SampleError && error.reason === 'internal');
  thread.close();
});

test('a read that fails closes the thread; the other side stops at its next hand-over', async () => {
  let other: Promise<unknown> = Promise.resolve();
  const failing = async () => {
    throw new SampleError('timeout', 'check timeout reached');
  };
  const slow = (sink: RowSink) => {
    other = (async () => {
      sink.columns(columns);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await sink.copyText(Buffer.alloc(300 * 1024, '1\tx\n'));
      }
    })();
    return other as Promise<{ columns: Column[] }>;
  };
  await assert.rejects(firstPassInThread([failing, slow], options), /check timeout reached/);
  await assert.rejects(other, (error: unknown) => error instanceof SampleError && error.reason === 'internal');
});

test('a small result is digested without starting a thread, with the same digests as a large one', async () => {
  const rows = Array.from({ length: 300 }, (_, i): [string, string] => [String(i), `n${i}`]);
  const feed = async (thread: DigestThread) => {
    for (const side of [0, 1] as const) {
      const sink = thread.sink(side);
      sink.columns(columns);
      for (const row of rows) await sink.row(row, columns);
      await thread.end(side, columns);
    }
    return thread.result();
  };
  let started = 0;
  const counting = () => {
    started += 1;
    return new Worker('setTimeout(() => process.exit(3), 50)', { eval: true });
  };
  const here = await feed(new DigestThread(options, counting));
  assert.equal(started, 0, 'no thread for 600 rows');
  // The same rows with a threshold of 0 go through a real thread from the first hand-over.
  const threaded = new DigestThread(options, undefined, 0);
  try {
    const there = await feed(threaded);
    assert.deepEqual(Array.from(there.digests[0]), Array.from(here.digests[0]));
    assert.deepEqual(Array.from(there.digests[1]), Array.from(here.digests[1]));
    assert.equal(here.digests[0].length, here.digests[1].length);
  } finally {
    threaded.close();
  }
});

test('two side threads give the left-over rows of one thread: in order, and as multisets with duplicates', async () => {
  // 20,000 rows a side, each id twice; the candidate lacks one copy of id 7, has row 9000 changed and one extra row.
  const baseline: Array<[string, string | null]> = Array.from({ length: 20_000 }, (_, i) => [String(i >> 1), `n${i >> 1}`]);
  const candidate = baseline
    .filter((_, i) => i !== 14)
    .map(([id, note], i): [string, string | null] => [id, i === 9000 ? 'changed' : note]);
  candidate.push(['99999', null]);
  const asRows = (rows: Array<[string, string | null]>) => async (sink: RowSink) => {
    sink.columns(columns);
    for (const row of rows) await sink.row(row, columns);
    return { columns };
  };
  for (const ordered of [false, true]) {
    const threaded = await firstPassInThread([asRows(baseline), asRows(candidate)], { ...options, ordered, pendingLimit: 50_000 });
    const here = await firstPassHere(
      {
        baseline: async (onRow) => (baseline.forEach((row) => onRow(row, columns)), { columns }),
        candidate: async (onRow) => (candidate.forEach((row) => onRow(row, columns)), { columns }),
      },
      { ...options, ordered, key: [], tolerances: {}, maxExamples: 10 },
      50_000,
    );
    assert.ok(threaded.leftovers && here.leftovers, 'nothing overflowed');
    // As multisets the left-overs come in no particular order.
    const raws = (rows: Array<{ raw: unknown }>) => {
      const all = rows.map((row) => row.raw);
      return ordered ? all : all.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    };
    assert.deepEqual(raws(threaded.leftovers[0]), raws(here.leftovers[0]), `baseline left-overs, ordered ${ordered}`);
    assert.deepEqual(raws(threaded.leftovers[1]), raws(here.leftovers[1]), `candidate left-overs, ordered ${ordered}`);
    if (!ordered) {
      assert.deepEqual(raws(threaded.leftovers[0]), [
        ['4500', 'n4500'],
        ['7', 'n7'],
      ]);
      assert.deepEqual(raws(threaded.leftovers[1]), [
        ['4500', 'changed'],
        ['99999', null],
      ]);
    }
  }
});
