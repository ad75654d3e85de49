import type { EventEmitter } from 'node:events';
import { SampleError } from '../core/errors.js';

/**
 * How long a server has to answer the cancel sent at a sample's deadline before the client gives
 * up on the connection: short, so that a sample never outlives its timeout by more than a moment.
 */
export const CANCEL_GRACE_MS = 500;

/**
 * Settles with `promise`, or rejects with a timeout `graceMs` after `signal` aborts: the server is
 * asked to cancel first, and this is the client-side backstop when the server does not answer.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, graceMs = CANCEL_GRACE_MS): Promise<T> {
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

/**
 * Settles with `acquiring` (a connection being opened or taken from a pool), or rejects with a
 * timeout as soon as `signal` aborts: nothing runs on the server yet, so there is nothing to
 * cancel. A connection that arrives after that is handed to `dispose`.
 */
export function connectUntilAborted<T>(acquiring: Promise<T>, signal: AbortSignal, dispose: (late: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let gaveUp = false;
    const onAbort = () => {
      gaveUp = true;
      reject(new SampleError('timeout', 'check timeout reached while connecting; the server did not complete the connection'));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    acquiring.then(
      (connection) => {
        signal.removeEventListener('abort', onAbort);
        if (gaveUp) dispose(connection);
        else resolve(connection);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!gaveUp) reject(error);
      },
    );
  });
}

/**
 * Settles with `work`, or rejects as soon as `connection` reports an error or closes: drivers do
 * not always fail the statement running on a connection the server dropped (a terminated backend,
 * a killed thread), and the sample must say `connect` at once rather than wait for its deadline.
 */
export function unlessLost<T>(work: Promise<T>, connection: EventEmitter, classify: (error: unknown) => SampleError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onError = (error: unknown) => reject(classify(error));
    const onEnd = () => reject(new SampleError('connect', 'connection lost: the server closed it during the statement'));
    connection.once('error', onError);
    connection.once('end', onEnd);
    const done = () => {
      connection.off('error', onError);
      connection.off('end', onEnd);
    };
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
