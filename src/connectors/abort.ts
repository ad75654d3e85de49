import { SampleError } from '../checks/errors.js';

/**
 * Settles with `promise`, or rejects with a timeout `graceMs` after `signal` aborts: the server is
 * asked to cancel first, and this is the client-side backstop when the server does not answer.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, graceMs = 1000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(new SampleError('timeout', 'check timeout reached; the server did not answer the cancel')), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
