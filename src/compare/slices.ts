/**
 * Long pure computations are written as generators that `yield` at checkpoints (every few
 * thousand items). `runToEnd` runs one synchronously (tests, small inputs); `runSliced` gives the
 * event loop back whenever a slice has used its budget, so a /metrics scrape is never held up for
 * long by a big diff.
 */

export type Steps<T> = Generator<void, T, void>;

export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runSliced<T>(steps: Steps<T>, options: { sliceMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const sliceMs = options.sliceMs ?? 5;
  let sliceStart = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await yieldToEventLoop();
      options.signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  }
}
